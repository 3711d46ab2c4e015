// Retrieval-quality math (MRR, Hit@k, NDCG) against hand-computed cases, the JSONL parser's
// errors, label resolution, the gauges an evaluation sets, and the embedding drift tracker.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KbSource, KbStats, SearchHit, SearchMode, SearchResult } from '../../core/common/knowledge';
import { ragMetricNames as N } from '../../core/common/metric-names';
import {
  computeBaseline,
  createDriftTracker,
  dcgAtK,
  evalGauges,
  hitAtK,
  loadBaseline,
  meanScores,
  ndcgAtK,
  parseEvalQueries,
  reciprocalRank,
  recordEvalReport,
  resolveLabel,
  runEval,
  saveBaseline,
  scoreQuery,
} from '../../core/eval';
import { evalTable } from '../../core/cli/eval-command';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import { parseExposition, sampleValue } from '../support/prom-text';
import { tempDir } from '../support/core-harness';

const rel = (...docs: string[]) => new Set(docs);

describe('metric functions', () => {
  it('MRR: 1 / rank of the first relevant result, 0 when none', () => {
    expect(reciprocalRank(['a', 'b', 'c'], rel('a'))).toBe(1);
    expect(reciprocalRank(['x', 'y', 'b', 'a'], rel('a', 'b'))).toBeCloseTo(1 / 3);
    expect(reciprocalRank(['x', 'y'], rel('a'))).toBe(0);
    expect(reciprocalRank([], rel('a'))).toBe(0);
    // Three queries with first hits at 1, 2 and none: (1 + 0.5 + 0) / 3.
    const scores = [scoreQuery(['a'], rel('a'), 10), scoreQuery(['x', 'a'], rel('a'), 10), scoreQuery(['x'], rel('a'), 10)];
    expect(meanScores(scores, 10).mrr).toBeCloseTo(0.5);
  });

  it('Hit@k: a relevant result within the first k', () => {
    const ranked = ['x', 'y', 'z', 'a', 'w'];
    expect([1, 3, 4, 5, 10].map((k) => hitAtK(ranked, rel('a'), k))).toEqual([0, 0, 1, 1, 1]);
    const mean = meanScores([scoreQuery(ranked, rel('a'), 5), scoreQuery(['a'], rel('a'), 5)], 5);
    expect(mean.hitRate).toEqual({ 1: 0.5, 3: 0.5, 5: 1 });
  });

  it('NDCG@k with binary gains, each relevant document counted once', () => {
    // DCG of [1, 0, 1] = 1/log2(2) + 1/log2(4) = 1.5; ideal (2 relevant) = 1 + 1/log2(3) = 1.6309.
    expect(dcgAtK([1, 0, 1], 10)).toBeCloseTo(1.5);
    expect(ndcgAtK(['a', 'x', 'b'], rel('a', 'b'), 10)).toBeCloseTo(1.5 / (1 + 1 / Math.log2(3)), 6);
    // Only one relevant document, found at rank 2: (1/log2(3)) / 1.
    expect(ndcgAtK(['x', 'a'], rel('a'), 10)).toBeCloseTo(0.63093, 5);
    // A repeated chunk of the same document gains nothing more: still <= 1.
    expect(ndcgAtK(['a', 'a', 'a'], rel('a'), 10)).toBe(1);
    expect(ndcgAtK(['x', 'a', 'a'], rel('a', 'b'), 10)).toBeCloseTo(0.63093 / (1 + 0.63093), 4);
    // Beyond k nothing counts; the ideal is cut at k too.
    expect(ndcgAtK(['x', 'y', 'a'], rel('a'), 2)).toBe(0);
    expect(ndcgAtK(['a', 'b'], rel('a', 'b', 'c'), 2)).toBe(1);
    expect(ndcgAtK(['a'], rel(), 10)).toBe(0);
  });
});

describe('parseEvalQueries', () => {
  it('reads one query per line, skipping blank lines and extra keys', () => {
    const text = '{"query":"rotate logs","relevant":["help.md"]}\n\n{"query":"proxy","relevant":["a.md","b.md","a.md"],"note":"x"}\n';
    expect(parseEvalQueries(text)).toEqual([
      { query: 'rotate logs', relevant: ['help.md'], line: 1 },
      { query: 'proxy', relevant: ['a.md', 'b.md'], line: 3 },
    ]);
  });

  it.each([
    ['{"query":"a","relevant":["x"]}\n{"query": "b", "relevant": [', /^q\.jsonl line 2: not valid JSON/],
    ['{"query":"a","relevant":["x"]}\n\n[1, 2]', /^q\.jsonl line 3: expected an object/],
    ['{"relevant":["x"]}', /^q\.jsonl line 1: "query" must be a string/],
    ['{"query":"  ","relevant":["x"]}', /^q\.jsonl line 1: "query" must not be empty/],
    ['{"query":"a","relevant":[]}', /^q\.jsonl line 1: "relevant" must name at least one path/],
    ['{"query":"a","relevant":"x.md"}', /^q\.jsonl line 1: "relevant" must be a list of paths/],
    ['{"query":"a","relevant":[3]}', /^q\.jsonl line 1: "relevant" must list paths as strings/],
    ['\n\n', /^q\.jsonl holds no queries/],
  ])('rejects %j naming the line', (text, message) => {
    expect(() => parseEvalQueries(text, 'q.jsonl')).toThrow(message);
    try {
      parseEvalQueries(text, 'q.jsonl');
    } catch (err) {
      expect((err as { code: string }).code).toBe('invalid_request');
    }
  });
});

