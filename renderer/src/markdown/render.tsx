/**
 * The Markdown tree as React elements. Text only ever becomes text nodes (React escapes it);
 * links are anchors to http(s) URLs opened through the guarded external path; there is no
 * dangerouslySetInnerHTML anywhere. Top-level blocks are memoized on their source, so while an
 * answer streams only its last block re-renders; a paragraph it streams into is parsed from
 * where its parse can resume and laid out a few lines at a time (LiveParagraph).
 */
import { memo, useMemo, useRef, useState, type ReactNode } from 'react';
import { InlineView } from './inline-view';
import { LiveParagraph } from './live-paragraph';
import { createInlineCache, inlineText, parseMarkdown, type Block, type Inline, type TopBlock } from './parse';

export interface MarkdownProps {
  text: string;
  /** Called when a citation [n] is clicked (the message expands its sources). */
  onCite?: (n: number) => void;
  /** Citation numbers that have a source (others render as plain text). */
  citable?: ReadonlySet<number>;
  /** The text is still growing (an answer streaming in). */
  streaming?: boolean;
}

interface ParsedPrefix {
  text: string;
  blocks: TopBlock[];
}

/**
 * While an answer streams, its text only grows. Every top-level block before the last one is
 * final (a later block has begun), so only the tail from the last block on is parsed again:
 * parsing stays proportional to the new text instead of to the whole answer on every frame.
 */
export function parseGrowing(text: string, previous: ParsedPrefix | null, inline?: (text: string) => Inline[]): TopBlock[] {
  const options = inline ? { inline } : {};
  if (!previous || previous.blocks.length < 2 || !text.startsWith(previous.text)) return parseMarkdown(text, options);
  const last = previous.blocks[previous.blocks.length - 1]!;
  const tailStart = previous.text.lastIndexOf(last.raw);
  if (tailStart <= 0) return parseMarkdown(text, options);
  return [...previous.blocks.slice(0, -1), ...parseMarkdown(text.slice(tailStart), options)];
}

export function Markdown({ text, onCite, citable, streaming = false }: MarkdownProps) {
  const parsed = useRef<ParsedPrefix | null>(null);
  const inline = useRef<((text: string) => Inline[]) | null>(null);
  const blocks = useMemo(() => {
    // While streaming, the growing paragraph's inline parse resumes instead of starting over.
    const parseInlines = streaming ? (inline.current ??= createInlineCache()) : undefined;
    const next = parseGrowing(text, parsed.current, parseInlines);
    parsed.current = { text, blocks: next };
    return next;
  }, [text, streaming]);
  const last = blocks.length - 1;
  return (
    <div className="md">
      {blocks.map((block, k) =>
        streaming && k === last && block.type === 'paragraph' ? (
          <LiveParagraph key={k} nodes={block.children} onCite={onCite} citable={citable} />
        ) : (
          <MemoBlock key={k} block={block} raw={block.raw} onCite={onCite} citable={citable} />
        ),
      )}
    </div>
  );
}

interface BlockProps {
  block: TopBlock | Block;
  raw?: string;
  onCite?: (n: number) => void;
  citable?: ReadonlySet<number>;
}

const MemoBlock = memo(BlockView, (a, b) => a.raw === b.raw && a.onCite === b.onCite && a.citable === b.citable && a.block.type === b.block.type);

function BlockView({ block, onCite, citable }: BlockProps): ReactNode {
  const inl = (nodes: Inline[]) => <InlineView nodes={nodes} onCite={onCite} citable={citable} />;
  const blocks = (list: Block[]) => list.map((b, k) => <BlockView key={k} block={b} onCite={onCite} citable={citable} />);
  switch (block.type) {
    case 'paragraph':
      return <p>{inl(block.children)}</p>;
    case 'heading': {
      const Tag = `h${Math.min(6, block.level + 2)}` as 'h3';
      return <Tag className={`md-h md-h${block.level}`}>{inl(block.children)}</Tag>;
    }
    case 'code':
      return <CodeBlock lang={block.lang} text={block.text} />;
    case 'hr':
      return <hr />;
    case 'blockquote':
      return <blockquote>{blocks(block.children)}</blockquote>;
    case 'list': {
      const items = block.items.map((item, k) => <li key={k}>{blocks(item)}</li>);
      return block.ordered ? <ol start={block.start}>{items}</ol> : <ul>{items}</ul>;
    }
    case 'table':
      return (
        <div className="md-table-wrap">
          <table className="md-table">
            <thead>
              <tr>
                {block.header.map((cell, k) => (
                  <th key={k} className={block.align[k] ? `align-${block.align[k]}` : undefined}>
                    {inl(cell)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((cell, k) => (
                    <td key={k} className={block.align[k] ? `align-${block.align[k]}` : undefined}>
                      {inl(cell)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {block.omittedRows > 0 && (
            <p className="muted" data-testid="table-omitted">
              {block.omittedRows} more {block.omittedRows === 1 ? 'row' : 'rows'} not shown
            </p>
          )}
        </div>
      );
  }
}

function CodeBlock({ lang, text }: { lang: string | null; text: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    navigator.clipboard
      .writeText(text)
      .then(() => setCopied('copied'))
      .catch(() => setCopied('failed'))
      .finally(() => setTimeout(() => setCopied('idle'), 1500));
  };
  return (
    <div className="md-code">
      <div className="md-code-bar">
        <span className="muted">{lang ?? 'code'}</span>
        <button type="button" className="button button-small" data-testid="copy-code" aria-label={`Copy ${lang ?? ''} code`.replace('  ', ' ')} onClick={copy}>
          {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </div>
      <pre>
        <code>{text}</code>
      </pre>
    </div>
  );
}

export { inlineText };
