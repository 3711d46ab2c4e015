import { describe, expect, it } from 'vitest';
import type { ConversationDetail, KbProgressEvent, TurnSample, TurnStats } from '../../core/common';
import { draftFrom, errorsByField, patchFrom } from '../../renderer/src/features/settings/settings-fields';
import { orderSpans } from '../../renderer/src/features/observability/TraceView';
import { createLiveMetrics, drawOnFrames } from '../../renderer/src/shared/live/live-metrics';
import { RingBuffer } from '../../renderer/src/shared/live/ring-buffer';
import { createAppStore } from '../../renderer/src/app/store';
import { selectLastStats } from '../../renderer/src/features/chat/selectors';
import { selectKbBusy } from '../../renderer/src/features/knowledge/selectors';
import { selectFiringCount } from '../../renderer/src/features/observability/selectors';

const immediate = (cb: () => void) => cb();
const stats = (over: Partial<TurnStats> = {}): TurnStats => ({
  model: 'm',
  ttft_s: 0.2,
  tokens_per_second: 30,
  input_tokens: 10,
  output_tokens: 20,
  context_window: 4096,
  context_usage_ratio: 30 / 4096,
  load_duration_s: 0,
  total_duration_s: 1,
  wall_duration_s: 1.1,
  done_reason: 'stop',
  trace_id: 'a'.repeat(32),
  ...over,
});

describe('ring buffer', () => {
  it('keeps the newest values up to its capacity, NaN out as null', () => {
    const ring = new RingBuffer(3);
    [1, 2, 3, 4].forEach((v) => ring.push(v));
    expect(ring.toArray()).toEqual([2, 3, 4]);
    ring.push(NaN);
    expect(ring.toArray()).toEqual([3, 4, null]);
    expect(ring.length).toBe(3);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
  });
});

describe('live metrics', () => {
  const sample = (over: Partial<TurnSample>): TurnSample => ({ turnId: 't1', model: 'm', ttftS: 0.1, tokensPerSecond: 10, outputTokens: 5, elapsedS: 0.5, contextWindow: null, contextUsageRatio: null, final: false, ...over });

  it('keeps the current answer rate per turn and recent turns, outside any store', () => {
    const live = createLiveMetrics();
    live.onSample(sample({ elapsedS: 0.5, tokensPerSecond: null }));
    live.onSample(sample({ elapsedS: 0.6, tokensPerSecond: 12 }));
    expect(live.current.tps.toArray()).toEqual([null, 12]);
    live.onSample(sample({ turnId: 't2', elapsedS: 0.1, tokensPerSecond: 40 }));
    expect(live.current.elapsed.toArray()).toEqual([0.1]);
    live.onSample(sample({ turnId: 't2', final: true }));
    expect(live.current.elapsed.length).toBe(1); // the final sample closes the series
    live.onTurnDone(stats(), 5000);
    expect(live.recent.time.toArray()).toEqual([5]);
    expect(live.recent.tps.toArray()).toEqual([30]);
    expect(live.latest()?.final).toBe(true);
  });

  it('draws at most once per frame after changes', () => {
    const live = createLiveMetrics();
    const frames: Array<() => void> = [];
    let draws = 0;
    const stop = drawOnFrames(live, () => draws++, (cb) => frames.push(cb));
    expect(draws).toBe(1); // the first draw
    live.onSample(sample({}));
    live.onSample(sample({ elapsedS: 0.7 }));
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(draws).toBe(2);
    stop();
    live.onSample(sample({}));
    expect(frames).toHaveLength(0);
  });
});

describe('chat slice: stored conversations', () => {
  const detail: ConversationDetail = {
    id: 'c1',
    title: 'T',
    createdAt: '',
    updatedAt: '',
    messageCount: 2,
    snippet: '',
    messages: [
      { id: 'u', turnId: 't', role: 'user', content: 'q', createdAt: '', status: 'done', model: null, stats: null, sources: [], traceId: null, error: null },
      { id: 'a', turnId: 't', role: 'assistant', content: 'ans [1]', createdAt: '', status: 'done', model: 'm', stats: stats(), sources: [{ n: 1, path: '/kb/a.md', heading: 'A', snippet: 's' }], traceId: 'b'.repeat(32), error: null },
    ],
  };

  it('loads a conversation and attaches stored sources after a live turn', () => {
    const store = createAppStore({ scheduleFrame: immediate });
    store.getState().chat.loadConversation(detail);
    expect(store.getState().chat.conversationId).toBe('c1');
    expect(store.getState().chat.messages[1]).toMatchObject({ text: 'ans [1]', sources: [{ n: 1 }], traceId: 'b'.repeat(32) });
    expect(selectLastStats(store.getState())?.tokens_per_second).toBe(30);

    const live = createAppStore({ scheduleFrame: immediate, now: () => 1000 });
    const chat = () => live.getState().chat;
    chat().beginTurn({ turnId: 't', text: 'q', model: null });
    expect(chat().turnStartedAt).toBe(1000);
    chat().receiveBatch({ turnId: 't', conversationId: 'c1', events: [{ type: 'token', text: 'ans' }] });
    expect(chat().lastChunkAt).toBe(1000);
    chat().receiveBatch({ turnId: 't', conversationId: 'c1', events: [{ type: 'done', conversationId: 'c1', messageId: 'a', stats: stats(), sources: [] }] });
    expect(chat().messages[1]!.sources).toEqual([]);
    expect(chat().turnStartedAt).toBeNull();
    chat().attachDetails(detail);
    expect(chat().messages[1]!.sources).toHaveLength(1);
  });
});

