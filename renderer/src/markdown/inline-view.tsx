/**
 * Inline Markdown nodes as React elements: text stays text (React escapes it), links are anchors
 * to http(s) URLs opened through the guarded external path.
 */
import type { ReactNode } from 'react';
import { openExternal } from './external';
import type { Inline } from './parse';

export interface InlineProps {
  nodes: Inline[];
  onCite?: (n: number) => void;
  citable?: ReadonlySet<number>;
}

export function InlineView({ nodes, onCite, citable }: InlineProps): ReactNode {
  return nodes.map((node, k) => {
    switch (node.type) {
      case 'text':
        return node.text;
      case 'br':
        return <br key={k} />;
      case 'code':
        return <code key={k}>{node.text}</code>;
      case 'strong':
        return <strong key={k}>{<InlineView nodes={node.children} onCite={onCite} citable={citable} />}</strong>;
      case 'em':
        return <em key={k}>{<InlineView nodes={node.children} onCite={onCite} citable={citable} />}</em>;
      case 'del':
        return <del key={k}>{<InlineView nodes={node.children} onCite={onCite} citable={citable} />}</del>;
      case 'cite':
        return citable?.has(node.n) && onCite ? (
          <button key={k} type="button" className="cite" aria-label={`Source ${node.n}`} data-testid="citation" onClick={() => onCite(node.n)}>
            [{node.n}]
          </button>
        ) : (
          `[${node.n}]`
        );
      case 'link':
        if (!node.href) {
          return (
            <span key={k} className="md-link-removed" title="Link removed: only http(s) links are allowed">
              <InlineView nodes={node.children} onCite={onCite} citable={citable} />
            </span>
          );
        }
        return (
          <a key={k} href={node.href} target="_blank" rel="noopener noreferrer" title={node.href} onClick={(e) => openExternal(e, node.href!)}>
            <InlineView nodes={node.children} onCite={onCite} citable={citable} />
          </a>
        );
    }
  });
}
