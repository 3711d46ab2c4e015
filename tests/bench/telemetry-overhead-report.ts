/**
 * The telemetry overhead bench's results: a row of ratios, intervals, CPU and heap per variant,
 * and the printed tables, correctness and one JSON line (telemetry-overhead.ts measures them).
 */
import { cpus, loadavg } from 'node:os';
import type { CollectorCounts } from './bench-servers';
import { seededRandom } from '../support/seeded-random';
import { bootstrapRatioInterval, mean, median, percentile, sum } from './stats';
import { ABOVE_AGENT, describeVariant, type Options, TARGET_RATIO, TARGETED, type VariantName } from './telemetry-overhead-options';
import type { Variant } from './telemetry-overhead-variants';
import type { TurnTelemetryCost } from './turn-telemetry-cost';

export interface ExportReport {
  status: string;
  dropped: { traces: number; metrics: number; logs: number };
  lastError: string | null;
}

export interface Row {
  variant: VariantName;
  requests: number;
  medianMs: number;
  p95Ms: number;
  sumMs: number;
  ratio: number;
  medianRatio: number;
  roundRatioMin: number;
  roundRatioMax: number;
  /** 95% bootstrap interval of the ratio, resampling whole rounds (each with bare's same round). */
  ratioLow: number;
  ratioHigh: number;
  overheadUsPerChunk: number;
  /** The same ratio (and interval) to the call's return, bookkeeping after `done` included. */
  finishedRatio: number;
  finishedRatioLow: number;
  finishedRatioHigh: number;
  cpuMsPerRequest: number;
  cpuRatio: number;
  cpuOverheadUsPerChunk: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  keptKbPerRequest: number;
  /** Against the 'agent' breakdown: what createCore adds to the bare turn (telemetry, and whatever else it wires). Null without it. */
  ratioVsAgent: number | null;
  cpuRatioVsAgent: number | null;
  verdict: 'PASS' | 'MISS' | 'base' | 'control' | 'part';
}

