/**
 * What each long task of the UI benchmark was made of, from a light Chrome trace taken while the
 * answers stream (categories `toplevel` and `v8`: every main-thread task with its wall and thread
 * CPU time, and garbage collections). The page's long tasks (PerformanceObserver, the figure
 * the target is judged on) are matched to the traced tasks through a `performance.mark`, so each
 * one gets its main-thread CPU time: a 70 ms task that ran 12 ms of CPU spent the rest waiting
 * for a CPU (the benchmark machine is shared), one that ran 70 ms of CPU was our work (or GC).
 */
import type { CDPSession, Page } from 'playwright-core';
import { stopTracing, type TraceEvent } from './ui-trace';

const CATEGORIES = ['toplevel', 'v8', 'blink.user_timing'];
const SYNC_MARK = 'bench-trace-sync';

export interface TaskCost {
  /** Wall time of the traced top-level slices (the task and the microtasks after it), ms. */
  wallMs: number;
  /** CPU time of the main thread in it (ms). */
  cpuMs: number;
  /** Garbage collection on the main thread in it (ms, wall). */
  gcMs: number;
}

export interface AnswerTrace {
  /** Cost of the traced task behind each long task (null when none matched). */
  costs: (TaskCost | null)[];
  /** Main-thread CPU time over the traced window (ms). */
  cpuMs: number;
}

export async function startAttribution(cdp: CDPSession): Promise<void> {
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordContinuously', includedCategories: CATEGORIES, excludedCategories: ['*'] },
  });
}

/**
 * Ends the trace and prices the long tasks the page saw in it: `longTasks` are [startTime,
 * duration] pairs in the page's clock (performance.now()).
 */
export async function stopAttribution(cdp: CDPSession, page: Page, longTasks: [number, number][]): Promise<AnswerTrace> {
  const markAt = (await page.evaluate(`(() => { performance.clearMarks('${SYNC_MARK}'); return performance.mark('${SYNC_MARK}').startTime; })()`)) as number;
  return price(await stopTracing(cdp), markAt, longTasks);
}

/** Pure part: the trace, the mark's page time, the page's long tasks. */
export function price(events: TraceEvent[], markAt: number, longTasks: [number, number][]): AnswerTrace {
  const mark = events.find((e) => e.name === SYNC_MARK);
  if (!mark) return { costs: longTasks.map(() => null), cpuMs: NaN };
  // The mark is recorded on the page's main thread, which is what the long tasks are about.
  const { pid, tid } = mark;
  const mine = events.filter((e) => e.pid === pid && e.tid === tid && e.cat.split(',').includes('toplevel'));
  const slices = mine.filter((e) => e.ph === 'X' && typeof e.dur === 'number');
  // Some slices come as begin/end pairs instead of complete events.
  const open = new Map<string, TraceEvent[]>();
  for (const e of mine.filter((x) => x.ph === 'B' || x.ph === 'E').sort((a, b) => a.ts - b.ts)) {
    const stack = open.get(e.name) ?? [];
    open.set(e.name, stack);
    if (e.ph === 'B') stack.push(e);
    else {
      const begin = stack.pop();
      if (begin) slices.push({ ...begin, ph: 'X', dur: e.ts - begin.ts, tdur: e.tts !== undefined && begin.tts !== undefined ? e.tts - begin.tts : 0 });
    }
  }
  // Top-level slices only (a task, or the microtask checkpoint after it), not the ones inside them.
  slices.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const top: TraceEvent[] = [];
  for (const e of slices) {
    const last = top[top.length - 1];
    if (last && e.ts < last.ts + last.dur!) continue;
    top.push(e);
  }
  const gcs = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && (e.name === 'MinorGC' || e.name === 'MajorGC') && typeof e.dur === 'number');
  const offsetUs = mark.ts - markAt * 1000;
  const cpuMs = top.reduce((t, e) => t + (e.tdur ?? 0), 0) / 1000;
  const costs = longTasks.map(([start, duration]) => {
    // The top-level slices inside the long task's span (its task and the microtasks after it).
    const from = start * 1000 + offsetUs - 1000;
    const to = from + 2000 + duration * 1000;
    const inside = top.filter((e) => e.ts >= from && e.ts < to);
    const wall = inside.reduce((t, e) => t + e.dur!, 0) / 1000;
    if (wall < duration / 2) return null;
    const gcMs = gcs.filter((g) => g.ts >= from && g.ts < to).reduce((t, g) => t + g.dur!, 0) / 1000;
    return { wallMs: wall, cpuMs: inside.reduce((t, e) => t + (e.tdur ?? 0), 0) / 1000, gcMs };
  });
  return { costs, cpuMs };
}
