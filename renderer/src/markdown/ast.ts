/**
 * The tree the Markdown parser builds for model output (blocks.ts, inline.ts) and render.tsx
 * draws. Plain data, no HTML strings: raw HTML stays text, and a link's href is already through
 * the http(s) guard (inline.ts `safeHref`) or null.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong'; children: Inline[] }
  | { type: 'em'; children: Inline[] }
  | { type: 'del'; children: Inline[] }
  /** href is null when the target was not an absolute http(s) URL: the text stays, the link goes. */
  | { type: 'link'; href: string | null; children: Inline[] }
  | { type: 'cite'; n: number }
  | { type: 'br' };

export type Align = 'left' | 'center' | 'right' | null;

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; level: 1 | 2 | 3 | 4 | 5 | 6; children: Inline[] }
  | { type: 'code'; lang: string | null; text: string; closed: boolean }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'blockquote'; children: Block[] }
  | { type: 'table'; align: Align[]; header: Inline[][]; rows: Inline[][][]; omittedRows: number }
  | { type: 'hr' };

/** A top-level block with the source it came from (the renderer memoizes on it while streaming). */
export type TopBlock = Block & { raw: string };

export interface ParseOptions {
  /** Rows of a table shown before the "n more rows" note. */
  maxTableRows?: number;
  /**
   * Parses the text of a top-level paragraph (default `parseInline`). A streamed answer passes
   * `createInlineCache()` so its growing last paragraph is not parsed from its start every frame.
   */
  inline?: (text: string) => Inline[];
}

export const DEFAULT_MAX_TABLE_ROWS = 200;
/** Nesting cap for blocks and inlines (hostile input cannot recurse without bound). */
export const MAX_DEPTH = 12;

/** The text of inline nodes (for headings' ids, tests and accessible names). */
export function inlineText(nodes: Inline[]): string {
  return nodes
    .map((n) => {
      switch (n.type) {
        case 'text':
        case 'code':
          return n.text;
        case 'br':
          return '\n';
        case 'cite':
          return `[${n.n}]`;
        default:
          return inlineText(n.children);
      }
    })
    .join('');
}