export function rowFor(v: Variant, bare: Variant, agent: Variant | undefined, options: Options): Row {
  const [ratioLow, ratioHigh] = v === bare ? [1, 1] : bootstrapRatioInterval(v.roundWallMs, bare.roundWallMs, seededRandom(options.seed));
  const [finishedRatioLow, finishedRatioHigh] = v === bare ? [1, 1] : bootstrapRatioInterval(v.roundFinishedMs, bare.roundFinishedMs, seededRandom(options.seed));
  const sumMs = sum(v.wallMs);
  const bareSum = sum(bare.wallMs);
  const roundRatios = v.roundWallMs.map((w, i) => w / (bare.roundWallMs[i] ?? NaN));
  const ratio = sumMs / bareSum;
  const cpuPerRequest = mean(v.cpuMs);
  const bareCpu = mean(bare.cpuMs);
  return {
    variant: v.name,
    requests: v.wallMs.length,
    medianMs: median(v.wallMs),
    p95Ms: percentile(v.wallMs, 95),
    sumMs,
    ratio,
    medianRatio: median(v.wallMs) / median(bare.wallMs),
    roundRatioMin: Math.min(...roundRatios),
    roundRatioMax: Math.max(...roundRatios),
    ratioLow,
    ratioHigh,
    overheadUsPerChunk: ((mean(v.wallMs) - mean(bare.wallMs)) * 1000) / options.tokens,
    finishedRatio: sum(v.finishedMs) / sum(bare.finishedMs),
    finishedRatioLow,
    finishedRatioHigh,
    cpuMsPerRequest: cpuPerRequest,
    cpuRatio: cpuPerRequest / bareCpu,
    cpuOverheadUsPerChunk: ((cpuPerRequest - bareCpu) * 1000) / options.tokens,
    heapBeforeMb: v.heapBefore / 2 ** 20,
    heapAfterMb: v.heapAfter / 2 ** 20,
    keptKbPerRequest: (v.heapAfter - v.heapBefore) / 1024 / options.requests,
    ratioVsAgent: agent && ABOVE_AGENT.includes(v.name) ? sumMs / sum(agent.wallMs) : null,
    cpuRatioVsAgent: agent && ABOVE_AGENT.includes(v.name) ? cpuPerRequest / mean(agent.cpuMs) : null,
    verdict: v.name === 'bare' ? 'base' : v.name === 'bare-aa' ? 'control' : !TARGETED.includes(v.name) ? 'part' : ratio <= TARGET_RATIO ? 'PASS' : 'MISS',
  };
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const signed = (n: number, digits: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(digits)}` : 'n/a');

/** Everything one run measured and checked, for printReport. */
export interface RunReport {
  options: Options;
  code: string;
  serversWhere: string;
  variants: Variant[];
  bare: Variant;
  rows: Row[];
  direct: Record<string, TurnTelemetryCost>;
  exports: Partial<Record<VariantName, ExportReport>>;
  counts: CollectorCounts | null;
  heapAtStart: number;
  heapAtEnd: number;
  loadAtStart: number[];
  totalS: number;
  problems: string[];
  exportChecks: string[];
  /** The bare client's answer every other answer was compared with (null: there was none). */
  reference: string | null;
  correct: boolean;
}

/** Prints the tables, the per-turn telemetry cost, export health, correctness and the JSON line. */
export function printReport(run: RunReport): void {
  const { options, code, variants, bare, rows, direct, exports, counts, heapAtStart, heapAtEnd, loadAtStart, totalS, problems, exportChecks, correct } = run;
  console.log('');
  console.log(
    'wall time per request, start to the whole answer (bare: end of stream; a turn: its done event) (ratio = sum / bare sum; 95% CI = bootstrap over whole rounds; ' +
      'round ratios = min-max of the per-round ratios; finished = start to the call\'s return, with the turn\'s end record and telemetry after done)',
  );
  console.log(
    table(
      ['variant', 'median ms', 'p95 ms', 'sum ms', 'ratio', 'ratio 95% CI', 'median ratio', 'round ratios', 'overhead us/chunk', 'finished ratio', 'finished 95% CI', `ratio <= ${TARGET_RATIO}`],
      rows.map((r) => [
        r.variant,
        f(r.medianMs, 2),
        f(r.p95Ms, 2),
        f(r.sumMs, 0),
        f(r.ratio, 3),
        r.variant === 'bare' ? '-' : `${f(r.ratioLow, 3)}-${f(r.ratioHigh, 3)}`,
        f(r.medianRatio, 3),
        r.variant === 'bare' ? '-' : `${f(r.roundRatioMin, 2)}-${f(r.roundRatioMax, 2)}`,
        r.variant === 'bare' ? '-' : signed(r.overheadUsPerChunk, 2),
        f(r.finishedRatio, 3),
        r.variant === 'bare' ? '-' : `${f(r.finishedRatioLow, 3)}-${f(r.finishedRatioHigh, 3)}`,
        r.verdict,
      ]),
    ),
  );
  console.log('');
  console.log("where it goes: CPU time of this process per request; ratios against 'agent' (agent-tel: the turn telemetry alone; off/on/dead/hang: all createCore adds, memory store included); heap after a full GC around a pass of --requests requests of each variant alone");
  console.log(
    table(
      ['variant', 'CPU ms/req', 'CPU ratio', 'CPU us/chunk', 'ratio vs agent', 'CPU ratio vs agent', 'heap before MB', 'heap after MB', 'kept KB/req'],
      rows.map((r) => [
        r.variant,
        f(r.cpuMsPerRequest, 2),
        f(r.cpuRatio, 3),
        r.variant === 'bare' ? '-' : signed(r.cpuOverheadUsPerChunk, 2),
        r.ratioVsAgent === null ? '-' : f(r.ratioVsAgent, 3),
        r.cpuRatioVsAgent === null ? '-' : f(r.cpuRatioVsAgent, 3),
        f(r.heapBeforeMb, 1),
        f(r.heapAfterMb, 1),
        f(r.keptKbPerRequest, 1),
      ]),
    ),
  );
  const bareMeanUs = mean(bare.wallMs) * 1000;
  console.log('');
  console.log('telemetry work per turn, timed directly (startTurn + firstChunk + streamEnded + succeeded, 2000 turns, no stream):');
  for (const [label, cost] of Object.entries(direct)) {
    console.log(
      `  export ${label.padEnd(4)} wall median ${f(cost.medianUs, 1)} us, mean ${f(cost.meanUs, 1)} us; CPU ${f(cost.cpuUs, 1)} us per turn` +
        ` = ${f((100 * cost.cpuUs) / bareMeanUs, 2)}% of a bare request's wall time, ${f(cost.cpuUs / options.tokens, 3)} us/chunk`,
    );
  }
  console.log('');
  for (const v of variants) console.log(`  ${v.name.padEnd(9)} ${describeVariant[v.name]}${v.collector ? ` (${v.collector})` : ''}`);
  console.log('');
  console.log('export health after a final flush:');
  for (const v of variants) {
    const e = exports[v.name];
    if (!e) continue;
    console.log(`  ${v.name.padEnd(5)} status=${e.status} dropped traces=${e.dropped.traces} metrics=${e.dropped.metrics} logs=${e.dropped.logs}${e.lastError ? ` lastError="${e.lastError}"` : ''}; warnings=${v.warnings.length}`);
  }
  if (counts) {
    console.log(`  receiver (on): ${counts.ok.spans} spans, ${counts.ok.logs} log records, ${counts.ok.metrics} metric points, requests ${JSON.stringify(counts.ok.requests)}, decode errors ${counts.ok.errors}`);
    console.log(`  receiver (hang): requests ${JSON.stringify(counts.hang.requests)} (none answered)`);
  }
  console.log(`heap used after GC: ${f(heapAtStart / 2 ** 20, 1)} MB at start, ${f(heapAtEnd / 2 ** 20, 1)} MB at end (all cores alive, with the conversations they keep)`);

  console.log('');
  if (correct) console.log(`correctness: OK (${variants.reduce((n, v) => n + v.turns, 0)} requests, every answer complete and identical to the bare client's; exports counted)`);
  else for (const p of [...problems, ...exportChecks, ...(run.reference === null ? ['bare: no reference answer'] : [])]) console.log(`correctness: FAIL ${p}`);
  const measured = rows.filter((r) => TARGETED.includes(r.variant));
  console.log(`load average (1/5/15 min): ${loadAtStart.map((l) => f(l, 2)).join(' ')} at start, ${loadavg().map((l) => f(l, 2)).join(' ')} at end (other work on the machine shows up as noise)`);
  console.log(
    `target ratio <= ${TARGET_RATIO}, to the answer: ${measured.map((r) => `${r.variant} ${r.verdict} (95% CI ${f(r.ratioLow, 3)}-${f(r.ratioHigh, 3)})`).join(', ')}; ` +
      `to the turn's end: ${measured.map((r) => `${r.variant} ${f(r.finishedRatio, 3)} (${f(r.finishedRatioLow, 3)}-${f(r.finishedRatioHigh, 3)})`).join(', ')}; total ${f(totalS, 1)} s`,
  );

  console.log(
    JSON.stringify({
      bench: 'telemetry-overhead',
      node: process.version,
      code,
      cpus: cpus().length,
      servers: run.serversWhere,
      requests: options.requests,
      tokens: options.tokens,
      rounds: options.rounds,
      warmup: options.warmup,
      seed: options.seed,
      targetRatio: TARGET_RATIO,
      rows,
      export: exports,
      receiver: counts,
      heapMb: { start: heapAtStart / 2 ** 20, end: heapAtEnd / 2 ** 20 },
      telemetryPerTurnUs: direct,
      loadavg: { start: loadAtStart, end: loadavg() },
      correct,
      problems: [...problems, ...exportChecks],
      seconds: totalS,
    }),
  );
}
