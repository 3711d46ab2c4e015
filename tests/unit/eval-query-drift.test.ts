import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../core/telemetry/prom-metrics';
import { ragMetricNames as R } from '../../core/common/metric-names';
import type { EmbeddingBaseline } from '../../core/eval/drift';
import { createQueryDriftTracker } from '../../core/eval/query-drift';
import { createQueryDriftStore } from '../../core/eval/query-drift-store';
import { tempDir } from '../support/core-harness';
import { parseExposition, sampleValue } from '../support/prom-text';
import { seededRandom } from '../support/seeded-random';

const DIM = 8;
const baseline: EmbeddingBaseline = { model: 'm', embeddingVersion: `m@${DIM}`, dim: DIM, count: 10, centroid: [1, 0, 0, 0, 0, 0, 0, 0], mean: 0, std: 1, createdAt: 'x' };

/** A unit vector at cosine `c` to the centroid (the rest of it points anywhere else). */
function atSimilarity(c: number, rand: () => number): number[] {
  const rest = Array.from({ length: DIM - 1 }, () => rand() - 0.5);
  const norm = Math.hypot(...rest) || 1;
  const s = Math.sqrt(Math.max(0, 1 - c * c));
  return [c, ...rest.map((x) => (x / norm) * s)];
}

function setup(dataDir = tempDir(), clock = { t: Date.parse('2026-12-01T00:00:00Z') }) {
  const registry = createMetricsRegistry();
  const reports: unknown[] = [];
  const store = createQueryDriftStore(dataDir);
  const tracker = createQueryDriftTracker({ registry, model: 'm', baseline: (v) => (v === baseline.embeddingVersion ? baseline : null), store, referenceSize: 40, minRecent: 20, now: () => clock.t, report: (e) => reports.push(e) });
  const pValue = async (window: string) => sampleValue(parseExposition(await registry.metrics()), R.queryDriftPValue, { time_window: window });
  return { tracker, registry, reports, clock, dataDir, pValue, store };
}

const rand = seededRandom(11);
const around = (mean: number) => Math.min(1, Math.max(-1, mean + (rand() - 0.5) * 0.1));

describe('query distribution drift', () => {
  it('the first queries are the reference; a window has a p-value from 20 recent queries on; same distribution: p is large', async () => {
    const { tracker, pValue, reports } = setup();
    for (let i = 0; i < 40; i++) tracker.observe(atSimilarity(around(0.7), rand));
    expect(tracker.update()).toMatchObject({ reference: 40, windows: { '1d': { queries: 0, pValue: null } } });
    for (let i = 0; i < 19; i++) tracker.observe(atSimilarity(around(0.7), rand));
    expect(await pValue('7d')).toBeUndefined();
    tracker.observe(atSimilarity(around(0.7), rand));
    for (const w of ['1d', '7d', '30d']) expect(await pValue(w), w).toBeGreaterThan(0.05);
    expect(reports).toEqual([]);
  });

  it('queries that moved away from the documents: p below the alert threshold (0.01)', async () => {
    const { tracker, pValue } = setup();
    for (let i = 0; i < 40; i++) tracker.observe(atSimilarity(around(0.7), rand));
    for (let i = 0; i < 30; i++) tracker.observe(atSimilarity(around(0.45), rand));
    expect(await pValue('7d')).toBeLessThan(0.01);
    expect(tracker.update().windows['7d']).toMatchObject({ queries: 30 });
  });

  it('windows age out at scrape time: two days later the 1d window has no series, 7d still has one', async () => {
    const { tracker, pValue, clock } = setup();
    for (let i = 0; i < 40; i++) tracker.observe(atSimilarity(around(0.7), rand));
    for (let i = 0; i < 25; i++) tracker.observe(atSimilarity(around(0.7), rand));
    expect(await pValue('1d')).toBeGreaterThan(0);
    clock.t += 2 * 86_400_000;
    expect(await pValue('1d')).toBeUndefined();
    expect(await pValue('7d')).toBeGreaterThan(0);
  });

  it('no knowledge base baseline, another dimension, a zero vector: no reference, no series, no throw', async () => {
    const { tracker, pValue, reports, registry } = setup();
    tracker.observe(new Array(DIM + 1).fill(0.3));
    tracker.observe(new Array(DIM).fill(0));
    tracker.observe([]);
    expect(tracker.update().reference).toBe(0);
    expect(await pValue('7d')).toBeUndefined();
    expect(reports).toEqual([]);
    expect(await registry.metrics()).toContain(R.queryDriftPValue);
  });

  it('survives a restart: the reference and the recent queries are read back from the data dir', async () => {
    const first = setup();
    for (let i = 0; i < 40; i++) first.tracker.observe(atSimilarity(around(0.7), rand));
    for (let i = 0; i < 25; i++) first.tracker.observe(atSimilarity(around(0.45), rand));
    const before = await first.pValue('7d');
    await first.store.settled();
    const second = setup(first.dataDir, first.clock);
    // State loads with the first query of the version.
    second.tracker.observe(atSimilarity(around(0.45), rand));
    expect(second.tracker.update()).toMatchObject({ reference: 40, windows: { '7d': { queries: 26 } } });
    expect(await second.pValue('7d')).toBeLessThan(0.01);
    expect(before).toBeLessThan(0.01);
  });

  it('hostile files in the data dir are skipped, never a crash', async () => {
    const dataDir = tempDir();
    const dir = join(dataDir, 'query-drift');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'm@8.json'), JSON.stringify({ embeddingVersion: 'm@8', centroid: [1, 0, 0, 0, 0, 0, 0, 0], similarities: [7, 'x'], createdAt: 'x', __proto__: { polluted: 1 } }));
    writeFileSync(join(dir, 'm@8.recent.jsonl'), ['garbage', '[1, 2]', '{"__proto__": {"polluted": 1}}', '['.repeat(500), '[99999999999999, 0.5]'].join('\n'));
    const { tracker, reports } = setup(dataDir);
    tracker.observe(atSimilarity(0.7, rand));
    // The bad reference is ignored: a new one starts from the baseline.
    expect(tracker.update()).toMatchObject({ reference: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(reports).toEqual([]);
  });
});
