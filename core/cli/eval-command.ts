import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { KbEvalReport } from '../common/knowledge';
import { parseEvalQueries } from '../eval';
import type { Core } from '../runtime';
import { exitCodes, oneLine, type CliIo } from './io';
import { cliInput, cliOption } from './method-input';

export interface EvalCommandOptions {
  file: string;
  /** Results per query the metrics are computed within. */
  depth: number;
  json: boolean;
}

const f3 = (n: number) => n.toFixed(3);

/** The report as a fixed-width table: one row per mode. */
export function evalTable(report: KbEvalReport): string {
  const cutoffs = Object.keys(report.modes[0]?.hitRate ?? {}).map(Number);
  const head = ['mode', 'MRR', ...cutoffs.map((k) => `Hit@${k}`), `NDCG@${report.depth}`, 'ms/query'];
  const rows = report.modes.map((m) => [m.mode === 'hybrid' && report.fusion ? `hybrid (${report.fusion})` : m.mode, f3(m.mrr), ...cutoffs.map((k) => f3(m.hitRate[k] ?? 0)), f3(m.ndcg), m.meanLatencyMs.toFixed(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/**
 * `agent-bruno eval <file.jsonl> [-k N] [--json]`: the `kb.eval` method on the file's labelled
 * queries; prints MRR, Hit@k and NDCG (a table, or one JSON object); the method sets the gauges.
 */
export async function evalCommand(core: Core, io: CliIo, options: EvalCommandOptions): Promise<number> {
  if (!cliOption(io, 'kb.eval', 'k', options.depth, '-k')) return exitCodes.usage;
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr.write(`agent-bruno: cannot read ${options.file}: ${code === 'ENOENT' ? 'no such file' : oneLine((err as Error).message)}\n`);
    return exitCodes.failed;
  }
  const queries = parseEvalQueries(text, basename(options.file));
  const parsed = cliInput(io, 'kb.eval', { queries, k: options.depth, set: basename(options.file) });
  if (!parsed.ok) return parsed.code;
  const controller = new AbortController();
  const removeInterrupt = io.onInterrupt(() => controller.abort());
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let report: KbEvalReport;
  try {
    report = await core.handlers['kb.eval'](parsed.input, {
      signal: controller.signal,
      ...(tty ? { progress: (done: number, total: number) => io.stderr.write(`\r\x1b[2Kevaluating ${done}/${total} queries`) } : {}),
    });
  } catch (err) {
    if (controller.signal.aborted) {
      io.stderr.write('\nagent-bruno: evaluation interrupted\n');
      return exitCodes.interrupted;
    }
    throw err;
  } finally {
    if (tty) io.stderr.write('\r\x1b[2K');
    removeInterrupt();
  }
  for (const u of report.unresolvedLabels) io.stderr.write(`agent-bruno: ${basename(options.file)} line ${u.line}: '${u.label}' is no file under the ingested folders (counted as never found)\n`);
  if (options.json) {
    io.stdout.write(JSON.stringify(report) + '\n');
    return exitCodes.ok;
  }
  io.stdout.write(`${report.queries} queries, ${report.documents} documents / ${report.chunks} chunks, ${report.embeddingVersion}, top ${report.depth}\n\n`);
  io.stdout.write(evalTable(report) + '\n');
  const missed = report.perQuery.filter((q) => q.ranks.hybrid === null);
  if (missed.length) {
    io.stdout.write(`\nnot found by hybrid in the top ${report.depth}:\n`);
    for (const q of missed.slice(0, 20)) io.stdout.write(`  line ${q.line}: ${q.query}\n`);
  }
  return exitCodes.ok;
}
