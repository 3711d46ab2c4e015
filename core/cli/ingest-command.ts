import { resolve } from 'node:path';
import type { IngestProgress, IngestSummary, KbProgressEvent, SkipReason } from '../common/knowledge';
import type { Core } from '../runtime';
import { exitCodes, oneLine, type CliIo } from './io';
import { cliInput } from './method-input';

export interface IngestCommandOptions {
  paths: string[];
  /** Re-ingest every source instead of paths. */
  all: boolean;
  json: boolean;
}

const reasonText: Record<SkipReason, string> = {
  binary: 'binary',
  too_large: 'too large',
  unreadable: 'unreadable',
  symlink_loop: 'symlink loop',
  outside_roots: 'outside the folder',
  unsupported_type: 'not a supported type',
  empty: 'empty',
  special_file: 'not a regular file',
  excluded: "the app's data folder",
};

function clock(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function progressLine(p: IngestProgress, width: number): string {
  if (p.phase === 'scanning') return 'scanning...';
  if (p.phase === 'finishing') return `finishing (indexing) - ${p.chunksDone} chunks`;
  const ratio = p.filesTotal ? p.filesDone / p.filesTotal : 0;
  const bar = `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '-')}]`;
  return `${bar} ${p.filesDone}/${p.filesTotal} files  ${p.chunksDone} chunks  ${p.rate.toFixed(1)} chunks/s  ETA ${clock(p.etaSeconds)}`;
}

type JobEnd = Extract<KbProgressEvent, { type: 'done' | 'error' }>;

/**
 * Starts a job through its method (kb.ingest or kb.reingest, as the UI does) and follows it on
 * the `kb.progress` events until it ends. Events are listened to before the job starts (it may
 * report before its id is known here) and kept until then.
 */
async function runJob(core: Core, start: () => Promise<{ jobId: string }>, onProgress: (p: IngestProgress) => void): Promise<{ jobId: string; end: Promise<JobEnd> }> {
  let jobId: string | null = null;
  const early: KbProgressEvent[] = [];
  let settle: (end: JobEnd) => void = () => {};
  const end = new Promise<JobEnd>((resolve) => (settle = resolve));
  const handle = (event: KbProgressEvent) => {
    if (event.jobId !== jobId) return;
    if (event.type === 'progress') onProgress(event);
    else if (event.type === 'done' || event.type === 'error') {
      off();
      settle(event);
    }
  };
  const off = core.events.on('kb.progress', (event) => (jobId === null ? early.push(event) : handle(event)));
  try {
    jobId = (await start()).jobId;
  } catch (err) {
    off();
    throw err;
  }
  for (const event of early.splice(0)) handle(event);
  return { jobId, end };
}

/**
 * `agent-bruno ingest <path...>`: the kb.ingest method (kb.reingest with --all), with a progress
 * bar on a terminal (stderr, redrawn in place), plain progress lines otherwise, then a summary
 * (or one JSON object with --json). Ctrl-C stops the job (kb.cancel); what it wrote stays.
 */
export async function ingestCommand(core: Core, io: CliIo, options: IngestCommandOptions): Promise<number> {
  let start: () => Promise<{ jobId: string }>;
  if (options.all) {
    const parsed = cliInput(io, 'kb.reingest', {});
    if (!parsed.ok) return parsed.code;
    start = () => core.handlers['kb.reingest'](parsed.input);
  } else {
    const parsed = cliInput(io, 'kb.ingest', { paths: options.paths.map((p) => resolve(p)) });
    if (!parsed.ok) return parsed.code;
    start = () => core.handlers['kb.ingest'](parsed.input);
  }
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const columns = (io.stderr as { columns?: number }).columns ?? 100;
  const controller = new AbortController();
  let lastPlain = 0;
  let lastPhase = '';
  let drawn = false;
  const onProgress = (p: IngestProgress) => {
    if (tty) {
      const line = progressLine(p, 24).slice(0, Math.max(20, columns - 1));
      io.stderr.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else if (p.phase !== lastPhase || performance.now() - lastPlain > 500 || p.filesDone === p.filesTotal) {
      lastPlain = performance.now();
      lastPhase = p.phase;
      io.stderr.write(`${p.phase === 'ingesting' ? `files ${p.filesDone}/${p.filesTotal}, chunks ${p.chunksDone}, ${p.rate.toFixed(1)} chunks/s, ETA ${clock(p.etaSeconds)}` : progressLine(p, 0)}\n`);
    }
  };
  const clear = () => {
    if (drawn) io.stderr.write('\r\x1b[2K');
    drawn = false;
  };
  const job = await runJob(core, start, onProgress);
  const removeInterrupt = io.onInterrupt(() => {
    controller.abort();
    void core.handlers['kb.cancel']({ jobId: job.jobId });
  });
  const end = await job.end;
  if (end.type === 'error') {
    clear();
    removeInterrupt();
    io.stderr.write(`agent-bruno: ${oneLine(end.error.message)}\n`);
    return controller.signal.aborted || end.error.code === 'cancelled' ? exitCodes.interrupted : exitCodes.failed;
  }
  const summary: IngestSummary = end.summary;
  clear();
  // The ANN index is built once the table is large; a one-shot process waits for it (Ctrl-C skips it).
  const building = (await core.knowledge.stats().catch(() => null))?.annIndex;
  if (building?.state === 'building') {
    if (!options.json) io.stderr.write(`building the ANN vector index (${building.rows} chunks; Ctrl-C to leave it for later)...\n`);
    await Promise.race([core.knowledge.idle(), new Promise((r) => controller.signal.addEventListener('abort', r))]);
  }
  removeInterrupt();
  const ann = (await core.knowledge.stats().catch(() => null))?.annIndex;
  if (options.json) {
    io.stdout.write(JSON.stringify({ ...summary, annIndex: ann ?? null }) + '\n');
    return exitCodes.ok;
  }
  const out = (line: string) => io.stdout.write(line + '\n');
  out(`ingested ${summary.filesIngested} file(s) (${summary.chunksAdded} chunks), ${summary.filesUnchanged} unchanged, ${summary.filesRemoved} removed, ${summary.skippedTotal} skipped in ${summary.seconds.toFixed(1)} s`);
  out(`embeddings: ${summary.embeddedTexts} computed, ${summary.cacheHits} from cache (${summary.embeddingVersion ?? 'no model'})`);
  if (ann?.state === 'ready' && ann.buildSeconds !== undefined) out(`ANN index (${ann.type}) built in ${ann.buildSeconds.toFixed(1)} s over ${ann.rows} chunks`);
  // The summary holds the first skips only (skipSampleSize) and the counts of all, per reason.
  const shown = summary.skipped.filter((s) => s.reason !== 'unsupported_type');
  for (const s of shown) out(`  skipped ${s.path}: ${reasonText[s.reason]}${s.detail ? ` (${s.detail})` : ''}`);
  if (summary.skippedTotal > summary.skipped.length || summary.skippedByReason.unsupported_type) {
    const counts = Object.entries(summary.skippedByReason).map(([reason, n]) => `${n} ${reasonText[reason as SkipReason] ?? reason}`);
    out(`  skipped by reason: ${counts.join(', ')}${summary.skippedTotal > summary.skipped.length ? ` (the first ${summary.skipped.length} listed above or in --json)` : ''}`);
  }
  return exitCodes.ok;
}
