/**
 * The paragraph an answer is streaming into. A paragraph is one inline formatting context: the
 * browser breaks all of its lines again whenever any of its text changes, so a long answer that is
 * one paragraph would cost layout in proportion to its length on every frame. Appending text never
 * moves a line break that is already followed by another line, so the lines the browser has
 * already wrapped are moved into blocks of their own, cut exactly where it wrapped them; they
 * render as they did, and each frame lays out only the last few lines.
 *
 * Where the cuts go is read from the layout of the previous frame (Range rects, in an animation
 * frame before this frame's changes), never forced in between. A cut is only made at a wrap after
 * a space or a line break, between top-level text; when text arriving later changes how the cut
 * part parses (an emphasis closed further on), or the width changes, the cut is undone. Once the
 * answer ends, the paragraph is rendered as a plain <p>.
 */
import { memo, useEffect, useReducer, useRef } from 'react';
import { renderedLength, sameInlines, splitAt } from './inline-split';
import { InlineView, type InlineProps } from './inline-view';
import type { Inline } from './parse';

/** The streaming part is cut once it renders this many characters... */
export const CUT_AT = 1500;
/** ...keeping the lines from this many characters before its end in it. */
export const KEEP = 300;

interface Cut {
  /** Rendered offset in the paragraph where the cut part ends. */
  end: number;
  /** What the cut part held when it was measured. */
  nodes: Inline[];
}

/** The cut parts still valid for `nodes`, and the streaming rest. */
export function arrangeLive(nodes: Inline[], cuts: readonly Cut[]): { lines: Inline[][]; live: Inline[]; liveStart: number; kept: number } {
  if (cuts.length === 0) return { lines: [], live: nodes, liveStart: 0, kept: 0 };
  const split = splitAt(
    nodes,
    cuts.map((c) => c.end),
  );
  let kept = 0;
  while (kept < split.parts.length && sameInlines(split.parts[kept]!, cuts[kept]!.nodes)) kept++;
  if (kept === cuts.length) return { lines: split.parts, live: split.rest, liveStart: cuts[kept - 1]!.end, kept };
  const again = kept === 0 ? { parts: [], rest: nodes } : splitAt(nodes, cuts.slice(0, kept).map((c) => c.end));
  return { lines: again.parts, live: again.rest, liveStart: kept ? cuts[kept - 1]!.end : 0, kept };
}

const Lines = memo(
  function Lines({ nodes, onCite, citable }: InlineProps) {
    return (
      <span className="md-lines">
        <InlineView nodes={nodes} onCite={onCite} citable={citable} />
      </span>
    );
  },
  (a, b) => a.onCite === b.onCite && a.citable === b.citable && sameInlines(a.nodes, b.nodes),
);

