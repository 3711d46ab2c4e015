import { forwardRef } from 'react';
import type { MessageSource } from '../../../../core/common';

/** The knowledge-base passages an answer cites as [n]: path, heading and snippet. */
export const SourcesList = forwardRef<HTMLDetailsElement, { sources: MessageSource[]; highlight: number | null }>(function SourcesList({ sources, highlight }, ref) {
  return (
    <details ref={ref} className="sources" data-testid="sources">
      <summary>
        Sources ({sources.length})
      </summary>
      <ol className="sources-list">
        {sources.map((s) => (
          <li key={s.n} data-source={s.n} className={highlight === s.n ? 'source source-highlight' : 'source'}>
            <div>
              <span className="source-n">[{s.n}]</span> <code className="source-path">{s.path}</code>
              {s.heading && <span className="muted"> — {s.heading}</span>}
            </div>
            <blockquote className="source-snippet">{s.snippet}</blockquote>
          </li>
        ))}
      </ol>
    </details>
  );
});