describe('resolveLabel', () => {
  it('resolves relative, root-suffixed and absolute labels to real paths', () => {
    const base = tempDir('bruno-labels-');
    const root = join(base, 'node_modules', 'pino', 'docs');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'api.md'), '# API');
    writeFileSync(join(root, 'sub', 'x.md'), '# X');
    expect(resolveLabel('api.md', [root])).toBe(join(root, 'api.md'));
    expect(resolveLabel('sub/x.md', [root])).toBe(join(root, 'sub', 'x.md'));
    expect(resolveLabel('pino/docs/api.md', [root])).toBe(join(root, 'api.md'));
    expect(resolveLabel('docs/sub/x.md', [root])).toBe(join(root, 'sub', 'x.md'));
    expect(resolveLabel(join(root, 'api.md'), [])).toBe(join(root, 'api.md'));
    expect(resolveLabel('other/docs/api.md', [root])).toBeNull();
    expect(resolveLabel('missing.md', [root])).toBeNull();
    expect(resolveLabel('../docs/api.md', [root])).toBeNull();
  });
});

/** A knowledge base stub answering fixed rankings per mode. */
function stubKnowledge(root: string, rankings: Record<string, Partial<Record<SearchMode, string[]>>>, stats: Partial<KbStats> = {}) {
  const hit = (path: string, i: number): SearchHit => ({ id: `${path}#${i}`, path: join(root, path), heading: '', position: 0, snippet: '', text: '', score: 1, scores: {} });
  return {
    async stats(): Promise<KbStats> {
      return { documents: 3, chunks: 12, bytes: 100, embeddingVersion: 'nomic-embed-text@768', annIndex: { state: 'none' }, ...stats };
    },
    async sources(): Promise<KbSource[]> {
      return [{ id: 's', root, addedAt: '', lastIngestAt: null, files: 3, chunks: 12, bytes: 100, skipped: 0, embeddingVersion: 'nomic-embed-text@768' }];
    },
    async search(query: string, options: { mode?: SearchMode; k?: number } = {}): Promise<SearchResult> {
      const mode = options.mode ?? 'hybrid';
      const paths = (rankings[query]?.[mode] ?? []).slice(0, options.k ?? 8);
      return { query, mode, k: options.k ?? 8, hits: paths.map(hit), timings: { embedMs: 0, vectorMs: 0, ftsMs: 0, fuseMs: 0, totalMs: 2 }, annIndex: false, embeddingVersion: 'nomic-embed-text@768' };
    },
  };
}

describe('runEval and the gauges', () => {
  const root = tempDir('bruno-eval-');
  for (const f of ['a.md', 'b.md', 'c.md']) writeFileSync(join(root, f), f);
  const queries = parseEvalQueries(['{"query":"q1","relevant":["a.md"]}', '{"query":"q2","relevant":["b.md","c.md"]}', '{"query":"q3","relevant":["gone.md"]}'].join('\n'));
  const knowledge = stubKnowledge(root, {
    q1: { vector: ['b.md', 'a.md'], fts: ['a.md'], hybrid: ['a.md', 'b.md'] },
    q2: { vector: ['c.md', 'b.md'], fts: ['a.md', 'a.md', 'b.md'], hybrid: ['b.md', 'a.md', 'c.md'] },
    q3: { vector: ['a.md'], fts: [], hybrid: ['a.md'] },
  });

  it('scores every mode, reports unresolved labels, and sets the seed gauges', async () => {
    const report = await runEval(knowledge, queries, { depth: 5 });
    expect(report).toMatchObject({ embeddingVersion: 'nomic-embed-text@768', depth: 5, queries: 3, chunks: 12, documents: 3, unresolvedLabels: [{ line: 3, label: 'gone.md' }] });
    const byMode = Object.fromEntries(report.modes.map((m) => [m.mode, m]));
    expect(report.modes.map((m) => m.mode)).toEqual(['vector', 'fts', 'hybrid']);
    expect(byMode.vector!.mrr).toBeCloseTo((0.5 + 1 + 0) / 3);
    expect(byMode.fts!.mrr).toBeCloseTo((1 + 1 / 3 + 0) / 3);
    expect(byMode.hybrid!.mrr).toBeCloseTo((1 + 1 + 0) / 3);
    expect(byMode.hybrid!.hitRate).toEqual({ 1: 2 / 3, 3: 2 / 3, 5: 2 / 3 });
    // q2 hybrid: gains [1, 0, 1] over an ideal of two relevant documents.
    expect(byMode.hybrid!.ndcg).toBeCloseTo((1 + 1.5 / (1 + 1 / Math.log2(3))) / 3, 6);
    expect(report.perQuery[1]).toMatchObject({ line: 2, ranks: { vector: 1, fts: 3, hybrid: 1 } });
    expect(byMode.fts!.meanLatencyMs).toBe(2);

    const registry = createMetricsRegistry();
    recordEvalReport(evalGauges(registry), report);
    const samples = parseExposition(await registry.metrics());
    for (const m of report.modes) expect(sampleValue(samples, N.meanReciprocalRank, { retrieval_method: m.mode, embedding_version: 'nomic-embed-text@768' })).toBeCloseTo(m.mrr);
    expect(sampleValue(samples, N.hitRateAtK, { k: '5', embedding_version: 'nomic-embed-text@768' })).toBeCloseTo(2 / 3);
    expect(sampleValue(samples, N.hitRateAtK, { k: '1' })).toBeCloseTo(2 / 3);
    expect(sampleValue(samples, N.ndcg, { k: '5' })).toBeCloseTo(byMode.hybrid!.ndcg);
    // A second call reuses the registered gauges instead of throwing on a duplicate name.
    expect(() => recordEvalReport(evalGauges(registry), report)).not.toThrow();

    const table = evalTable(report).split('\n');
    expect(table[0]).toMatch(/^mode\s+MRR\s+Hit@1\s+Hit@3\s+Hit@5\s+NDCG@5\s+ms\/query$/);
    expect(table[3]).toMatch(/^hybrid\s+0\.667\s+0\.667/);
  });

  it('refuses an empty store with a message to ingest first', async () => {
    await expect(runEval(stubKnowledge(root, {}, { chunks: 0, documents: 0, embeddingVersion: null }), queries)).rejects.toThrow(/knowledge base is empty: ingest the corpus first/);
    await expect(runEval(stubKnowledge(root, {}, { embeddingVersion: null }), queries)).rejects.toThrow(/another embedding model/);
    await expect(runEval(knowledge, queries, { depth: 0 })).rejects.toThrow(/from 1 to 100/);
  });
});

