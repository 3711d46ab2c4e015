// `agent-bruno eval` in-process over a real LanceDB store and the fake Ollama (hash embeddings):
// the table and --json report, the quality gauges on the core's registry, and bad input.
import { tmpdir } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/run-cli';
import type { CliIo } from '../../core/cli/io';
import { ragMetricNames as N } from '../../core/common/metric-names';
import { createCore, type Core } from '../../core/runtime';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { tempDir } from '../support/core-harness';
import { parseExposition, sampleValue } from '../support/prom-text';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake?.close();
});

/** Runs one command in-process; the core is kept so its registry can be read afterwards. */
async function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string; core: Core | null }> {
  let stdout = '';
  let stderr = '';
  let core: Core | null = null;
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: { OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: dataDir, BRUNO_METRICS_ADDR: '', BRUNO_KB_ALLOWED_ROOTS: tmpdir() }, onInterrupt: () => () => {} };
  const code = await runCli(args, { io, createCore: (settings) => (core = createCore({ settings, logging: { file: false }, buildAnnIndex: false })) });
  return { code, stdout, stderr, core };
}

describe('agent-bruno eval', () => {
  const dataDir = tempDir('bruno-eval-cli-');
  const root = tempDir('bruno-eval-corpus-');
  mkdirSync(join(root, 'net'));
  writeFileSync(join(root, 'backups.md'), '# Backups\n\nrestic snapshots run nightly to the NAS; prune keeps seven daily snapshots.\n');
  writeFileSync(join(root, 'net', 'dns.md'), '# DNS\n\npihole answers queries for the lan; unbound resolves upstream recursively.\n');
  writeFileSync(join(root, 'gpu.md'), '# GPU\n\nollama uses the rtx card; nvidia-smi shows memory used by the model.\n');
  const queriesFile = join(root, '..', `${root.split('/').pop()}-queries.jsonl`);
  writeFileSync(queriesFile, ['{"query": "restic snapshots prune", "relevant": ["backups.md"]}', '{"query": "pihole unbound lan", "relevant": ["net/dns.md"]}', '{"query": "nvidia-smi memory", "relevant": ["gpu.md"]}'].join('\n') + '\n');

  it('refuses an empty knowledge base with a message to ingest first', async () => {
    const result = await cli(['eval', queriesFile], tempDir('bruno-eval-empty-'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^agent-bruno: The knowledge base is empty: ingest the corpus first/);
  });

  it('prints the table, sets the gauges, and answers one JSON object with --json', async () => {
    expect((await cli(['ingest', root], dataDir)).code).toBe(0);
    const table = await cli(['eval', queriesFile], dataDir);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^3 queries, 3 documents \/ \d+ chunks, nomic-embed-text@768, top 10\n/);
    expect(table.stdout).toMatch(/\nmode\s+MRR\s+Hit@1\s+Hit@3\s+Hit@5\s+Hit@10\s+NDCG@10\s+ms\/query\n/);
    for (const mode of ['vector', 'fts', 'hybrid \\(convex\\)']) expect(table.stdout).toMatch(new RegExp(`\\n${mode}\\s+1\\.000\\s+1\\.000`));

    const samples = parseExposition(await table.core!.telemetry.registry.metrics());
    for (const method of ['vector', 'fts', 'hybrid']) expect(sampleValue(samples, N.meanReciprocalRank, { retrieval_method: method, embedding_version: 'nomic-embed-text@768' })).toBe(1);
    for (const k of ['1', '3', '5', '10']) expect(sampleValue(samples, N.hitRateAtK, { k, embedding_version: 'nomic-embed-text@768' })).toBe(1);
    expect(sampleValue(samples, N.ndcg, { k: '10', embedding_version: 'nomic-embed-text@768' })).toBe(1);

    const json = await cli(['eval', queriesFile, '--json', '-k', '3'], dataDir);
    expect(json.code).toBe(0);
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!);
    expect(report).toMatchObject({ depth: 3, queries: 3, embeddingVersion: 'nomic-embed-text@768', unresolvedLabels: [] });
    expect(report.modes.map((m: { mode: string }) => m.mode)).toEqual(['vector', 'fts', 'hybrid']);
    expect(report.modes[2]).toMatchObject({ mrr: 1, hitRate: { 1: 1, 3: 1 }, ndcg: 1 });
  }, 60_000);

  it('names the line of a malformed query, a missing file, and bad usage', async () => {
    const bad = join(root, '..', 'bad-queries.jsonl');
    writeFileSync(bad, '{"query": "restic", "relevant": ["backups.md"]}\n{"query": "dns" "relevant": []}\n');
    const malformed = await cli(['eval', bad], dataDir);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/^agent-bruno: bad-queries\.jsonl line 2: not valid JSON/);
    const missing = await cli(['eval', join(root, 'nope.jsonl')], dataDir);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot read .*nope\.jsonl: no such file/) });
    expect((await cli(['eval'], dataDir)).code).toBe(2);
    expect((await cli(['eval', bad, '-k', '0'], dataDir)).code).toBe(2);
  });
});