describe('view slices', () => {
  it('kb: follows a job from progress to done; a late progress line does not revive it', () => {
    const store = createAppStore();
    const kb = () => store.getState().kb;
    const progress: KbProgressEvent = { type: 'progress', jobId: 'j', phase: 'ingesting', filesDone: 1, filesTotal: 4, chunksDone: 2, rate: 1, etaSeconds: 3, skipped: 0 };
    kb().receive(progress); // before kb.ingest resolved
    kb().jobStarted('j', 'ingest');
    expect(kb().job?.progress?.filesDone).toBe(1);
    expect(selectKbBusy(store.getState())).toBe(true);
    kb().receive({ type: 'skipped', jobId: 'j', file: { path: '/x.bin', reason: 'binary' } });
    kb().receive({
      type: 'done',
      jobId: 'j',
      summary: { jobId: 'j', roots: [], filesSeen: 4, filesIngested: 3, filesUnchanged: 0, filesRemoved: 0, chunksAdded: 6, chunksRemoved: 0, embeddedTexts: 6, cacheHits: 0, skipped: [], skippedTotal: 0, skippedByReason: {}, embeddingVersion: null, seconds: 1 },
    });
    kb().receive({ ...progress, filesDone: 2 });
    expect(kb().job?.progress?.filesDone).toBe(1);
    expect(kb().job?.skipped).toEqual([{ path: '/x.bin', reason: 'binary' }]);
    expect(selectKbBusy(store.getState())).toBe(false);
  });

  it('trace: a late answer for another trace is dropped', () => {
    const store = createAppStore();
    const trace = () => store.getState().trace;
    trace().loading('a');
    trace().loading('b');
    trace().loaded('a', [{ spanId: 'x' } as never]);
    expect(trace().spans).toEqual([]);
    trace().loaded('b', []);
    expect(trace().status).toBe('ready');
  });

  it('alerts, conversations, memory, settings, ui', () => {
    const store = createAppStore();
    const s = () => store.getState();
    s().alerts.update({ mode: 'remote', alerts: [{ state: 'firing' }, { state: 'pending' }] as never, needsPrometheus: [], updatedAt: null, error: null });
    expect(selectFiringCount(s())).toBe(1);
    s().conversations.loaded([{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }] as never);
    s().conversations.renamed({ id: 'a', title: 'AA' } as never);
    s().conversations.removed('b');
    expect(s().conversations.list.map((c) => c.title)).toEqual(['AA']);
    s().memory.loaded([{ id: 'm1' }, { id: 'm2' }] as never);
    s().memory.removed('m1');
    expect(s().memory.entries).toEqual([{ id: 'm2' }]);
    s().settings.testStarted('ollama');
    expect(s().settings.tests.ollama?.status).toBe('running');
    s().settings.testDone('ollama', { target: 'ollama', url: 'u', ok: true, message: 'Ollama 0.32.15', latencyMs: 3 });
    expect(s().settings.tests.ollama?.result?.ok).toBe(true);
    s().ui.setView('settings');
    expect(s().ui.view).toBe('settings');
  });
});

describe('settings form helpers', () => {
  const values = {
    ollamaHost: 'http://o:11434',
    chatModel: 'llama3.1:8b',
    grafana: { url: null, tempoDatasourceUid: 'tempo', orgId: 1, dashboards: { ollama: 'a', rag: 'b', overview: 'c' } },
    prometheusUrl: null,
    alertmanagerUrl: null,
    knowledge: { embedModel: 'nomic-embed-text' },
    telemetry: { otlpEndpoint: null, otlpProtocol: 'grpc', captureContent: false, metricsAddr: '', piiPatterns: [] },
  };

  it('sends only changed, unpinned fields; empty nullable URLs become null', () => {
    const original = draftFrom(values);
    const draft = { ...original, 'grafana.url': 'http://g:3000', 'grafana.orgId': '2', prometheusUrl: '', ollamaHost: 'http://x', 'telemetry.captureContent': true };
    expect(patchFrom(original, draft, new Set(['ollamaHost']))).toEqual({ grafana: { url: 'http://g:3000', orgId: 2 }, telemetry: { captureContent: true } });
    expect(patchFrom(original, { ...original, 'grafana.url': 'http://g', prometheusUrl: 'http://p' }, new Set())).toEqual({ grafana: { url: 'http://g' }, prometheusUrl: 'http://p' });
    expect(patchFrom(original, { ...original, 'grafana.orgId': 'two' }, new Set())).toEqual({ grafana: { orgId: 'two' } });
  });

  it('maps field errors to their fields', () => {
    expect(errorsByField({ 'grafana.url': 'bad', 'telemetry.piiPatterns.0.pattern': 'invalid regex', settings: 'disk full' })).toEqual({
      byField: { 'grafana.url': ['bad'], 'telemetry.piiPatterns': ['0.pattern: invalid regex'] },
      other: ['settings: disk full'],
    });
  });
});

describe('trace waterfall order', () => {
  it('puts parents before children and orphans at the root', () => {
    const span = (spanId: string, parentSpanId: string | null, startMs: number) => ({ spanId, parentSpanId, startMs, name: spanId }) as never;
    const rows = orderSpans([span('chat', 'turn', 5), span('turn', null, 0), span('rag', 'turn', 1), span('embed', 'rag', 2), span('orphan', 'gone', 3)]);
    expect(rows.map((r) => `${r.depth}:${(r.span as { name: string }).name}`)).toEqual(['0:turn', '1:rag', '2:embed', '1:chat', '0:orphan']);
  });
});
