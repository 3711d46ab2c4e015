import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../core/runtime';
import { ragMetricNames as R } from '../../core/common/metric-names';
import { evalHistoryFile } from '../../core/eval';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { tempDir, testSettings } from '../support/core-harness';
import { parseExposition, sampleValue } from '../support/prom-text';

let fake: FakeOllama;
const open: Core[] = [];
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

function coreIn(dataDir: string, env: Record<string, string> = {}): Core {
  const full = { OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', BRUNO_DATA_DIR: dataDir, ...env };
  const core = createCore({ settings: testSettings(full), env: full, logging: { file: false } });
  open.push(core);
  return core;
}

/** A tiny corpus and a set that labels it. */
function corpus(dir: string): { docs: string; set: string } {
  const docs = join(dir, 'docs');
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, 'nas.md'), '# NAS\nThe NAS lives at 192.168.0.20 and serves the media share over SMB.\n');
  writeFileSync(join(docs, 'router.md'), '# Router\nThe router runs OpenWrt; its admin page is on port 8443.\n');
  writeFileSync(join(docs, 'backup.md'), '# Backups\nRestic backs up the NAS every night to the offsite bucket.\n');
  const set = join(dir, 'homelab.jsonl');
  writeFileSync(set, [
    JSON.stringify({ query: 'What address does the NAS have?', relevant: ['nas.md'] }),
    JSON.stringify({ query: 'OpenWrt admin page port', relevant: ['router.md'] }),
    JSON.stringify({ query: 'nightly restic backups', relevant: ['backup.md'] }),
  ].join('\n'));
  return { docs, set };
}

const samples = async (core: Core) => parseExposition(await core.telemetry.registry.metrics());