export function LiveParagraph({ nodes, onCite, citable }: InlineProps) {
  const cuts = useRef<Cut[]>([]);
  const liveRef = useRef<HTMLSpanElement>(null);
  const paragraphRef = useRef<HTMLParagraphElement>(null);
  const shown = useRef<{ live: Inline[]; liveStart: number }>({ live: [], liveStart: 0 });
  const frame = useRef(0);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  const { lines, live, liveStart, kept } = arrangeLive(nodes, cuts.current);

  useEffect(() => {
    // Cuts the current text no longer agrees with are gone for good.
    if (kept < cuts.current.length) cuts.current = cuts.current.slice(0, kept);
    shown.current = { live, liveStart };
    if (frame.current || renderedLength(live) < CUT_AT) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const el = liveRef.current;
      if (!el || !el.isConnected) return;
      const { live: now, liveStart: start } = shown.current;
      const at = lineStartBefore(el, renderedLength(now) - KEEP);
      if (at <= 0) return;
      const { parts } = splitAt(now, [at]);
      if (parts.length === 1) cuts.current = [...cuts.current, { end: start + at, nodes: parts[0]! }];
    });
  });

  useEffect(() => {
    const p = paragraphRef.current;
    // The first observation gives the width the paragraph starts with.
    let width: number | null = null;
    const resized = new ResizeObserver((entries) => {
      const next = entries[entries.length - 1]!.contentRect.width;
      if (width === null || next === width) {
        width = next;
        return;
      }
      width = next;
      // Lines were cut for the old width: one paragraph again (cut anew as it streams on).
      if (cuts.current.length) {
        cuts.current = [];
        rerender();
      }
    });
    if (p) resized.observe(p);
    return () => {
      resized.disconnect();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, []);

  return (
    <p ref={paragraphRef} data-testid="live-paragraph">
      {lines.map((part, k) => (
        <Lines key={k} nodes={part} onCite={onCite} citable={citable} />
      ))}
      <span ref={liveRef} className="md-lines">
        <InlineView nodes={live} onCite={onCite} citable={citable} />
      </span>
    </p>
  );
}

/**
 * The rendered offset, inside `el`, of the first character of a line that begins at or before
 * `target`, where cutting the text keeps it rendering the same: the line starts after a space or
 * a <br>, at top-level text of `el`. 0 when there is none. Reads layout (Range rects) only.
 */
export function lineStartBefore(el: HTMLElement, target: number): number {
  const texts: Text[] = [];
  const starts: number[] = [];
  let total = 0;
  const walker = el.ownerDocument.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    texts.push(n as Text);
    starts.push(total);
    total += (n as Text).length;
  }
  if (target <= 0 || target >= total) return 0;
  const nodeAt = (i: number) => {
    let lo = 0;
    let hi = texts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    // Skip empty text nodes that start at the same offset.
    while (lo < texts.length - 1 && texts[lo]!.length === 0) lo++;
    return lo;
  };
  const charAt = (i: number) => {
    const j = nodeAt(i);
    return texts[j]!.data[i - starts[j]!] ?? '';
  };
  const range = el.ownerDocument.createRange();
  /** Where character i is drawn (its middle height and its height); null for collapsed space. */
  const place = (i: number): { mid: number; height: number } | null => {
    if (/\s/.test(charAt(i))) return null;
    const j = nodeAt(i);
    range.setStart(texts[j]!, i - starts[j]!);
    range.setEnd(texts[j]!, i - starts[j]! + 1);
    const rect = range.getClientRects()[0];
    return rect && rect.height > 0 ? { mid: (rect.top + rect.bottom) / 2, height: rect.height } : null;
  };
  /** The first drawn character at or after `from` and before `limit`. */
  const drawnFrom = (from: number, limit: number) => {
    for (let i = from; i < limit; i++) {
      const at = place(i);
      if (at) return { i, ...at };
    }
    return null;
  };
  /** The last drawn character before `before`. */
  const drawnBefore = (before: number) => {
    for (let i = before - 1; i >= 0; i--) {
      const at = place(i);
      if (at) return { i, ...at };
    }
    return null;
  };
  let ref = drawnBefore(target + 1);
  for (let attempt = 0; attempt < 4 && ref; attempt++) {
    // Characters of the lines above sit a whole line higher; those of this line about level with
    // it (a different font in inline code moves them a little): binary search for the line's start.
    const line = ref;
    const onLine = (i: number) => {
      const at = drawnFrom(i, line.i + 1)!;
      return at.mid > line.mid - line.height * 0.6;
    };
    let lo = 0;
    let hi = line.i;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (onLine(mid)) hi = mid;
      else lo = mid + 1;
    }
    const first = drawnFrom(lo, line.i + 1)!.i;
    if (first > 0 && cuttable(first)) return first;
    // Not a place to cut: try the line above.
    ref = drawnBefore(lo);
  }
  return 0;

  function cuttable(i: number): boolean {
    const j = nodeAt(i);
    if (texts[j]!.parentNode !== el) return false;
    const offset = i - starts[j]!;
    if (offset > 0) return /\s/.test(texts[j]!.data[offset - 1]!);
    // At the start of a text node: after a top-level <br>, or after top-level text ending in a space.
    const before = texts[j]!.previousSibling;
    if (before && before.nodeName === 'BR') return true;
    return before?.nodeType === Node.TEXT_NODE && /\s$/.test((before as Text).data);
  }
}
