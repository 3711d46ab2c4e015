import { describe, expect, it } from 'vitest';
import type { Bridge, InvokeChannel, KbEvalReport, KbEvalRun } from '../../core/common';
import { createAppStore } from '../../renderer/src/app/store';
import { createKnowledgeActions } from '../../renderer/src/features/knowledge/actions';
import { rankedMode } from '../../core/common';
import { hitCutoffs, trendOf } from '../../renderer/src/features/knowledge/eval-trend';
import { selectEvalSetPath } from '../../renderer/src/features/knowledge/selectors';
import type { SettingsView } from '../../core/common';

const run = (at: string, mrr: number, extra: Partial<KbEvalRun> = {}): KbEvalRun => ({
  at,
  set: 'homelab.jsonl',
  trigger: 'manual',
  embeddingVersion: 'nomic-embed-text@768',
  fusion: 'convex',
  depth: 10,
  queries: 3,
  chunks: 3,
  documents: 3,
  modes: [
    { mode: 'vector', queries: 3, mrr: mrr / 2, hitRate: { 1: 0.3, 5: 0.6 }, ndcg: 0.4, meanLatencyMs: 1 },
    { mode: 'hybrid', queries: 3, mrr, hitRate: { 10: 1, 1: 0.5, 3: 0.7, 5: 0.9 }, ndcg: 0.8, meanLatencyMs: 2 },
  ],
  ...extra,
});

describe('the evaluation trend', () => {
  it("follows the latest run's set, in time order, from the hybrid row", () => {
    const runs = [run('2026-12-02T10:00:00Z', 0.7), run('2026-12-01T10:00:00Z', 0.9), run('2026-12-03T10:00:00Z', 0.1, { set: 'other.jsonl' }), run('not a time', 0.5)];
    const t = trendOf(runs, 'homelab.jsonl');
    expect(t.time).toEqual([Date.parse('2026-12-01T10:00:00Z') / 1000, Date.parse('2026-12-02T10:00:00Z') / 1000]);
    expect(t.mrr).toEqual([0.9, 0.7]);
    expect(t.hit).toEqual([0.9, 0.9]);
    expect(trendOf([], undefined)).toEqual({ time: [], mrr: [], hit: [] });
  });

  it('a run of one mode only is its own ranked row; a missing Hit@5 is a gap, not a zero', () => {
    const single = run('2026-12-01T10:00:00Z', 0.6, { modes: [{ mode: 'fts', queries: 1, mrr: 0.6, hitRate: { 1: 1 }, ndcg: 1, meanLatencyMs: 1 }] });
    expect(rankedMode(single)?.mode).toBe('fts');
    expect(trendOf([single], 'homelab.jsonl').hit).toEqual([null]);
    expect(hitCutoffs(run('2026-12-01T10:00:00Z', 1))).toEqual([1, 3, 5, 10]);
  });
});

describe('the configured set, from the settings', () => {
  const view = (values: Record<string, unknown>): SettingsView => ({ values, pinnedByEnv: [], livePaths: [], envVars: {}, file: '/x' });
  it('is the path when set, null otherwise (whatever shape the values have)', () => {
    const store = createAppStore();
    expect(selectEvalSetPath(store.getState())).toBeNull();
    for (const values of [{}, { knowledge: null }, { knowledge: { eval: { set: null } } }, { knowledge: { eval: { set: '  ' } } }, { knowledge: { eval: { set: 7 } } }, { knowledge: 'x' }]) {
      store.getState().settings.loaded(view(values));
      expect(selectEvalSetPath(store.getState()), JSON.stringify(values)).toBeNull();
    }
    store.getState().settings.loaded(view({ knowledge: { eval: { set: '/srv/eval/homelab.jsonl' } } }));
    expect(selectEvalSetPath(store.getState())).toBe('/srv/eval/homelab.jsonl');
  });
});

function bridgeWith(handlers: Partial<Record<InvokeChannel, (input: unknown) => Promise<unknown>>>) {
  const calls: [string, unknown][] = [];
  const bridge = {
    invoke: async (channel: InvokeChannel, input?: unknown) => {
      calls.push([channel, input]);
      const h = handlers[channel];
      if (!h) throw new Error(`no ${channel}`);
      return h(input);
    },
    on: () => () => {},
  } as unknown as Bridge;
  return { bridge, calls };
}

const report = (unresolved: number): KbEvalReport => ({ ...run('2026-12-01T10:00:00Z', 1), perQuery: [], unresolvedLabels: Array.from({ length: unresolved }, (_, i) => ({ line: i + 1, label: 'gone.md' })) });

describe('Evaluate', () => {
  it('runs kb.eval without queries (the configured set), shows running, then re-reads the history', async () => {
    let history: KbEvalRun[] = [];
    let finish: () => void = () => {};
    const { bridge, calls } = bridgeWith({
      'kb.eval': () => new Promise((resolve) => (finish = () => ((history = [run('2026-12-01T10:00:00Z', 0.8)]), resolve(report(2))))),
      'kb.evalHistory': async () => history,
    });
    const store = createAppStore();
    const actions = createKnowledgeActions({ store, bridge });
    const done = actions.runEvaluation();
    expect(store.getState().kbEval.running).toBe(true);
    // A second click while it runs starts nothing.
    await actions.runEvaluation();
    expect(calls.filter(([c]) => c === 'kb.eval')).toEqual([['kb.eval', {}]]);
    finish();
    await done;
    expect(store.getState().kbEval).toMatchObject({ running: false, runError: null, unresolvedLabels: 2, status: 'ready' });
    expect(store.getState().kbEval.runs.map((r) => r.modes[1]!.mrr)).toEqual([0.8]);
  });

  it("a failure shows the core's message, keeps the history, and the next run clears it", async () => {
    let fail = true;
    const { bridge } = bridgeWith({
      'kb.eval': async () => {
        if (fail) throw Object.assign(new Error('The knowledge base is empty: ingest the corpus first'), { code: 'invalid_request' });
        return report(0);
      },
      'kb.evalHistory': async () => [run('2026-12-01T10:00:00Z', 0.8)],
    });
    const store = createAppStore();
    const actions = createKnowledgeActions({ store, bridge });
    await actions.refreshEvalHistory();
    await actions.runEvaluation();
    expect(store.getState().kbEval).toMatchObject({ running: false, runError: expect.stringMatching(/knowledge base is empty/) });
    expect(store.getState().kbEval.runs).toHaveLength(1);
    fail = false;
    await actions.runEvaluation();
    expect(store.getState().kbEval.runError).toBeNull();
  });

  it('a history that cannot be read is an error of its own, not a crash', async () => {
    const { bridge } = bridgeWith({ 'kb.evalHistory': async () => Promise.reject(new Error('disk on fire')) });
    const store = createAppStore();
    await createKnowledgeActions({ store, bridge }).refreshEvalHistory();
    expect(store.getState().kbEval).toMatchObject({ status: 'error', error: expect.stringMatching(/disk on fire/), runs: [] });
  });
});
