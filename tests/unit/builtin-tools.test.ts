import { describe, expect, it } from 'vitest';
import { createBuiltinTools, type BuiltinToolDeps } from '../../core/tools';
import type { Tool } from '../../core/tools';
import type { AlertsState } from '../../core/common/alerts';
import type { SpanRecord } from '../../core/common/telemetry';

const now = Date.parse('2026-01-02T03:04:05Z');

/** A fetch that answers from a table by path, recording the URLs asked for. */
function fakeFetch(routes: Record<string, { status?: number; body: unknown }>) {
  const urls: URL[] = [];
  const fn = (async (input: string | URL) => {
    const url = new URL(String(input));
    urls.push(url);
    const route = routes[url.pathname];
    if (!route) return new Response('not found', { status: 404 });
    return new Response(typeof route.body === 'string' ? route.body : JSON.stringify(route.body), { status: route.status ?? 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fn, urls };
}

function tools(deps: Partial<BuiltinToolDeps>): Map<string, Tool> {
  const all = createBuiltinTools({ fetch: fakeFetch({}).fn, settings: () => ({ prometheusUrl: null, lokiUrl: null, tempoUrl: null }), now: () => now, ...deps }).tools();
  return new Map(all.map((t) => [t.name, t]));
}
const run = (tool: Tool | undefined, args: Record<string, unknown>) => tool!.run(args, { signal: new AbortController().signal });

describe('built-in tools', () => {
  it('are all read-only, and say what to set when their source is missing', () => {
    const t = tools({});
    expect([...t.keys()]).toEqual(['prometheus_query', 'prometheus_targets', 'alerts_active', 'loki_query', 'trace_get', 'kb_search', 'memory_recall']);
    expect([...t.values()].every((x) => x.readOnly && x.source === 'builtin')).toBe(true);
    expect(t.get('prometheus_query')!.unavailable()).toMatch(/PROMETHEUS_URL/);
    expect(t.get('loki_query')!.unavailable()).toMatch(/LOKI_URL/);
    expect(t.get('trace_get')!.unavailable()).toMatch(/BRUNO_TEMPO_URL/);
    expect(t.get('alerts_active')!.unavailable()).not.toBeNull();
    expect(tools({ spans: () => [] }).get('trace_get')!.unavailable()).toBeNull();
  });

  it('prometheus_targets: a table of job, instance, health and the last error', async () => {
    const { fn, urls } = fakeFetch({
      '/prefix/api/v1/targets': {
        body: {
          status: 'success',
          data: {
            activeTargets: [
              { labels: { job: 'node', instance: 'nas:9100' }, health: 'down', lastError: 'connection refused', lastScrape: '2026-01-02T03:04:00.123Z' },
              { labels: { job: 'node', instance: 'pi:9100' }, health: 'up', lastError: '', lastScrape: '2026-01-02T03:04:01Z' },
              { labels: { job: 'other', instance: 'x' }, health: 'up' },
            ],
          },
        },
      },
    });
    const t = tools({ fetch: fn, settings: () => ({ prometheusUrl: 'http://127.0.0.1:9090/prefix/', lokiUrl: null, tempoUrl: null }) });
    const result = await run(t.get('prometheus_targets'), { job: 'node' });
    expect(result.isError).toBeFalsy();
    expect(result.text.split('\n')).toEqual([
      '2 targets, 1 not up',
      'job   instance  health  last scrape           last error',
      'node  nas:9100  down    2026-01-02T03:04:00Z  connection refused',
      'node  pi:9100   up      2026-01-02T03:04:01Z  ',
    ]);
    expect(urls[0]!.searchParams.get('state')).toBe('active');
  });

  it('loki_query: nanosecond range, newest first, lines grouped by stream; Loki errors as text', async () => {
    const { fn, urls } = fakeFetch({
      '/loki/api/v1/query_range': { body: { status: 'success', data: { resultType: 'streams', result: [{ stream: { job: 'nas' }, values: [['1767323040000000000', 'disk sda: I/O error'], ['1767323030000000000', 'smartd: ok']] }] } } },
    });
    const t = tools({ fetch: fn, settings: () => ({ prometheusUrl: null, lokiUrl: 'http://127.0.0.1:3100', tempoUrl: null }) });
    const result = await run(t.get('loki_query'), { query: '{job="nas"}', start: 'now-1h', limit: 9999 });
    expect(result.text).toBe('2 lines in 1 streams\n{job="nas"}\n  2026-01-02T03:04:00Z  disk sda: I/O error\n  2026-01-02T03:03:50Z  smartd: ok');
    const asked = urls[0]!.searchParams;
    expect(asked.get('start')).toBe(String(BigInt(now - 3_600_000) * 1_000_000n));
    expect(asked.get('end')).toBe(String(BigInt(now) * 1_000_000n));
    expect(asked.get('limit')).toBe('500');
    expect(asked.get('direction')).toBe('backward');

    const bad = fakeFetch({ '/loki/api/v1/query_range': { status: 400, body: 'parse error at line 1, col 5: syntax error' } });
    const t2 = tools({ fetch: bad.fn, settings: () => ({ prometheusUrl: null, lokiUrl: 'http://127.0.0.1:3100', tempoUrl: null }) });
    expect(await run(t2.get('loki_query'), { query: '{' })).toEqual({ text: 'Loki answered 400: parse error at line 1, col 5: syntax error', isError: true });
    expect(await run(t2.get('loki_query'), {})).toEqual({ text: "argument 'query' is required (a string)", isError: true });
  });

  it('an endless answer is read up to 8 MB, then refused and cancelled (never held whole)', async () => {
    let sent = 0;
    let cancelled = false;
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const endless = (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            sent += chunk.length;
            controller.enqueue(chunk);
          },
          cancel() {
            cancelled = true;
          },
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      )) as typeof fetch;
    const t = tools({ fetch: endless, settings: () => ({ prometheusUrl: 'http://127.0.0.1:9090', lokiUrl: null, tempoUrl: null }) });
    expect(await run(t.get('prometheus_query'), { query: 'up' })).toEqual({ text: 'Prometheus answered more than 8 MB; narrow the query', isError: true });
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThan(9 * 1024 * 1024);
  });

  it('trace_get: the in-app span tree first, Tempo when it is not there; a bad id is refused', async () => {
    const span = (id: string, parent: string | null, name: string, start: number, duration: number, status: SpanRecord['status'] = 'ok'): SpanRecord => ({ traceId: 'a'.repeat(32), spanId: id, parentSpanId: parent, name, kind: 'internal', startMs: start, durationMs: duration, status, statusMessage: status === 'error' ? 'boom' : null, attributes: {}, events: [] });
    const local = [span('2', '1', 'chat m', 1010, 80), span('1', null, 'agent.turn', 1000, 100), span('3', '1', 'execute_tool x', 1005, 4, 'error')];
    const tempo = fakeFetch({
      '/api/traces/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb': {
        body: { batches: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'nas-api' } }] }, scopeSpans: [{ spans: [{ spanId: 'x1', name: 'GET /health', startTimeUnixNano: '1000000000', endTimeUnixNano: '1250000000', status: { code: 2, message: 'timeout' } }] }] }] },
      },
    });
    const t = tools({ fetch: tempo.fn, spans: (id) => (id === 'a'.repeat(32) ? local : []), settings: () => ({ prometheusUrl: null, lokiUrl: null, tempoUrl: 'http://127.0.0.1:3200' }) });
    expect((await run(t.get('trace_get'), { trace_id: 'A'.repeat(32) })).text).toBe(
      '3 spans\nagent.turn  +0.0 ms  100.0 ms\n  execute_tool x  +5.0 ms  4.0 ms  (error, boom)\n  chat m  +10.0 ms  80.0 ms',
    );
    expect((await run(t.get('trace_get'), { trace_id: 'b'.repeat(32) })).text).toBe('1 spans\nGET /health  +0.0 ms  250.0 ms  (nas-api, error, timeout)');
    expect(await run(t.get('trace_get'), { trace_id: '../../etc/passwd' })).toMatchObject({ isError: true, text: expect.stringMatching(/is not a trace id/) });
    expect(tempo.urls).toHaveLength(1);
  });

  it('alerts_active: firing alerts as a table, and says when the list may be incomplete', async () => {
    const state: AlertsState = {
      mode: 'remote',
      alerts: [{ id: '1', name: 'NodeDiskFull', state: 'firing', severity: 'critical', summary: 'disk / on nas is 97% full', description: null, labels: {}, annotations: {}, activeSince: '2026-01-02T01:00:00Z', value: 0.97123456, source: 'prometheus', generatorUrl: null }],
      needsPrometheus: [],
      updatedAt: '2026-01-02T03:04:00Z',
      error: 'Alertmanager could not be read',
    };
    const t = tools({ alerts: { state: () => state } });
    expect((await run(t.get('alerts_active'), {})).text).toBe(
      '1 active alerts (Prometheus/Alertmanager)\nalert         state   severity  since                 value     summary\nNodeDiskFull  firing  critical  2026-01-02T01:00:00Z  0.971235  disk / on nas is 97% full\nnote: the list may be incomplete: Alertmanager could not be read',
    );
  });

  it('kb_search and memory_recall: passages with paths, memories with their kind; failures as results', async () => {
    const t = tools({
      knowledge: {
        async search(query, options) {
          expect(options.k).toBe(10);
          return { query, mode: 'hybrid', k: 10, hits: [{ id: 'h', path: 'runbooks/nas.md', heading: 'Disks', position: 0, snippet: 's', text: 'Replace the disk.', score: 1, scores: {} }], timings: { embedMs: 0, vectorMs: 0, ftsMs: 0, fuseMs: 0, totalMs: 0 }, annIndex: false, embeddingVersion: null };
        },
      },
      memory: {
        async listMemories() {
          return [{ id: 'm', type: 'semantic', text: 'The NAS is at 10.0.0.5', createdAt: '2026-01-01T00:00:00Z', source: 'user', conversationId: null, score: 0.9 }];
        },
      },
    });
    expect((await run(t.get('kb_search'), { query: 'disk', k: 50 })).text).toBe('[1] runbooks/nas.md > Disks\nReplace the disk.');
    expect((await run(t.get('memory_recall'), { query: 'nas' })).text).toBe('- (fact, 2026-01-01) The NAS is at 10.0.0.5');
    // A search during an ingestion tells the model that the newest chunks were not read yet.
    const busy = (hits: boolean) => tools({ knowledge: { search: async (query) => ({ query, mode: 'hybrid', k: 5, hits: hits ? [{ id: 'h', path: 'a.md', heading: '', position: 0, snippet: 's', text: 'A.', score: 1, scores: {} }] : [], timings: { embedMs: 0, vectorMs: 0, ftsMs: 0, fuseMs: 0, totalMs: 0 }, annIndex: true, embeddingVersion: null, unindexedRows: 12000 }) } });
    const note = 'about 12000 chunks from the running or last ingestion are still being indexed and were not searched; search again in a few seconds';
    expect((await run(busy(true).get('kb_search'), { query: 'a' })).text).toBe(`[1] a.md\nA.\n\n(${note})`);
    expect((await run(busy(false).get('kb_search'), { query: 'a' })).text).toBe(`no passages matched (${note})`);
    const broken = tools({ knowledge: { search: async () => Promise.reject(new Error('store is locked')) } });
    expect(await run(broken.get('kb_search'), { query: 'x' })).toEqual({ text: 'the knowledge base search failed: store is locked', isError: true });
  });
});
