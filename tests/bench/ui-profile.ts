/**
 * Diagnosis for the UI streaming benchmark (not a benchmark itself: tracing slows the page).
 * Same answers as ui-streaming.ts, with a Chrome trace (CDP Tracing, sampling profiler on) around
 * each measured answer: every main-thread task over 50 ms is printed with its CPU time, its
 * self time by trace event (script, style, layout, paint, GC) and the JS functions sampled in it.
 * Heap snapshots after the warm-up and at the end are diffed: growth by constructor and by kind,
 * and the retaining path of objects that were created after the warm-up and survive.
 *
 *   npm run build && npx tsx tests/bench/ui-profile.ts [--answers 12] [--tokens 3000] [--tps 2000] [--warmup 3]
 *     --trace 1        trace each measured answer (0: no trace)
 *     --sampling 1     with the JS sampling profiler (0: trace events only, much lighter)
 *     --heap 1         heap snapshots after the warm-up and at the end, diffed
 *     --every N        JS heap and DOM nodes (after GC) every N answers
 *     --check-lines 1  check that the streaming paragraph's cut lines render as one paragraph would
 *     --reply prose|inline|operator   what the fake streams (ui-replies.ts): its plain prose, paragraphs
 *                      full of inline Markdown, or an operator's answer with lists, tables and code blocks
 *     --static <dir>   serve the page from another renderer build (A/B against the same server)
 */
import { arg, openUiBench, textArg } from './ui-driver';
import { longTasks, sampledFunctions, startTracing, stopTracing, totals } from './ui-trace';
import { newObjects, retainingPaths, summary, takeHeapSnapshot } from './ui-heap';
import { parseReplyKind, replyText } from './ui-replies';

const answers = arg('answers', 12);
const tokens = arg('tokens', 3000);
const tps = arg('tps', 2000);
const trace = arg('trace', 1) === 1;
const heap = arg('heap', 1) === 1;
const warmup = arg('warmup', 3);
const sampling = arg('sampling', 1) === 1;
const checkLines = arg('check-lines', 0) === 1;
const every = arg('every', 0);

/**
 * In the page, every 200 ms while an answer streams: the streaming paragraph (cut into blocks of
 * lines) against a copy of it that is one paragraph again, character by character (every 7th):
 * same place on the screen, relative to the paragraph, or the cuts changed the rendering.
 */
const LINE_CHECK = `(() => {
  const results = [];
  window.__lineChecks = results;
  const place = (p) => {
    const range = document.createRange();
    const box = p.getBoundingClientRect();
    const out = [];
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let k = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i < n.length; i++, k++) {
        if (k % 7 || /\\s/.test(n.data[i])) continue;
        range.setStart(n, i); range.setEnd(n, i + 1);
        const r = range.getClientRects()[0];
        out.push(r ? [k, Math.round((r.left - box.left) * 2) / 2, Math.round((r.top - box.top) * 2) / 2] : [k, null, null]);
      }
    }
    return out;
  };
  window.__lineTimer = setInterval(() => {
    const p = document.querySelector('[data-testid="live-paragraph"]');
    if (!p) return;
    const cuts = p.querySelectorAll(':scope > .md-lines').length - 1;
    const copy = p.cloneNode(true);
    copy.removeAttribute('data-testid');
    for (const span of [...copy.querySelectorAll(':scope > .md-lines')]) span.replaceWith(...span.childNodes);
    p.after(copy);
    const a = place(p), b = place(copy);
    copy.remove();
    let bad = 0, first = null;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i], y = b[i];
      if (!x || !y || x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2]) { bad++; first ??= [x, y]; }
    }
    const ends = bad ? [...p.querySelectorAll(':scope > .md-lines')].map((span) => ({ len: span.textContent.length, tail: span.textContent.slice(-30), last: span.lastChild && span.lastChild.nodeName, head: span.textContent.slice(0, 20) })) : undefined;
    results.push({ cuts, chars: a.length, bad, first, ends });
  }, 200);
})()`;

