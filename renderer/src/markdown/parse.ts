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
  /**
   * Parses the text of a top-level paragraph (default `parseInline`). A streamed answer passes
   * `createInlineCache()` so its growing last paragraph is not parsed from its start every frame.
   */
  inline?: (text: string) => Inline[];
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

    // Paragraph: until a blank line or the start of another block.
    const para: string[] = [line];
    i++;
    while (i < lines.length && !blankRe.test(lines[i]!) && !startsBlock(lines[i]!)) {
      if (lines[i]!.includes('|') && i + 1 < lines.length && tableDelimRe.test(lines[i + 1]!)) break;
      para.push(lines[i]!);
      i++;
    }
    emit({ type: 'paragraph', children: inline(para.map((l) => l.trim()).join('\n')) }, start, i);
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

/** Records the furthest index of the text a decision read; reading the end means "depends on text to come". */
type Touch = (index: number) => void;

/**
 * A point of a top-level inline parse it can resume from when the text grows: the state of the
 * parser at index `i`, and `reach`, the furthest index any decision before `i` read. A finite
 * reach means everything before `i` was decided by text that cannot change (text only grows), so
 * parsing the longer text from `i` on gives exactly what parsing it from 0 would.
 */
interface Checkpoint {
  i: number;
  outLen: number;
  pending: string;
  cache: [string, number][];
  reach: number;
}

/** A parsed paragraph that can be parsed again cheaply once more text has been appended to it. */
export interface InlineState {
  readonly text: string;
  readonly nodes: Inline[];
  readonly checkpoints: readonly Checkpoint[];
}

const CHECKPOINT_EVERY = 512;

export function parseInline(text: string, depth = 0): Inline[] {
  return inlineCore(text, depth, null, null);
}

/**
 * The inline tree of `text`, reusing `previous` when `text` extends it: parsing restarts at the
 * last checkpoint whose decisions are final, so a streamed paragraph costs the new text plus a
 * bounded window per frame, and the nodes before that checkpoint keep their identity.
 * The result always equals `parseInline(text)`.
 */
export function parseInlineFrom(text: string, previous: InlineState | null): InlineState {
  const checkpoints: Checkpoint[] = [];
  let resume: { cp: Checkpoint; nodes: Inline[] } | null = null;
  if (previous && text.startsWith(previous.text)) {
    if (text.length === previous.text.length) return previous;
    for (let k = previous.checkpoints.length - 1; k >= 0; k--) {
      const cp = previous.checkpoints[k]!;
      if (cp.reach !== Infinity) {
        resume = { cp, nodes: previous.nodes };
        checkpoints.push(...previous.checkpoints.slice(0, k + 1));
        break;
      }
    }
  }
  const nodes = inlineCore(text, 0, resume, checkpoints);
  return { text, nodes, checkpoints };
}

/** Remembers the last few paragraphs parsed, so a growing one is parsed from where it can resume. */
export function createInlineCache(size = 4): (text: string) => Inline[] {
  let states: InlineState[] = [];
  return (text) => {
    let best: InlineState | null = null;
    for (const s of states) if ((!best || s.text.length > best.text.length) && text.startsWith(s.text)) best = s;
    const next = parseInlineFrom(text, best);
    states = [next, ...states.filter((s) => s !== best && s !== next)].slice(0, size);
    return next.nodes;
  };
}

