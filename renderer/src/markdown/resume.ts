/**
 * Resuming an inline parse when its text grows (the streamed answer's last paragraph, which
 * render.tsx and live-paragraph.tsx redraw every frame): restart at the last checkpoint that
 * inline.ts recorded whose decisions cannot change, instead of parsing from the start.
 */

import type { Inline } from './ast';
import { inlineCore, type Checkpoint } from './inline';

/** A parsed paragraph that can be parsed again cheaply once more text has been appended to it. */
export interface InlineState {
  readonly text: string;
  readonly nodes: Inline[];
  readonly checkpoints: readonly Checkpoint[];
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