const ms = (n: number) => `${n.toFixed(1)} ms`;
const reply = parseReplyKind(textArg('reply'));
const text = replyText(reply);
const staticDir = textArg('static');
const bench = await openUiBench({ tokens, tps, ...(text ? { replyText: text } : {}), ...(staticDir ? { staticDir } : {}) });
let exitCode = 0;
try {
  const { cdp } = bench;
  const metrics = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics: m } = await cdp.send('Performance.getMetrics');
    const get = (name: string) => m.find((x) => x.name === name)?.value ?? NaN;
    return `heap ${(get('JSHeapUsedSize') / 1e6).toFixed(2)} MB, nodes ${get('Nodes')}, listeners ${get('JSEventListeners')}, documents ${get('Documents')}`;
  };
  for (let i = 1; i <= warmup; i++) await bench.answer(i);
  console.log(`after ${warmup} warm-up answers: ${await metrics()}`);
  const first = heap ? await takeHeapSnapshot(cdp) : null;

  let long = 0;
  let ours = 0;
  const all = { wall: 0, cpu: 0, slices: new Map<string, number>(), buckets: [] as number[][], self: new Map<string, number>(), inclusive: new Map<string, number>() };
  for (let i = warmup + 1; i <= warmup + answers; i++) {
    let events: Awaited<ReturnType<typeof stopTracing>> = [];
    const result = await bench.answer(i, {
      before: async () => {
        if (checkLines) await bench.page.evaluate(LINE_CHECK);
        if (trace) await startTracing(cdp, sampling);
      },
      after: async () => {
        if (trace) events = await stopTracing(cdp);
        if (!checkLines) return;
        const checks = (await bench.page.evaluate('clearInterval(window.__lineTimer), window.__lineChecks')) as { cuts: number; chars: number; bad: number; first: unknown }[];
        const bad = checks.filter((c) => c.bad > 0);
        console.log(`answer ${i}: ${checks.length} line checks while streaming, cuts up to ${Math.max(0, ...checks.map((c) => c.cuts))}, characters compared up to ${Math.max(0, ...checks.map((c) => c.chars))}, ${bad.length} with differences${bad.length ? `: ${JSON.stringify(bad.slice(0, 3))}` : ''}`);
      },
    });
    if (!result.textOk) console.log(`answer ${i}: text differs (${result.got} vs ${result.expected} chars)`);
    if (every && i % every === 0) console.log(`after ${i} answers: ${await metrics()}`);
    if (!trace) continue;
    const t = totals(events);
    all.wall += t.wallMs;
    all.cpu += t.cpuMs;
    for (const [k, v] of t.cpuSlices) all.slices.set(k, (all.slices.get(k) ?? 0) + v);
    all.buckets.push(t.cpuByBucket);
    const f = sampledFunctions(events);
    for (const [k, v] of f.self) all.self.set(k, (all.self.get(k) ?? 0) + v);
    for (const [k, v] of f.inclusive) all.inclusive.set(k, (all.inclusive.get(k) ?? 0) + v);
    for (const task of longTasks(events, 50)) {
      long++;
      const script = task.slices.filter(([k]) => /FunctionCall|FireAnimationFrame|TimerFire|EventDispatch|v8\.|RunMicrotasks|EvaluateScript/.test(k)).reduce((s, [, v]) => s + v, 0);
      if (task.cpuMs !== null && task.cpuMs > 50) ours++;
      console.log(`answer ${i} +${task.at.toFixed(0)} ms: task ${ms(task.wallMs)} wall, ${task.cpuMs === null ? '?' : ms(task.cpuMs)} CPU (script self ~${ms(script)})`);
      console.log(`   slices:    ${task.slices.map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; ')}`);
      console.log(`   self fn:   ${task.selfFunctions.map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; ')}`);
      console.log(`   on stack:  ${task.inclusiveFunctions.map(([k, v]) => `${k} ${v.toFixed(1)}`).join('; ')}`);
    }
  }
  if (trace) {
    console.log(`\n${long} main-thread tasks over 50 ms wall in ${answers} traced answers; ${ours} of them with over 50 ms CPU time`);
    console.log(`main thread while streaming: ${ms(all.wall)} wall in tasks, ${ms(all.cpu)} CPU`);
    console.log(`self CPU time by slice (all traced answers): ${[...all.slices.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('; ')}`);
    const width = Math.max(...all.buckets.map((b) => b.length));
    const mean = Array.from({ length: width }, (_, k) => all.buckets.reduce((s, b) => s + (b[k] ?? 0), 0) / all.buckets.length);
    const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('; ');
    if (all.self.size) console.log(`sampled JS, self ms: ${top(all.self, 25)}\nsampled JS, inclusive ms: ${top(all.inclusive, 45)}`);
    console.log(`main-thread CPU per 250 ms of the answer (mean over answers): ${mean.map((v) => v.toFixed(0)).join(' ')} ms`);
  }

  console.log(`\nafter ${warmup + answers} answers: ${await metrics()}`);
  if (first) {
    const last = await takeHeapSnapshot(cdp);
    const a = summary(first);
    const b = summary(last);
    console.log(`heap snapshot: ${(a.total / 1e6).toFixed(2)} -> ${(b.total / 1e6).toFixed(2)} MB (JS and the browser's objects)`);
    const deltas = [...b.groups.values()]
      .map((g) => ({ ...g, dCount: g.count - (a.groups.get(g.group)?.count ?? 0), dBytes: g.bytes - (a.groups.get(g.group)?.bytes ?? 0) }))
      .filter((g) => g.dCount > 0 || g.dBytes > 2000)
      .sort((x, y) => y.dBytes - x.dBytes)
      .slice(0, 25);
    console.log('growth by group (count delta, bytes delta):');
    for (const g of deltas) console.log(`  ${g.group.padEnd(64)} ${String(g.dCount).padStart(6)} ${String(g.dBytes).padStart(9)}`);
    // JS objects the app makes (as opposed to compiled code, hidden classes and the browser's own objects).
    const appLevel = [...b.groups.values()]
      .filter((g) => /^(object|closure|regexp):/.test(g.group) && !g.group.startsWith('object shape'))
      .map((g) => ({ ...g, dCount: g.count - (a.groups.get(g.group)?.count ?? 0), dBytes: g.bytes - (a.groups.get(g.group)?.bytes ?? 0) }))
      .sort((x, y) => y.dBytes - x.dBytes);
    const sumApp = appLevel.reduce((t, g) => t + g.dBytes, 0);
    console.log(`JS objects and closures: ${sumApp >= 0 ? '+' : ''}${sumApp} bytes in all; largest changes: ${appLevel.slice(0, 8).map((g) => `${g.group} ${g.dCount >= 0 ? '+' : ''}${g.dCount} (${g.dBytes} B)`).join('; ')}`);
    const byKind = (pred: (g: string) => boolean) => [...b.groups.values()].filter((g) => pred(g.group)).reduce((t, g) => t + g.bytes - (a.groups.get(g.group)?.bytes ?? 0), 0);
    console.log(`growth by kind: compiled code ${byKind((g) => g.startsWith('(code)'))} B; browser (native) ${byKind((g) => g.startsWith('native:'))} B; strings ${byKind((g) => g === 'string')} B; hidden classes ${byKind((g) => g.startsWith('object shape'))} B`);
    const created = newObjects(first, last);
    const grown = new Set(deltas.filter((g) => g.dCount > 0).map((g) => g.group));
    const samples: number[] = [];
    for (const g of created.groups) if (grown.has(g.group)) samples.push(...(created.indexes.get(g.group) ?? []).slice(-2));
    // And the largest objects created after the warm-up that are still alive.
    const largest = [...created.indexes.values()].flat().sort((x, y) => last.selfSize(y) - last.selfSize(x)).slice(0, 5);
    samples.push(...largest);
    const paths = retainingPaths(last, samples.slice(0, 40).concat(largest));
    console.log('retaining paths of surviving new objects in grown groups:');
    for (const [index, path] of paths) console.log(`  #${index} (${last.selfSize(index)} B): ${path.slice(-8).join(' ')}`);
  }
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await bench.close();
}
process.exit(exitCode);
