/**
 * Attribution of long tasks from a Chrome trace (CDP Tracing through Playwright's CDPSession):
 * for every task on the page's main thread longer than the threshold, how much of it was CPU
 * time of the thread (`tdur`) versus waiting for a CPU (the machine is shared), which trace events
 * it spent its own time in (script, style, layout, paint, GC...) and which JS functions the
 * sampling profiler found on the stack. Used by ui-profile.ts; pure functions over the events.
 */
import type { CDPSession } from 'playwright-core';

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  /** Thread clock (µs) of begin/end events. */
  tts?: number;
  pid: number;
  tid: number;
  id?: string;
  args?: Record<string, unknown>;
}

const CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8.execute',
  'v8',
  'disabled-by-default-v8.cpu_profiler',
  'blink.user_timing',
];

/** `sampling: false` leaves the JS sampling profiler out (it costs the page ~100 ms to start). */
export async function startTracing(cdp: CDPSession, sampling = true): Promise<void> {
  const categories = sampling ? CATEGORIES : CATEGORIES.filter((c) => !c.includes('cpu_profiler'));
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordContinuously', includedCategories: categories, excludedCategories: ['*'] },
  });
}

export async function stopTracing(cdp: CDPSession): Promise<TraceEvent[]> {
  const complete = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream!)));
  await cdp.send('Tracing.end');
  const handle = await complete;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle });
  const parsed = JSON.parse(text) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
}

/** The page's renderer main thread: the CrRendererMain with the most tasks. */
export function mainThread(events: TraceEvent[]): { pid: number; tid: number } | null {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && (e.args?.name as string) === 'CrRendererMain');
  let best: { pid: number; tid: number } | null = null;
  let bestCount = -1;
  for (const m of mains) {
    const count = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.name === 'RunTask').length;
    if (count > bestCount) {
      best = { pid: m.pid, tid: m.tid };
      bestCount = count;
    }
  }
  return best;
}

interface Node {
  event: TraceEvent;
  start: number;
  end: number;
  children: Node[];
}

/** Complete ('X') and begin/end ('B'/'E') slices of one thread, nested by time. */
function buildTree(events: TraceEvent[], pid: number, tid: number): Node[] {
  const slices: Node[] = [];
  const open = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.pid !== pid || e.tid !== tid) continue;
    if (e.ph === 'X' && typeof e.dur === 'number') slices.push({ event: e, start: e.ts, end: e.ts + e.dur, children: [] });
    else if (e.ph === 'B') {
      const list = open.get(e.name) ?? [];
      list.push(e);
      open.set(e.name, list);
    } else if (e.ph === 'E') {
      const begin = open.get(e.name)?.pop();
      if (begin) slices.push({ event: { ...begin, args: { ...begin.args, ...e.args } }, start: begin.ts, end: e.ts, children: [] });
    }
  }
  slices.sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: Node[] = [];
  const stack: Node[] = [];
  for (const s of slices) {
    while (stack.length && stack[stack.length - 1]!.end <= s.start) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent && s.end <= parent.end + 1) parent.children.push(s);
    else if (!parent) roots.push(s);
    else continue; // Overlapping without nesting: ignored (rare, async-looking slices).
    stack.push(s);
  }
  return roots;
}

/** A readable label for a slice: the event name, with the function or event type where the trace gives one. */
function label(e: TraceEvent): string {
  const data = (e.args?.data ?? {}) as Record<string, unknown>;
  if (e.name === 'FunctionCall' && data.functionName) return `FunctionCall ${String(data.functionName)}`;
  if (e.name === 'EventDispatch' && data.type) return `EventDispatch ${String(data.type)}`;
  if (e.name === 'TimerFire') return 'TimerFire';
  return e.name;
}

/** Self time (ms) of every slice label under a node: wall time, or thread (CPU) time with `cpu`. */
function selfTimes(node: Node, into: Map<string, number>, cpu = false): void {
  const span = (n: Node) => (cpu ? (n.event.tdur ?? 0) : n.end - n.start);
  const childTime = node.children.reduce((t, c) => t + span(c), 0);
  const self = Math.max(0, span(node) - childTime) / 1000;
  const key = label(node.event);
  into.set(key, (into.get(key) ?? 0) + self);
  for (const c of node.children) selfTimes(c, into, cpu);
}

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url?: string; lineNumber?: number; codeType?: string };
}

export interface Samples {
  /** Sample time (trace µs) and leaf node id. */
  times: number[];
  leaves: number[];
  nodes: Map<number, ProfileNode>;
}

/** The sampling profiler's samples of one thread (Profile + ProfileChunk events). */
export function cpuSamples(events: TraceEvent[], pid: number, tid: number): Samples {
  const nodes = new Map<number, ProfileNode>();
  const times: number[] = [];
  const leaves: number[] = [];
  const clocks = new Map<string, number>();
  for (const e of events) {
    if (e.pid !== pid) continue;
    if (e.name === 'Profile' && e.tid === tid) clocks.set(e.id ?? '', Number((e.args?.data as { startTime?: number })?.startTime ?? e.ts));
  }
  for (const e of events) {
    if (e.pid !== pid || e.name !== 'ProfileChunk' || !clocks.has(e.id ?? '')) continue;
    const data = (e.args?.data ?? {}) as { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] };
    for (const n of data.cpuProfile?.nodes ?? []) nodes.set(n.id, n);
    const samples = data.cpuProfile?.samples ?? [];
    const deltas = data.timeDeltas ?? [];
    let t = clocks.get(e.id ?? '')!;
    for (let i = 0; i < samples.length; i++) {
      t += deltas[i] ?? 0;
      times.push(t);
      leaves.push(samples[i]!);
    }
    clocks.set(e.id ?? '', t);
  }
  return { times, leaves, nodes };
}