async function until<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('retrieval evaluation that lives', () => {
  it('kb.eval keeps the run in the data dir; a new process exports it again at start', async () => {
    const dir = tempDir();
    const { docs, set } = corpus(tempDir());
    const first = coreIn(dir);
    await first.knowledge.ingest([docs]);
    const queries = readFileSync(set, 'utf8').split('\n').map((l) => JSON.parse(l) as { query: string; relevant: string[] });
    const report = await first.handlers['kb.eval']({ queries, set: 'homelab.jsonl' });
    const hybrid = report.modes.find((m) => m.mode === 'hybrid')!;
    let s = await samples(first);
    const stamp = sampleValue(s, R.evalTimestamp, { set: 'homelab.jsonl' })!;
    expect(Math.abs(stamp - Date.now() / 1000)).toBeLessThan(60);
    const runs = await first.handlers['kb.evalHistory'](undefined);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ set: 'homelab.jsonl', trigger: 'manual', embeddingVersion: report.embeddingVersion, queries: 3 });
    expect(runs[0]).not.toHaveProperty('perQuery');
    await first.close();

    const second = coreIn(dir);
    s = await until('the kept run to be exported', async () => {
      const x = await samples(second);
      return sampleValue(x, R.evalTimestamp, { set: 'homelab.jsonl' }) !== undefined ? x : null;
    });
    expect(sampleValue(s, R.evalTimestamp, { set: 'homelab.jsonl' })).toBeCloseTo(stamp, 3);
    expect(sampleValue(s, R.meanReciprocalRank, { retrieval_method: 'hybrid', embedding_version: report.embeddingVersion })).toBeCloseTo(hybrid.mrr, 6);
    expect(sampleValue(s, R.hitRateAtK, { k: '5' })).toBeCloseTo(hybrid.hitRate[5]!, 6);
  });

  it('a configured set runs after each ingestion, in the background, and is kept as after-ingest', async () => {
    const dir = tempDir();
    const { docs, set } = corpus(tempDir());
    const core = coreIn(dir, { BRUNO_EVAL_SET: set });
    await core.knowledge.ingest([docs]);
    const runs = await until('the after-ingest run', async () => {
      const r = await core.handlers['kb.evalHistory'](undefined);
      return r.length ? r : null;
    });
    expect(runs[0]).toMatchObject({ set: 'homelab.jsonl', trigger: 'after-ingest', queries: 3 });
    expect(sampleValue(await samples(core), R.evalTimestamp, { set: 'homelab.jsonl' })).toBeGreaterThan(0);
  });

  it('no set configured (or afterIngest off): an ingestion runs no evaluation and no stale-alert series exists', async () => {
    const dir = tempDir();
    const { docs, set } = corpus(tempDir());
    const plain = coreIn(dir);
    await plain.knowledge.ingest([docs]);
    const off = coreIn(tempDir(), { BRUNO_EVAL_SET: set, BRUNO_EVAL_AFTER_INGEST: 'false' });
    await off.knowledge.ingest([docs]);
    await new Promise((r) => setTimeout(r, 500));
    for (const core of [plain, off]) {
      expect(await core.handlers['kb.evalHistory'](undefined)).toEqual([]);
      expect((await samples(core)).some((x) => x.name === R.evalTimestamp)).toBe(false);
    }
    expect(existsSync(evalHistoryFile(dir))).toBe(false);
  });

  it('a set that cannot be read costs a warning, never the ingestion', async () => {
    const dir = tempDir();
    const { docs } = corpus(tempDir());
    const core = coreIn(dir, { BRUNO_EVAL_SET: join(dir, 'missing.jsonl') });
    const summary = await core.knowledge.ingest([docs]);
    expect(summary.filesIngested).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await core.handlers['kb.evalHistory'](undefined)).toEqual([]);
  });

  it('a hostile history file: bad lines are skipped, good ones exported, nothing crashes', async () => {
    const dir = tempDir();
    const file = evalHistoryFile(dir);
    mkdirSync(join(file, '..'), { recursive: true });
    const good = { at: '2026-12-01T10:00:00.000Z', set: 'ok.jsonl', trigger: 'manual', embeddingVersion: 'nomic-embed-text@768', fusion: 'convex', depth: 10, queries: 2, chunks: 3, documents: 3, modes: [{ mode: 'hybrid', queries: 2, mrr: 0.9, hitRate: { 1: 0.5, 5: 1 }, ndcg: 0.8, meanLatencyMs: 3 }] };
    writeFileSync(file, [
      'not json',
      '{"__proto__": {"polluted": true}, "at": "2026-12-01T10:00:00Z"}',
      JSON.stringify({ ...good, set: 'bad.jsonl', modes: [{ ...good.modes[0], mrr: 7 }] }),
      JSON.stringify({ ...good, at: 'yesterday' }),
      '[' .repeat(5000),
      JSON.stringify(good),
      '{"torn": ',
    ].join('\n'));
    const core = coreIn(dir);
    const runs = await core.handlers['kb.evalHistory'](undefined);
    expect(runs.map((r) => r.set)).toEqual(['ok.jsonl']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const s = await until('the good run to be exported', async () => {
      const x = await samples(core);
      return sampleValue(x, R.evalTimestamp, { set: 'ok.jsonl' }) !== undefined ? x : null;
    });
    expect(sampleValue(s, R.evalTimestamp, { set: 'ok.jsonl' })).toBe(Date.parse(good.at) / 1000);
    expect(sampleValue(s, R.evalTimestamp, { set: 'bad.jsonl' })).toBeUndefined();
  });
});

describe('the stale-evaluation alert, evaluated by the app', () => {
  it('a kept run 8 days old makes RAGEvaluationStale pending, firing an hour later', async () => {
    const { createAlertsService, loadAlertRules } = await import('../../core/alerts');
    const dir = tempDir();
    const file = evalHistoryFile(dir);
    mkdirSync(join(file, '..'), { recursive: true });
    let now = Date.parse('2026-12-06T10:00:00Z');
    const at = new Date(now - 8 * 86_400_000).toISOString();
    writeFileSync(file, JSON.stringify({ at, set: 'homelab.jsonl', trigger: 'schedule', embeddingVersion: 'v', fusion: null, depth: 10, queries: 1, chunks: 1, documents: 1, modes: [] }) + '\n');
    const core = coreIn(dir);
    await until('the run to be exported', async () => sampleValue(await samples(core), R.evalTimestamp, { set: 'homelab.jsonl' }));
    const rules = loadAlertRules();
    const service = createAlertsService({ registry: core.telemetry.registry, rules: rules.local, remoteOnlyRules: rules.remoteOnly, prometheusUrl: null, alertmanagerUrl: null, intervalMs: 3_600_000, onChange: () => {}, now: () => now });
    try {
      expect((await service.refresh()).alerts.find((a) => a.name === 'RAGEvaluationStale')).toMatchObject({ state: 'pending', labels: { set: 'homelab.jsonl' } });
      now += 3_600_000;
      const firing = (await service.refresh()).alerts.find((a) => a.name === 'RAGEvaluationStale');
      expect(firing?.state).toBe('firing');
      expect(firing?.description).toMatch(/^The last evaluation of the set homelab\.jsonl is \S+ old/);
    } finally {
      service.stop();
    }
  });
});