function inlineCore(text: string, depth: number, resume: { cp: Checkpoint; nodes: Inline[] } | null, checkpoints: Checkpoint[] | null): Inline[] {
  const len = text.length;
  let reach = resume ? resume.cp.reach : -1;
  const touch: Touch = (index) => {
    if (index >= len) reach = Infinity;
    else if (index > reach) reach = index;
  };
  const out: Inline[] = resume ? resume.nodes.slice(0, resume.cp.outLen) : [];
  // Per delimiter: no closer exists before this index (keeps many unmatched openers linear).
  const noCloserBefore = new Map<string, number>(resume ? resume.cp.cache : []);
  // Pending text: `buf` plus the verbatim run text[runStart, i) (sliced once, not char by char).
  let buf = resume ? resume.cp.pending : '';
  let i = resume ? resume.cp.i : 0;
  let runStart = i;
  let nextCheckpoint = i + CHECKPOINT_EVERY;
  const flush = () => {
    if (i > runStart) buf += text.slice(runStart, i);
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
  };
  while (i < len) {
    if (checkpoints && i >= nextCheckpoint) {
      checkpoints.push({ i, outLen: out.length, pending: buf + text.slice(runStart, i), cache: [...noCloserBefore], reach });
      nextCheckpoint = i + CHECKPOINT_EVERY;
    }
    const ch = text[i]!;
    if (ch === '\\') {
      touch(i + 1);
      if (i + 1 < len && punctuation.test(text[i + 1]!)) {
        buf += text.slice(runStart, i) + text[i + 1];
        i += 2;
        runStart = i;
        continue;
      }
    }
    if (ch === '\n') {
      flush();
      out.push({ type: 'br' });
      i++;
      runStart = i;
      continue;
    }
    if (ch === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      touch(i + run);
      const fence = '`'.repeat(run);
      const close = findCodeClose(text, i + run, fence, touch);
      if (close >= 0) {
        flush();
        let code = text.slice(i + run, close).replace(/\n/g, ' ');
        if (code.length > 2 && code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
        out.push({ type: 'code', text: code });
        i = close + run;
        runStart = i;
        continue;
      }
      i += run;
      continue;
    }
    if ((ch === '*' || ch === '_' || ch === '~') && depth < MAX_DEPTH) {
      touch(i + 1);
      const double = text[i + 1] === ch;
      if (ch === '~' && !double) {
        i++;
        continue;
      }
      const delim = double ? ch + ch : ch;
      const innerStart = i + delim.length;
      // Opening delimiters must be followed by non-space; `_` inside words is literal (snake_case).
      const prev = text[i - 1];
      touch(innerStart);
      const opens = innerStart < len && !/\s/.test(text[innerStart]!) && !(ch === '_' && prev !== undefined && /[\p{L}\p{N}]/u.test(prev));
      if (opens) {
        const close = findClose(text, innerStart, delim, noCloserBefore, touch);
        if (close > innerStart) {
          flush();
          const children = parseInline(text.slice(innerStart, close), depth + 1);
          out.push(ch === '~' ? { type: 'del', children } : double ? { type: 'strong', children } : { type: 'em', children });
          i = close + delim.length;
          runStart = i;
          continue;
        }
      }
      i += delim.length;
      continue;
    }
    if (ch === '!') {
      touch(i + 1);
      if (text[i + 1] === '[') {
        // Images are not loaded (remote content, and the CSP forbids it): shown as a link to them.
        const link = readLink(text, i + 1, touch);
        if (link) {
          flush();
          const alt = text.slice(i + 2, link.labelEnd);
          out.push({ type: 'link', href: safeHref(link.target), children: [{ type: 'text', text: `image: ${alt || link.target}` }] });
          i = link.end;
          runStart = i;
          continue;
        }
      }
    }
    if (ch === '[') {
      touch(i + 5);
      const cite = /^\[(\d{1,3})\]/.exec(text.slice(i, i + 6));
      if (cite) touch(i + cite[0].length);
      if (cite && text[i + cite[0].length] !== '(') {
        flush();
        out.push({ type: 'cite', n: parseInt(cite[1]!, 10) });
        i += cite[0].length;
        runStart = i;
        continue;
      }
      const link = readLink(text, i, touch);
      if (link && depth < MAX_DEPTH) {
        flush();
        out.push({ type: 'link', href: safeHref(link.target), children: parseInline(text.slice(i + 1, link.labelEnd), depth + 1) });
        i = link.end;
        runStart = i;
        continue;
      }
    }
    if (ch === '<') {
      const window = text.slice(i, i + 2048);
      const auto = /^<(https?:\/\/[^\s<>]+)>/i.exec(window);
      touch(auto ? i + auto[0].length - 1 : /^<https?:\/\//i.test(window) ? i + 2048 : i + 9);
      if (auto) {
        flush();
        out.push({ type: 'link', href: safeHref(auto[1]!), children: [{ type: 'text', text: auto[1]! }] });
        i += auto[0].length;
        runStart = i;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H') && (i === 0 || /[\s(]/.test(text[i - 1]!))) {
      const window = text.slice(i, i + 2048);
      const bare = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/i.exec(window);
      touch(bare || /^https?:\/\//i.test(window) ? i + 2048 : i + 8);
      if (bare) {
        flush();
        out.push({ type: 'link', href: safeHref(bare[0]), children: [{ type: 'text', text: bare[0] }] });
        i += bare[0].length;
        runStart = i;
        continue;
      }
    }
    i++;
  }
  flush();
  return out;
}

/**
 * The closing backtick run for an opening one: the first run of exactly the same length, not
 * further than a bound when the caller only cares about closes before it.
 */
function findCodeClose(text: string, from: number, fence: string, touch: Touch, bound = Infinity): number {
  let k = text.indexOf(fence, from);
  while (k >= 0 && k < bound) {
    touch(k + fence.length);
    // The closing run must be exactly as long as the opening one.
    if (text[k + fence.length] !== '`' && text[k - 1] !== '`') return k;
    k = text.indexOf(fence, k + 1);
    if (k > from + EMPHASIS_WINDOW * 4) {
      touch(k + fence.length);
      return -1;
    }
  }
  // No candidate: one may still come, unless the bound is already behind the text's end.
  if (k < 0) touch(text.length - fence.length + 1 >= bound ? bound + fence.length : text.length);
  else touch(bound + fence.length);
  return -1;
}

function findClose(text: string, from: number, delim: string, noCloserBefore: Map<string, number>, touch: Touch): number {
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
      touch(k + run);
      const close = findCodeClose(text, k + run, '`'.repeat(run), touch, limit);
      k = close >= 0 && close < limit ? close + run : k + run;
      continue;
    }
    if (text.startsWith(delim, k) && !/\s/.test(text[k - 1]!)) {
      touch(k + delim.length);
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
  // Searched up to the window's end (or the text's end, which more text would move).
  touch(limit === text.length ? text.length : limit + delim.length);
  noCloserBefore.set(delim, Math.max(known, limit));
  return -1;
}

function readLink(text: string, open: number, touch: Touch): { labelEnd: number; target: string; end: number } | null {
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
        touch(k + 1);
        if (text[k + 1] !== '(') return null;
        const close = text.indexOf(')', k + 2);
        touch(close < 0 ? text.length : close);
        if (close < 0 || close - k > 2048) return null;
        const inside = text.slice(k + 2, close).trim();
        // `(url "title")`: the title is dropped.
        const target = inside.split(/\s+/)[0] ?? '';
        return { labelEnd: k, target, end: close + 1 };
      }
    } else if (c === '\n') {
      touch(k + 1);
      if (text[k + 1] === '\n') return null;
    }
  }
  touch(limit === text.length ? text.length : limit);
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