describe('embedding drift', () => {
  it('baseline: centroid and value mean / std', () => {
    const b = computeBaseline([[1, 0], [0, 1]], 'm')!;
    expect(b).toMatchObject({ model: 'm', embeddingVersion: 'm@2', dim: 2, count: 2, centroid: [0.5, 0.5], mean: 0.5, std: 0.5 });
    expect(computeBaseline([], 'm')).toBeNull();
  });

  it('saves and loads a baseline per embedding version', () => {
    const dir = tempDir('bruno-baseline-');
    const b = computeBaseline([[1, 0]], 'nomic-embed-text')!;
    saveBaseline(dir, b);
    expect(loadBaseline(dir, 'nomic-embed-text@2')).toEqual(b);
    expect(loadBaseline(dir, 'nomic-embed-text@768')).toBeNull();
  });

  it('the drift score is the cosine of the recent query centroid to the baseline centroid', async () => {
    const registry = createMetricsRegistry();
    const baseline = computeBaseline([[1, 0, 0], [0.8, 0.6, 0]], 'm')!;
    const asked: string[] = [];
    const drift = createDriftTracker({ registry, model: 'm', window: 2, baseline: (v) => (asked.push(v), baseline) });
    drift.observe([1, 0, 0]);
    drift.observe([0.8, 0.6, 0]);
    expect(drift.snapshot().driftScore).toBeCloseTo(1);
    // The window keeps the last two: [0.8, 0.6, 0] and [0, 0, 1].
    drift.observe([0, 0, 1]);
    const snap = drift.snapshot();
    const expected = (0.4 * 0.9 + 0.3 * 0.3) / (Math.hypot(0.4, 0.3, 0.5) * Math.hypot(0.9, 0.3));
    expect(snap).toMatchObject({ queries: 2 });
    expect(snap.driftScore).toBeCloseTo(expected, 6);
    expect(asked).toEqual(['m@3']);
    const samples = parseExposition(await registry.metrics());
    expect(sampleValue(samples, N.embeddingDrift, { embedding_model: 'm', embedding_version: 'm@3' })).toBeCloseTo(expected, 6);
    // Values 0.8, 0.6, 0, 0, 0, 1: mean 0.4; std sqrt(mean of squares 0.3333 - 0.16).
    expect(sampleValue(samples, N.embeddingMean, { embedding_model: 'm' })).toBeCloseTo(0.4);
    expect(sampleValue(samples, N.embeddingStd, { embedding_model: 'm' })).toBeCloseTo(Math.sqrt(2 / 6 - 0.16));
  });

  it('without a baseline it still reports mean and std, and never throws', async () => {
    const registry = createMetricsRegistry();
    const drift = createDriftTracker({ registry, model: 'm', baseline: () => null });
    drift.observe([0.6, 0.8]);
    drift.observe([]);
    expect(drift.snapshot()).toEqual({ queries: 1, driftScore: null, mean: 0.7, std: expect.closeTo(0.1, 6) });
    const errors: unknown[] = [];
    const broken = createDriftTracker({ registry, model: 'm', baseline: () => { throw new Error('disk'); }, report: (e) => errors.push(e) });
    expect(() => broken.observe([1, 0])).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