describe('embedding cache hits and misses', () => {
  it('a first ingestion misses, re-ingesting the same text hits; together they are every lookup', async () => {
    const dir = tempDir();
    const { docs } = corpus(tempDir());
    const core = coreIn(dir);
    await core.knowledge.ingest([docs]);
    let s = await samples(core);
    const misses = sampleValue(s, R.cacheMisses, { cache_type: 'embedding' })!;
    expect(misses).toBeGreaterThanOrEqual(3);
    expect(sampleValue(s, R.cacheHits, { cache_type: 'embedding' })).toBe(0);
    // Same text in a new file: its chunk comes from the cache.
    writeFileSync(join(docs, 'nas-copy.md'), readFileSync(join(docs, 'nas.md'), 'utf8'));
    await core.knowledge.ingest([docs]);
    s = await samples(core);
    expect(sampleValue(s, R.cacheHits, { cache_type: 'embedding' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(s, R.cacheMisses, { cache_type: 'embedding' })).toBe(misses);
  });
});

describe('the scheduled evaluation (BRUNO_EVAL_INTERVAL_HOURS)', () => {
  it('runs the configured set on its interval: a second kept run appears and the timestamp gauge moves', async () => {
    const dir = tempDir();
    const { docs, set } = corpus(tempDir());
    // 0.0003 h = 1.08 s; no after-ingest run, so every kept run is the schedule's.
    const core = coreIn(dir, { BRUNO_EVAL_SET: set, BRUNO_EVAL_AFTER_INGEST: 'false', BRUNO_EVAL_INTERVAL_HOURS: '0.0003' });
    await core.knowledge.ingest([docs]);
    const first = await until('the first scheduled run', async () => (await core.handlers['kb.evalHistory'](undefined))[0]);
    expect(first).toMatchObject({ set: 'homelab.jsonl', trigger: 'schedule', queries: 3 });
    const stamp1 = sampleValue(await samples(core), R.evalTimestamp, { set: 'homelab.jsonl' })!;
    expect(stamp1).toBeCloseTo(Date.parse(first.at) / 1000, 3);
    const runs = await until('a second scheduled run', async () => {
      const r = await core.handlers['kb.evalHistory'](undefined);
      return r.length >= 2 ? r : null;
    });
    expect(runs.map((r) => r.trigger)).toEqual(runs.map(() => 'schedule'));
    expect(Date.parse(runs[1]!.at) - Date.parse(runs[0]!.at)).toBeGreaterThanOrEqual(900);
    const stamp2 = sampleValue(await samples(core), R.evalTimestamp, { set: 'homelab.jsonl' })!;
    expect(stamp2).toBeGreaterThan(stamp1);
    expect(stamp2).toBeCloseTo(Date.parse(runs.at(-1)!.at) / 1000, 3);
  });

  it('0 (the default) schedules nothing', async () => {
    const { docs, set } = corpus(tempDir());
    const core = coreIn(tempDir(), { BRUNO_EVAL_SET: set, BRUNO_EVAL_AFTER_INGEST: 'false' });
    await core.knowledge.ingest([docs]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await core.handlers['kb.evalHistory'](undefined)).toEqual([]);
  });

  it.each([
    ['soon', /knowledge\.eval\.intervalHours: must be a number of hours \(from BRUNO_EVAL_INTERVAL_HOURS\)/],
    ['-1', /knowledge\.eval\.intervalHours: must be 0 \(no schedule\) or a positive number of hours \(from BRUNO_EVAL_INTERVAL_HOURS\)/],
    ['2161', /knowledge\.eval\.intervalHours: must be at most 2160 hours \(90 days\)/],
    ['Infinity', /knowledge\.eval\.intervalHours: must be a number of hours/],
    ['1e400', /knowledge\.eval\.intervalHours: must be a number of hours/],
  ])('an invalid value (%s) is a settings error naming the field and the variable', async (value, says) => {
    const { loadSettings } = await import('../../core/config');
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: tempDir(), BRUNO_EVAL_INTERVAL_HOURS: value } })).toThrow(says);
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: tempDir(), BRUNO_EVAL_INTERVAL_HOURS: value } })).toThrow(/^Invalid settings/);
  });
});

