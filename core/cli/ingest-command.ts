import type { IngestProgress, IngestSummary, SkipReason } from '../common/knowledge';
import type { Core } from '../runtime';
import { exitCodes, oneLine, type CliIo } from './io';

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

/**
 * `agent-bruno ingest <path...>`: a progress bar on a terminal (stderr, redrawn in place), plain
 * progress lines otherwise, then a summary (or one JSON object with --json).
 */
export async function ingestCommand(core: Core, io: CliIo, options: IngestCommandOptions): Promise<number> {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const columns = (io.stderr as { columns?: number }).columns ?? 100;
  const controller = new AbortController();
  const removeInterrupt = io.onInterrupt(() => controller.abort());
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
  let summary: IngestSummary;
  try {
    const run = { onProgress, signal: controller.signal };
    summary = options.all ? await core.knowledge.reingest(undefined, run) : await core.knowledge.ingest(options.paths, run);
  } catch (err) {
    clear();
    removeInterrupt();
    io.stderr.write(`agent-bruno: ${oneLine((err as Error).message)}\n`);
    return controller.signal.aborted ? exitCodes.interrupted : exitCodes.failed;
  }
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
  out(`ingested ${summary.filesIngested} file(s) (${summary.chunksAdded} chunks), ${summary.filesUnchanged} unchanged, ${summary.filesRemoved} removed, ${summary.skipped.length} skipped in ${summary.seconds.toFixed(1)} s`);
  out(`embeddings: ${summary.embeddedTexts} computed, ${summary.cacheHits} from cache (${summary.embeddingVersion ?? 'no model'})`);
  if (ann?.state === 'ready' && ann.buildSeconds !== undefined) out(`ANN index (${ann.type}) built in ${ann.buildSeconds.toFixed(1)} s over ${ann.rows} chunks`);
  const shown = summary.skipped.filter((s) => s.reason !== 'unsupported_type');
  for (const s of shown.slice(0, 50)) out(`  skipped ${s.path}: ${reasonText[s.reason]}${s.detail ? ` (${s.detail})` : ''}`);
  if (shown.length > 50) out(`  ... and ${shown.length - 50} more skipped`);
  const unsupported = summary.skipped.length - shown.length;
  if (unsupported > 0) out(`  ${unsupported} file(s) of unsupported types left out`);
  return exitCodes.ok;
}
