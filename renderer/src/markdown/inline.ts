/**
 * Inline Markdown of untrusted model output: emphasis, code spans, links, autolinks, citations [n].
 * Only http(s) links survive (`safeHref`); raw HTML stays text. Linear-ish on hostile input:
 * emphasis searches a bounded window, nesting depth is capped.
 *
 * `inlineCore` also records checkpoints for resume.ts (the streamed paragraph): each decision
 * reports, through `touch`, the furthest index of the text it read.
 */

import { MAX_DEPTH, type Inline } from './ast';
import { safeHref } from './safe-href';

export { safeHref };

const EMPHASIS_WINDOW = 2000;

const punctuation = /[!-/:-@[-`{-~]/;

/** Records the furthest index of the text a decision read; reading the end means "depends on text to come". */
type Touch = (index: number) => void;

/**
 * A point of a top-level inline parse it can resume from when the text grows: the state of the
 * parser at index `i`, and `reach`, the furthest index any decision before `i` read. A finite
 * reach means everything before `i` was decided by text that cannot change (text only grows), so
 * parsing the longer text from `i` on gives exactly what parsing it from 0 would.
 */
export interface Checkpoint {
  i: number;
  outLen: number;
  pending: string;
  cache: [string, number][];
  reach: number;
}

const CHECKPOINT_EVERY = 512;

export function parseInline(text: string, depth = 0): Inline[] {
  return inlineCore(text, depth, null, null);
}

/** The inline parse; resume.ts passes a checkpoint to start from and a list to record new ones in. */
export function inlineCore(text: string, depth: number, resume: { cp: Checkpoint; nodes: Inline[] } | null, checkpoints: Checkpoint[] | null): Inline[] {
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