describe('kb.eval without queries: the configured set (the UI\'s Evaluate button)', () => {
  it('runs the configured set, kept as a manual run under its file name', async () => {
    const { docs, set } = corpus(tempDir());
    const core = coreIn(tempDir(), { BRUNO_EVAL_SET: set, BRUNO_EVAL_AFTER_INGEST: 'false' });
    await core.knowledge.ingest([docs]);
    const report = await core.handlers['kb.eval']({});
    expect(report.queries).toBe(3);
    expect(report.modes.find((m) => m.mode === 'hybrid')!.mrr).toBeGreaterThan(0);
    expect(await core.handlers['kb.evalHistory'](undefined)).toMatchObject([{ set: 'homelab.jsonl', trigger: 'manual', queries: 3 }]);
  });

  it('no set configured, a missing file, a broken file: clear invalid_request errors, nothing kept', async () => {
    const dir = tempDir();
    const { docs } = corpus(dir);
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, '{"query": "x", "relevant": ["nas.md"]}\n{"query": 5}\n');
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^No evaluation set is configured: set knowledge\.eval\.set \(BRUNO_EVAL_SET\)/],
      [{ BRUNO_EVAL_SET: join(dir, 'missing.jsonl') }, /^The evaluation set missing\.jsonl could not be read: ENOENT/],
      [{ BRUNO_EVAL_SET: broken }, /^broken\.jsonl line 2: "query" must be a string/],
    ];
    for (const [env, says] of cases) {
      const core = coreIn(tempDir(), { ...env, BRUNO_EVAL_AFTER_INGEST: 'false' });
      await core.knowledge.ingest([docs]);
      await expect(core.handlers['kb.eval']({})).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(says) });
      expect(await core.handlers['kb.evalHistory'](undefined)).toEqual([]);
    }
  });
});

