/**
 * A small Markdown parser for model output, which is untrusted. It builds a plain tree that
 * render.tsx turns into React elements: no HTML string is ever produced, raw HTML stays text,
 * and only http(s) links survive. Pure (no DOM), so unit tests assert on the tree.
 *
 * Covers what chat answers use: paragraphs, ATX headings, emphasis, inline code, fenced code,
 * lists (nested by indentation), blockquotes, GFM tables (capped), rules, links, citations [n].
 * Linear-ish on hostile input: emphasis searches a bounded window, nesting depth is capped.
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
}

export const DEFAULT_MAX_TABLE_ROWS = 200;
const MAX_DEPTH = 12;
const EMPHASIS_WINDOW = 2000;

const fenceOpen = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const headingRe = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const hrRe = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const quoteRe = /^ {0,3}> ?(.*)$/;
const listItemRe = /^( {0,12})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$/;
const tableDelimRe = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const blankRe = /^[ \t]*$/;

export function parseMarkdown(source: string, options: ParseOptions = {}): TopBlock[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const maxRows = options.maxTableRows ?? DEFAULT_MAX_TABLE_ROWS;
  const out: TopBlock[] = [];
  parseBlocksInto(lines, 0, maxRows, (block, start, end) => out.push({ ...block, raw: lines.slice(start, end).join('\n') }));
  return out;
}

function parseBlocks(lines: string[], depth: number, maxRows: number): Block[] {
  const out: Block[] = [];
  parseBlocksInto(lines, depth, maxRows, (block) => out.push(block));
  return out;
}

function startsBlock(line: string): boolean {
  return fenceOpen.test(line) || headingRe.test(line) || hrRe.test(line) || quoteRe.test(line) || listItemRe.test(line);
}

function parseBlocksInto(lines: string[], depth: number, maxRows: number, emit: (block: Block, start: number, end: number) => void): void {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (blankRe.test(line)) {
      i++;
      continue;
    }
    const start = i;

    const fence = fenceOpen.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const indent = line.length - line.trimStart().length;
      const body: string[] = [];
      let closed = false;
      i++;
      while (i < lines.length) {
        const l = lines[i]!;
        const t = l.trim();
        if (t.startsWith(marker[0]!.repeat(marker.length)) && /^(`+|~+)$/.test(t) && t[0] === marker[0]) {
          closed = true;
          i++;
          break;
        }
        body.push(indent ? l.replace(new RegExp(`^ {0,${indent}}`), '') : l);
        i++;
      }
      emit({ type: 'code', lang: fence[2] ? fence[2] : null, text: body.join('\n'), closed }, start, i);
      continue;
    }

    const heading = headingRe.exec(line);
    if (heading) {
      const level = heading[1]!.length as 1 | 2 | 3 | 4 | 5 | 6;
      i++;
      emit({ type: 'heading', level, children: parseInline(heading[2] ?? '', depth) }, start, i);
      continue;
    }

    if (hrRe.test(line)) {
      i++;
      emit({ type: 'hr' }, start, i);
      continue;
    }

    if (quoteRe.test(line)) {
      const inner: string[] = [];
      while (i < lines.length) {
        const m = quoteRe.exec(lines[i]!);
        if (m) inner.push(m[1]!);
        else if (!blankRe.test(lines[i]!) && inner.length && !blankRe.test(inner[inner.length - 1]!) && !startsBlock(lines[i]!)) inner.push(lines[i]!); // lazy continuation
        else break;
        i++;
      }
      const children = depth >= MAX_DEPTH ? [{ type: 'paragraph' as const, children: [{ type: 'text' as const, text: inner.join('\n') }] }] : parseBlocks(inner, depth + 1, maxRows);
      emit({ type: 'blockquote', children }, start, i);
      continue;
    }

    const item = listItemRe.exec(line);
    if (item) {
      const result = parseList(lines, i, depth, maxRows);
      i = result.next;
      emit(result.block, start, i);
      continue;
    }

    if (line.includes('|') && i + 1 < lines.length && tableDelimRe.test(lines[i + 1]!) && lines[i + 1]!.includes('-')) {
      const header = splitRow(line);
      const align = splitRow(lines[i + 1]!).map(alignOf);
      if (header.length === align.length || (header.length > 0 && align.length > 0)) {
        i += 2;
        const rows: Inline[][][] = [];
        let omitted = 0;
        while (i < lines.length && !blankRe.test(lines[i]!) && lines[i]!.includes('|')) {
          if (rows.length < maxRows) rows.push(fitRow(splitRow(lines[i]!), header.length).map((c) => parseInline(c, depth)));
          else omitted++;
          i++;
        }
        emit({ type: 'table', align: fitRow(align, header.length) as Align[], header: header.map((c) => parseInline(c, depth)), rows, omittedRows: omitted }, start, i);
        continue;
      }
    }

    // Paragraph: until a blank line or the start of another block.
    const para: string[] = [line];
    i++;
    while (i < lines.length && !blankRe.test(lines[i]!) && !startsBlock(lines[i]!)) {
      if (lines[i]!.includes('|') && i + 1 < lines.length && tableDelimRe.test(lines[i + 1]!)) break;
      para.push(lines[i]!);
      i++;
    }
    emit({ type: 'paragraph', children: parseInline(para.map((l) => l.trim()).join('\n'), depth) }, start, i);
  }
}

function parseList(lines: string[], from: number, depth: number, maxRows: number): { block: Block; next: number } {
  const first = listItemRe.exec(lines[from]!)!;
  const baseIndent = first[1]!.length;
  const ordered = /\d/.test(first[2]!);
  const start = ordered ? parseInt(first[2]!, 10) : 1;
  const items: string[][] = [];
  let i = from;
  let current: string[] | null = null;
  let contentIndent = 0;
  let sawBlank = false;
  while (i < lines.length) {
    const line = lines[i]!;
    const m = listItemRe.exec(line);
    if (m && m[1]!.length <= baseIndent + 1 && /\d/.test(m[2]!) === ordered && m[1]!.length >= baseIndent - 1) {
      current = [m[4]!];
      items.push(current);
      contentIndent = m[1]!.length + m[2]!.length + Math.max(1, m[3]!.length);
      sawBlank = false;
      i++;
      continue;
    }
    if (blankRe.test(line)) {
      sawBlank = true;
      current?.push('');
      i++;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (current && indent >= Math.min(contentIndent, baseIndent + 2)) {
      current.push(line.slice(Math.min(indent, contentIndent)));
      sawBlank = false;
      i++;
      continue;
    }
    // A lazy continuation of the item's paragraph.
    if (current && !sawBlank && !startsBlock(line)) {
      current.push(line.trim());
      i++;
      continue;
    }
    break;
  }
  // Trailing blank lines belong after the list.
  while (i > from && blankRe.test(lines[i - 1]!)) {
    i--;
    const last = items[items.length - 1];
    if (last && last.length && last[last.length - 1] === '') last.pop();
  }
  const parsed = items.map((item) =>
    depth >= MAX_DEPTH ? [{ type: 'paragraph' as const, children: [{ type: 'text' as const, text: item.join('\n') }] }] : parseBlocks(item, depth + 1, maxRows),
  );
  return { block: { type: 'list', ordered, start, items: parsed }, next: i };
}

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  for (let k = 0; k < s.length; k++) {
    const ch = s[k]!;
    if (ch === '\\' && s[k + 1] === '|') {
      cell += '|';
      k++;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

function fitRow<T>(cells: T[], width: number): (T | string)[] {
  if (cells.length === width) return cells;
  if (cells.length > width) return cells.slice(0, width);
  return [...cells, ...Array<string>(width - cells.length).fill('')];
}

function alignOf(cell: string): Align {
  const left = cell.startsWith(':');
  const right = cell.endsWith(':');
  return left && right ? 'center' : right ? 'right' : left ? 'left' : null;
}

/** Only absolute http(s) URLs without credentials; everything else (javascript:, data:, relative) is dropped. */
export function safeHref(raw: string): string | null {
  const trimmed = raw.trim().replace(/^<|>$/g, '');
  if (!/^https?:\/\//i.test(trimmed)) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  return url.href;
}

const punctuation = /[!-/:-@[-`{-~]/;

export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  // Per delimiter: no closer exists before this index (keeps many unmatched openers linear).
  const noCloserBefore = new Map<string, number>();
  let buf = '';
  const flush = () => {
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length && punctuation.test(text[i + 1]!)) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '\n') {
      flush();
      out.push({ type: 'br' });
      i++;
      continue;
    }
    if (ch === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const fence = '`'.repeat(run);
      const close = findCodeClose(text, i + run, fence);
      if (close >= 0) {
        flush();
        let code = text.slice(i + run, close).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
        out.push({ type: 'code', text: code });
        i = close + run;
        continue;
      }
      buf += fence;
      i += run;
      continue;
    }
    if ((ch === '*' || ch === '_' || ch === '~') && depth < MAX_DEPTH) {
      const double = text[i + 1] === ch;
      if (ch === '~' && !double) {
        buf += ch;
        i++;
        continue;
      }
      const delim = double ? ch + ch : ch;
      const innerStart = i + delim.length;
      // Opening delimiters must be followed by non-space; `_` inside words is literal (snake_case).
      const prev = text[i - 1];
      const opens = innerStart < text.length && !/\s/.test(text[innerStart]!) && !(ch === '_' && prev !== undefined && /[\p{L}\p{N}]/u.test(prev));
      if (opens) {
        const close = findClose(text, innerStart, delim, noCloserBefore);
        if (close > innerStart) {
          flush();
          const children = parseInline(text.slice(innerStart, close), depth + 1);
          out.push(ch === '~' ? { type: 'del', children } : double ? { type: 'strong', children } : { type: 'em', children });
          i = close + delim.length;
          continue;
        }
      }
      buf += delim;
      i += delim.length;
      continue;
    }
    if (ch === '!' && text[i + 1] === '[') {
      // Images are not loaded (remote content, and the CSP forbids it): shown as a link to them.
      const link = readLink(text, i + 1);
      if (link) {
        flush();
        const alt = text.slice(i + 2, link.labelEnd);
        out.push({ type: 'link', href: safeHref(link.target), children: [{ type: 'text', text: `image: ${alt || link.target}` }] });
        i = link.end;
        continue;
      }
    }
    if (ch === '[') {
      const cite = /^\[(\d{1,3})\]/.exec(text.slice(i, i + 6));
      if (cite && text[i + cite[0].length] !== '(') {
        flush();
        out.push({ type: 'cite', n: parseInt(cite[1]!, 10) });
        i += cite[0].length;
        continue;
      }
      const link = readLink(text, i);
      if (link && depth < MAX_DEPTH) {
        flush();
        out.push({ type: 'link', href: safeHref(link.target), children: parseInline(text.slice(i + 1, link.labelEnd), depth + 1) });
        i = link.end;
        continue;
      }
    }
    if (ch === '<') {
      const auto = /^<(https?:\/\/[^\s<>]+)>/i.exec(text.slice(i, i + 2048));
      if (auto) {
        flush();
        out.push({ type: 'link', href: safeHref(auto[1]!), children: [{ type: 'text', text: auto[1]! }] });
        i += auto[0].length;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H') && (i === 0 || /[\s(]/.test(text[i - 1]!))) {
      const bare = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/i.exec(text.slice(i, i + 2048));
      if (bare) {
        flush();
        out.push({ type: 'link', href: safeHref(bare[0]), children: [{ type: 'text', text: bare[0] }] });
        i += bare[0].length;
        continue;
      }
    }
    buf += ch;
    i++;
  }
  flush();
  return out;
}

function findCodeClose(text: string, from: number, fence: string): number {
  let k = text.indexOf(fence, from);
  while (k >= 0) {
    // The closing run must be exactly as long as the opening one.
    if (text[k + fence.length] !== '`' && text[k - 1] !== '`') return k;
    k = text.indexOf(fence, k + 1);
    if (k > from + EMPHASIS_WINDOW * 4) return -1;
  }
  return -1;
}

function findClose(text: string, from: number, delim: string, noCloserBefore: Map<string, number>): number {
  const limit = Math.min(text.length, from + EMPHASIS_WINDOW);
  const known = noCloserBefore.get(delim) ?? 0;
  let k = known > from ? known : from;
  while (k < limit) {
    const c = text[k]!;
    if (c === '\\') {
      k += 2;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (text[k + run] === '`') run++;
      const close = findCodeClose(text, k + run, '`'.repeat(run));
      k = close >= 0 && close < limit ? close + run : k + run;
      continue;
    }
    if (text.startsWith(delim, k) && !/\s/.test(text[k - 1]!)) {
      const after = text[k + delim.length];
      // `**a**b` closes; `*a**` at the single-star level does not close on the double.
      if (delim.length === 1 && after === delim) {
        k += 2;
        continue;
      }
      if (delim[0] === '_' && after !== undefined && /[\p{L}\p{N}]/u.test(after)) {
        k++;
        continue;
      }
      return k;
    }
    k++;
  }
  noCloserBefore.set(delim, Math.max(known, limit));
  return -1;
}

function readLink(text: string, open: number): { labelEnd: number; target: string; end: number } | null {
  let depth = 0;
  const limit = Math.min(text.length, open + 1000);
  for (let k = open; k < limit; k++) {
    const c = text[k];
    if (c === '\\') {
      k++;
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']') {
      depth--;
      if (depth === 0) {
        if (text[k + 1] !== '(') return null;
        const close = text.indexOf(')', k + 2);
        if (close < 0 || close - k > 2048) return null;
        const inside = text.slice(k + 2, close).trim();
        // `(url "title")`: the title is dropped.
        const target = inside.split(/\s+/)[0] ?? '';
        return { labelEnd: k, target, end: close + 1 };
      }
    } else if (c === '\n' && text[k + 1] === '\n') return null;
  }
  return null;
}

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