const fnName = (n: ProfileNode | undefined) => (n ? n.callFrame.functionName || `(anonymous ${(n.callFrame.url ?? '').split('/').pop()}:${n.callFrame.lineNumber ?? '?'})` : '?');

export interface LongTaskReport {
  /** Start, ms from the first traced task. */
  at: number;
  wallMs: number;
  /** CPU time of the main thread inside the task; wall - cpu is time the thread waited for a CPU. */
  cpuMs: number | null;
  /** Top self-time slices (script, style, layout, GC...). */
  slices: [string, number][];
  /** Functions the profiler sampled, self (leaf) and inclusive (anywhere on the stack), ms. */
  selfFunctions: [string, number][];
  inclusiveFunctions: [string, number][];
}

export function longTasks(events: TraceEvent[], thresholdMs = 50): LongTaskReport[] {
  const thread = mainThread(events);
  if (!thread) return [];
  const roots = buildTree(events, thread.pid, thread.tid).filter((n) => n.event.name === 'RunTask');
  const samples = cpuSamples(events, thread.pid, thread.tid);
  const origin = roots[0]?.start ?? 0;
  const reports: LongTaskReport[] = [];
  for (const task of roots) {
    const wallMs = (task.end - task.start) / 1000;
    if (wallMs <= thresholdMs) continue;
    const slices = new Map<string, number>();
    selfTimes(task, slices);
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    for (let i = 0; i < samples.times.length; i++) {
      const t = samples.times[i]!;
      if (t < task.start || t > task.end) continue;
      addSample(samples, i, ((samples.times[i + 1] ?? t) - t) / 1000, self, inclusive);
    }
    const top = (m: Map<string, number>, n: number) => [...m.entries()].filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1]).slice(0, n);
    reports.push({
      at: (task.start - origin) / 1000,
      wallMs,
      cpuMs: typeof task.event.tdur === 'number' ? task.event.tdur / 1000 : null,
      slices: top(slices, 8),
      selfFunctions: top(self, 8),
      inclusiveFunctions: top(inclusive, 14),
    });
  }
  return reports;
}

/**
 * Totals over all main-thread tasks in the trace: wall and CPU time, self CPU time by slice, and
 * CPU time per `bucketMs` of the answer (from the first task): work that grows with the answer's
 * length shows as buckets that get more expensive towards its end.
 */
export function totals(events: TraceEvent[], bucketMs = 250): { wallMs: number; cpuMs: number; cpuSlices: [string, number][]; cpuByBucket: number[] } {
  const thread = mainThread(events);
  if (!thread) return { wallMs: 0, cpuMs: 0, cpuSlices: [], cpuByBucket: [] };
  const roots = buildTree(events, thread.pid, thread.tid).filter((n) => n.event.name === 'RunTask');
  const slices = new Map<string, number>();
  const buckets: number[] = [];
  const origin = roots[0]?.start ?? 0;
  let wall = 0;
  let cpu = 0;
  for (const r of roots) {
    wall += (r.end - r.start) / 1000;
    const c = (r.event.tdur ?? 0) / 1000;
    cpu += c;
    const b = Math.floor((r.start - origin) / 1000 / bucketMs);
    buckets[b] = (buckets[b] ?? 0) + c;
    selfTimes(r, slices, true);
  }
  return { wallMs: wall, cpuMs: cpu, cpuSlices: [...slices.entries()].sort((a, b) => b[1] - a[1]), cpuByBucket: Array.from(buckets, (v) => v ?? 0) };
}

/** Counts sample i's `ms` to its leaf function (self) and once to every function on its stack (inclusive). */
function addSample(samples: Samples, i: number, ms: number, self: Map<string, number>, inclusive: Map<string, number>): void {
  let node = samples.nodes.get(samples.leaves[i]!);
  const leaf = fnName(node);
  self.set(leaf, (self.get(leaf) ?? 0) + ms);
  const seen = new Set<string>();
  while (node) {
    const name = fnName(node);
    if (!seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
    node = node.parent === undefined ? undefined : samples.nodes.get(node.parent);
  }
}

/** Sampled JS time (ms) over the whole trace: self (leaf) and inclusive, by function name. */
export function sampledFunctions(events: TraceEvent[]): { self: Map<string, number>; inclusive: Map<string, number> } {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const thread = mainThread(events);
  if (!thread) return { self, inclusive };
  const samples = cpuSamples(events, thread.pid, thread.tid);
  for (let i = 0; i + 1 < samples.times.length; i++) {
    addSample(samples, i, Math.min(5, (samples.times[i + 1]! - samples.times[i]!) / 1000), self, inclusive);
  }
  return { self, inclusive };
}