describe('model performance drift (agent_model_performance_drift)', () => {
  const queriesOf = (set: string) => readFileSync(set, 'utf8').split('\n').map((l) => JSON.parse(l) as { query: string; relevant: string[] });
  const drift = (s: ReturnType<typeof parseExposition>, metric: string, labels: Record<string, string> = {}) => sampleValue(s, R.modelPerformanceDrift, { metric_name: metric, set: 'homelab.jsonl', ...labels });

  it('the first run of a set is its baseline (drift 0); a worse run is negative by its relative drop; a restart exports it again', async () => {
    const dir = tempDir();
    const { docs, set } = corpus(tempDir());
    const core = coreIn(dir);
    await core.knowledge.ingest([docs]);
    const good = queriesOf(set);
    const first = await core.handlers['kb.eval']({ queries: good, set: 'homelab.jsonl' });
    let s = await samples(core);
    expect(drift(s, 'mrr', { model_version: first.embeddingVersion })).toBe(0);
    expect(drift(s, 'hit_rate')).toBe(0);
    expect(drift(s, 'ndcg')).toBe(0);
    // Two labels point at the wrong documents: the same set now scores lower.
    const worse = good.map((q, i) => (i < 2 ? { ...q, relevant: [good[(i + 1) % 3]!.relevant[0]!] } : q));
    const second = await core.handlers['kb.eval']({ queries: worse, set: 'homelab.jsonl' });
    const mrr1 = first.modes.find((m) => m.mode === 'hybrid')!.mrr;
    const mrr2 = second.modes.find((m) => m.mode === 'hybrid')!.mrr;
    expect(mrr2).toBeLessThan(mrr1);
    s = await samples(core);
    expect(drift(s, 'mrr')).toBeCloseTo((mrr2 - mrr1) / mrr1, 9);
    expect(drift(s, 'mrr')).toBeLessThan(-0.05);
    await core.close();

    const again = coreIn(dir);
    s = await until('the drift to be exported at start', async () => {
      const x = await samples(again);
      return drift(x, 'mrr') !== undefined ? x : null;
    });
    expect(drift(s, 'mrr')).toBeCloseTo((mrr2 - mrr1) / mrr1, 9);
  });

  it('a history from before baselines (no baselines.json): its oldest run of the set is the baseline; a hostile baselines file is ignored', async () => {
    const dir = tempDir();
    const file = evalHistoryFile(dir);
    mkdirSync(join(file, '..'), { recursive: true });
    const runAt = (at: string, mrr: number) => ({ at, set: 'homelab.jsonl', trigger: 'schedule', embeddingVersion: 'nomic-embed-text@768', fusion: 'convex', depth: 10, queries: 2, chunks: 3, documents: 3, modes: [{ mode: 'hybrid', queries: 2, mrr, hitRate: { 5: mrr }, ndcg: mrr, meanLatencyMs: 3 }] });
    writeFileSync(file, [runAt('2026-11-01T10:00:00.000Z', 0.8), runAt('2026-11-20T10:00:00.000Z', 0.9), runAt('2026-12-01T10:00:00.000Z', 0.6)].map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(dir, 'eval', 'baselines.json'), '{"__proto__": {"polluted": 1}, "homelab.jsonl": {"set": "other"}}');
    const core = coreIn(dir);
    const s = await until('the drift to be exported', async () => {
      const x = await samples(core);
      return drift(x, 'mrr') !== undefined ? x : null;
    });
    expect(drift(s, 'mrr', { model_version: 'nomic-embed-text@768' })).toBeCloseTo((0.6 - 0.8) / 0.8, 9);
    expect(drift(s, 'hit_rate')).toBeCloseTo(-0.25, 9);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The oldest run was kept as the baseline (it outlives the history's trimming).
    expect(JSON.parse(readFileSync(join(dir, 'eval', 'baselines.json'), 'utf8'))['homelab.jsonl'].at).toBe('2026-11-01T10:00:00.000Z');

    // The app's own evaluator (no Prometheus): pending, then firing 15 minutes later.
    const { createAlertsService, loadAlertRules } = await import('../../core/alerts');
    const rules = loadAlertRules();
    expect(rules.local.map((r) => r.name)).toEqual(expect.arrayContaining(['ModelPerformanceDegraded', 'QueryDistributionShift']));
    let now = Date.parse('2026-12-06T10:00:00Z');
    const service = createAlertsService({ registry: core.telemetry.registry, rules: rules.local, remoteOnlyRules: rules.remoteOnly, prometheusUrl: null, alertmanagerUrl: null, intervalMs: 3_600_000, onChange: () => {}, now: () => now });
    try {
      expect((await service.refresh()).alerts.find((a) => a.name === 'ModelPerformanceDegraded')).toMatchObject({ state: 'pending', labels: { set: 'homelab.jsonl', metric_name: 'mrr' } });
      now += 15 * 60_000;
      const firing = (await service.refresh()).alerts.find((a) => a.name === 'ModelPerformanceDegraded');
      expect(firing?.state).toBe('firing');
      expect(firing?.description).toBe('MRR of the evaluation set homelab.jsonl (embeddings nomic-embed-text@768) changed by -25% against its baseline run (alert below -5%): the embedding model, the chunking or the corpus changed since the baseline.');
    } finally {
      service.stop();
    }
  });
});

describe('query distribution drift in the app', () => {
  it('query embeddings of searches build the reference in the data dir once the knowledge base has a baseline', async () => {
    const dir = tempDir();
    const { docs } = corpus(tempDir());
    const core = coreIn(dir);
    await core.knowledge.ingest([docs]);
    const { baselinePath } = await import('../../core/eval');
    const version = (await core.knowledge.stats()).embeddingVersion!;
    await until('the embedding baseline', async () => existsSync(baselinePath(dir, version)));
    for (const q of ['NAS address', 'router port', 'restic backups']) await core.handlers['kb.search']({ query: q, mode: 'vector' });
    const file = join(dir, 'query-drift', `${version}.json`);
    const reference = await until('the reference file', async () => {
      if (!existsSync(file)) return null;
      const r = JSON.parse(readFileSync(file, 'utf8')) as { similarities: number[]; centroid: number[] };
      return r.similarities.length === 3 ? r : null;
    });
    for (const s of reference.similarities) expect(Math.abs(s)).toBeLessThanOrEqual(1);
    // Numbers only: no query text is kept.
    expect(readFileSync(file, 'utf8')).not.toMatch(/NAS|router|restic/);
    // 50 reference queries are needed before any window has a p-value.
    expect((await samples(core)).some((x) => x.name === R.queryDriftPValue)).toBe(false);
  });
});
