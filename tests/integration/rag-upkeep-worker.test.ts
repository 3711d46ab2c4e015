// The knowledge base's upkeep worker (issue 18): optimizes and index builds run in a child process
// the serving process then reads the results of; a worker that dies mid-job hands the job back
// (nothing lost); close() with a worker running ends it at once.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { createKnowledgeBase, type KnowledgeBase, type SpawnUpkeepWorker } from '../../core/rag';
import type { Embed } from '../../core/llm';
import type { Logger } from '../../core/telemetry/logging';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import { tempDir } from '../support/core-harness';
import { sourceUpkeepWorker } from '../support/upkeep-worker';

const model = 'nomic-embed-text';
const dim = 16;
const vectorOf = (text: string) => {
  const v = new Array<number>(dim).fill(0);
  for (let i = 0; i < text.length; i++) v[(text.charCodeAt(i) * (i + 1)) % dim]! += 1;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
};
const embed: Embed = async ({ input }) => ({ model, embeddings: (Array.isArray(input) ? input : [input]).map(vectorOf) }) as never;

interface Line {
  level: 'info' | 'warn';
  msg: string;
  fields: Record<string, unknown>;
}

function recordingLogger(lines: Line[]): Logger {
  const logger = {
    debug() {},
    info: (msg: string, fields: Record<string, unknown> = {}) => lines.push({ level: 'info', msg, fields }),
    warn: (msg: string, fields: Record<string, unknown> = {}) => lines.push({ level: 'warn', msg, fields }),
    error() {},
    isLevelEnabled: () => false,
    child: () => logger,
  };
  return logger as unknown as Logger;
}

/** `files` Markdown files of 3 sections each, a unique word in each section. */
function corpus(files: number): string {
  const root = tempDir('bruno-upkeep-');
  for (let f = 0; f < files; f++) writeFileSync(join(root, `doc-${String(f).padStart(3, '0')}.md`), [0, 1, 2].map((s) => `## Part ${s}\n\nunique${f}x${s} ${`filler${(f * 3 + s) % 17} `.repeat(20)}`).join('\n\n') + '\n');
  return root;
}

const kbs: KnowledgeBase[] = [];
afterAll(async () => {
  await Promise.all(kbs.map((k) => k.close()));
});

function kbWith(spawn: SpawnUpkeepWorker, lines: Line[], annIndexMinRows: number): KnowledgeBase {
  const kb = createKnowledgeBase({
    settings: { storeUri: join(tempDir(), 'store'), embedModel: model, maxFileBytes: 1_000_000, chunkChars: 400, chunkOverlapChars: 0, embedBatchSize: 16, writeBatchChunks: 64, annIndexMinRows, fusion: 'convex', allowedRoots: [tmpdir()] },
    embed,
    tracer: trace.getTracer('test'),
    registry: createMetricsRegistry(),
    logger: recordingLogger(lines),
    report: () => {},
    buildAnnIndex: true,
    spawnUpkeepWorker: spawn,
  });
  kbs.push(kb);
  return kb;
}

describe('upkeep worker', () => {
  it('optimizes and builds the ANN index in another process; the serving process searches with them', async () => {
    const lines: Line[] = [];
    const kb = kbWith(sourceUpkeepWorker(), lines, 300);
    const summary = await kb.ingest([corpus(120)]);
    expect(summary.chunksAdded).toBe(360);
    await kb.idle();

    const started = lines.filter((l) => l.msg === 'upkeep worker started');
    expect(started.length).toBe(1);
    expect(started[0]!.fields.pid).not.toBe(process.pid);
    expect(lines.some((l) => l.msg === 'store optimized' && l.fields.in === 'upkeep worker')).toBe(true);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
    // The index the worker committed is the one this process's searches use.
    expect((await kb.stats()).annIndex.state).toBe('ready');
    const result = await kb.search('unique77x1', { mode: 'hybrid', k: 3 });
    expect(result.annIndex).toBe(true);
    expect(result.hits[0]?.path).toMatch(/doc-077\.md$/);
  });

  it('runs the job here when the worker dies mid-optimize; every chunk stays searchable', async () => {
    const lines: Line[] = [];
    const kb = kbWith(sourceUpkeepWorker(fileURLToPath(new URL('../support/crashing-upkeep-worker.ts', import.meta.url))), lines, 10_000_000);
    const summary = await kb.ingest([corpus(40)]);
    expect(summary.filesIngested).toBe(40);
    await kb.idle();

    const fallbacks = lines.filter((l) => l.msg.startsWith('upkeep worker unavailable'));
    expect(fallbacks.length).toBeGreaterThan(0);
    expect(fallbacks[0]!.fields.op).toBe('optimize');
    expect(lines.some((l) => l.msg === 'store optimized')).toBe(true);
    expect(lines.some((l) => l.msg.startsWith('store optimize failed'))).toBe(false);
    expect((await kb.stats()).chunks).toBe(120);
    for (const f of [0, 13, 39]) {
      const result = await kb.search(`unique${f}x2`, { mode: 'fts', k: 1 });
      expect(result.hits[0]?.path).toMatch(new RegExp(`doc-${String(f).padStart(3, '0')}\\.md$`));
    }
  });

  it('falls back when the worker cannot start', async () => {
    const lines: Line[] = [];
    const kb = kbWith(() => {
      throw new Error('spawn EACCES');
    }, lines, 10_000_000);
    await kb.ingest([corpus(10)]);
    await kb.idle();
    expect(lines.some((l) => l.msg.startsWith('upkeep worker unavailable') && l.fields.error === 'spawn EACCES')).toBe(true);
    expect((await kb.search('unique4x0', { mode: 'fts', k: 1 })).hits[0]?.path).toMatch(/doc-004\.md$/);
  });

  it('close() ends a worker in the middle of a job', async () => {
    const lines: Line[] = [];
    // A worker whose optimize never ends: the job ends without it, and close() does not wait for it.
    const hung = sourceUpkeepWorker(fileURLToPath(new URL('../support/hung-upkeep-worker.ts', import.meta.url)));
    let pid = 0;
    const kb = kbWith(() => {
      const child = hung();
      pid = child.pid ?? 0;
      return child;
    }, lines, 10_000_000);
    await kb.ingest([corpus(10)]);
    expect(pid).toBeGreaterThan(0);
    // The optimize after the job reached the worker (and hangs there).
    await expect.poll(() => lines.some((l) => l.msg === 'upkeep worker started')).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    await kb.close();
    // The worker is gone (signal 0 only checks the process exists).
    await new Promise((r) => setTimeout(r, 200));
    expect(() => process.kill(pid, 0)).toThrow();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
