/**
 * The Markdown parser for model output, which is untrusted: the entry the renderer and tests
 * import. It builds a plain tree that render.tsx turns into React elements: no HTML string is
 * ever produced, raw HTML stays text, and only http(s) links survive. Pure (no DOM).
 *
 * Split by job: ast.ts (node types), blocks.ts (block level), inline.ts (emphasis, code, links
 * through `safeHref`), resume.ts (re-parsing a growing paragraph from a checkpoint).
 */

export { DEFAULT_MAX_TABLE_ROWS, inlineText, type Align, type Block, type Inline, type ParseOptions, type TopBlock } from './ast';
export { parseMarkdown } from './blocks';
export { parseInline, safeHref } from './inline';
export { createInlineCache, parseInlineFrom, type InlineState } from './resume';
