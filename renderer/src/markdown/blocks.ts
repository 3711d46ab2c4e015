/**
 * Block-level Markdown of untrusted model output: paragraphs, ATX and setext headings, fenced code, lists
 * (nested by indentation), blockquotes, GFM tables (capped), rules. Inline text goes to inline.ts
 * (or the caller's `options.inline`, resume.ts's cache while streaming). Nesting depth is capped.
 */

import { DEFAULT_MAX_TABLE_ROWS, MAX_DEPTH, type Align, type Block, type Inline, type ParseOptions, type TopBlock } from './ast';
import { parseInline } from './inline';

const fenceOpen = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const headingRe = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const hrRe = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const quoteRe = /^ {0,3}> ?(.*)$/;
const listItemRe = /^( {0,12})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$/;
const tableDelimRe = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const blankRe = /^[ \t]*$/;
/** A setext underline: the paragraph above it is a heading (`=` level 1, `-` level 2). */
const setextRe = /^ {0,3}(=+|-+)[ \t]*$/;

export function parseMarkdown(source: string, options: ParseOptions = {}): TopBlock[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const maxRows = options.maxTableRows ?? DEFAULT_MAX_TABLE_ROWS;
  const out: TopBlock[] = [];
  parseBlocksInto(lines, 0, maxRows, (block, start, end) => out.push({ ...block, raw: lines.slice(start, end).join('\n') }), options.inline);
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

function parseBlocksInto(
  lines: string[],
  depth: number,
  maxRows: number,
  emit: (block: Block, start: number, end: number) => void,
  inline: (text: string) => Inline[] = (t) => parseInline(t, depth),
): void {
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

    // Paragraph: until a blank line or the start of another block; a setext underline (checked
    // first: `---` under text is a heading, not a rule) makes it a heading.
    const para: string[] = [line];
    let level: 1 | 2 | null = null;
    i++;
    while (i < lines.length && !blankRe.test(lines[i]!)) {
      const underline = setextRe.exec(lines[i]!);
      // A lone `-` or `=` as the very last line is not taken yet: streamed, it is most often the
      // start of a list item ("Steps:\n- one") and would flash the paragraph as a heading.
      if (underline && (underline[1]!.length > 1 || i + 1 < lines.length)) {
        level = underline[1]![0] === '=' ? 1 : 2;
        i++;
        break;
      }
      if (startsBlock(lines[i]!)) break;
      if (lines[i]!.includes('|') && i + 1 < lines.length && tableDelimRe.test(lines[i + 1]!)) break;
      para.push(lines[i]!);
      i++;
    }
    const body = para.map((l) => l.trim()).join('\n');
    if (level) emit({ type: 'heading', level, children: parseInline(body, depth) }, start, i);
    else emit({ type: 'paragraph', children: inline(body) }, start, i);
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

