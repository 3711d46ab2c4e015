import { describe, expect, it } from 'vitest';
import { runChatTurn } from '../../core/agent/chat-turn';
import { computeTurnStats } from '../../core/agent';
import type { TurnEvent } from '../../core/common/turn';
import { createSettingsStore, loadSettings } from '../../core/config';
import type { ChatResponse, OllamaClient } from '../../core/llm';
import { createInMemoryConversationStore, type ConversationStore } from '../../core/memory';
import { createTelemetry } from '../../core/telemetry/create-telemetry';
import type { TurnObserver, TurnTelemetry } from '../../core/telemetry/turn-telemetry';

const at = new Date('2025-01-01T00:00:00Z');
const part = (content: string): ChatResponse => ({ model: 'm', created_at: at, message: { role: 'assistant', content }, done: false }) as ChatResponse;
const done: ChatResponse = { model: 'm', created_at: at, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', total_duration: 1e6, load_duration: 0, prompt_eval_count: 1, prompt_eval_duration: 1, eval_count: 2, eval_duration: 1e6 } as ChatResponse;
const limits = { firstChunkTimeoutMs: 5000, idleChunkTimeoutMs: 5000 };
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * A client that answers as a network does: the request is sent when chatStream is called, and
 * each read arrives in a later event-loop turn (a timer here, a socket poll for real).
 */
function networkClient(log: string[], reads: ChatResponse[][], ...laterRounds: ChatResponse[][][]): OllamaClient {
  // One round logs `request`; a turn of several rounds logs `request 1`, `request 2`, ...
  const rounds = [reads, ...laterRounds];
  let round = 0;
  return {
    host: 'http://127.0.0.1:11434',
    async chatStream() {
      log.push(rounds.length > 1 ? `request ${round + 1}` : 'request');
      const reads = rounds[round++]!;
      return (async function* () {
        for (const read of reads) {
          await macrotask();
          log.push(`read ${read.length}`);
          yield read;
        }
      })();
    },
  } as unknown as OllamaClient;
}

/** The in-memory store, with each call written to the log. */
function loggedStore(log: string[]): ConversationStore {
  const store = createInMemoryConversationStore();
  return {
    history: (id) => store.history(id),
    async beginTurn(turn) {
      log.push(`begin "${turn.user.content}"`);
      const recorder = await store.beginTurn(turn);
      return {
        progress: (answer, id) => recorder.progress(answer, id),
        end: (outcome) => {
          log.push(`end ${outcome.status}`);
          return recorder.end(outcome);
        },
      };
    },
  };
}

function loggedTelemetry(log: string[]): TurnTelemetry {
  return {
    startTurn(): TurnObserver {
      return {
        traceId: null,
        spanContext: null,
        context: null,
        prompt: () => log.push('telemetry prompt'),
        firstChunk: () => log.push('telemetry firstChunk'),
        streamEnded: () => log.push('telemetry streamEnded'),
        roundEnded: () => log.push('telemetry roundEnded'),
        succeeded: () => log.push('telemetry succeeded'),
        failed: (error) => log.push(`telemetry failed ${error.code}`),
      };
    },
  };
}

async function turn(log: string[], client: OllamaClient, conversations = loggedStore(log)) {
  let n = 0;
  const end = await runChatTurn(
    { client, conversations, limits, newId: () => `id${n++}`, telemetry: loggedTelemetry(log) },
    { turnId: 't1', conversationId: 'c1', model: 'm', message: 'hi' },
    (event: TurnEvent) => {
      if (event.type !== 'token') log.push(`event ${event.type}`);
    },
    new AbortController(),
  );
  log.push('finished');
  return { end, conversations };
}

describe('the order of a chat turn', () => {
  it('sends the request first, records the question while it travels, and before any of the answer is read', async () => {
    const log: string[] = [];
    const { end, conversations } = await turn(log, networkClient(log, [[part('He'), part('llo')], [done]]));
    expect(end.type).toBe('done');
    expect(log.slice(0, 4)).toEqual(['telemetry prompt', 'request', 'begin "hi"', 'read 2']);
    expect((await conversations.history('c1')).map((m) => m.content)).toEqual(['hi', 'Hello']);
  });

  it('prepares history, recall and retrieval side by side: the request waits for the slowest, not their sum', async () => {
    const log: string[] = [];
    const slow = <T>(what: string, value: T, ms: number) =>
      new Promise<T>((resolve) => {
        log.push(`${what} started`);
        setTimeout(() => {
          log.push(`${what} done`);
          resolve(value);
        }, ms);
      });
    const store = loggedStore(log);
    const conversations: ConversationStore = { ...store, history: (id) => slow('history', [], 200).then(() => store.history(id)) };
    const started = performance.now();
    let sentAt = 0;
    const client = networkClient(log, [[part('ok'), done]]);
    const timed = { ...client, host: client.host, chatStream: (r: Parameters<OllamaClient['chatStream']>[0]) => ((sentAt = performance.now()), client.chatStream(r)) } as OllamaClient;
    let n = 0;
    const end = await runChatTurn(
      {
        client: timed,
        conversations,
        limits,
        newId: () => `id${n++}`,
        memory: { prepare: () => slow('recall', { system: 'Known: the NAS is nas-1.', instructions: [], facts: [], learned: [] }, 200) },
        retrieve: () => slow('retrieval', null, 200),
      },
      { turnId: 't1', conversationId: 'c1', model: 'm', message: 'hi' },
      () => {},
      new AbortController(),
    );
    expect(end.type).toBe('done');
    // All three start before any of them is done.
    expect(log.slice(0, 3).sort()).toEqual(['history started', 'recall started', 'retrieval started']);
    // 200 ms each: side by side about 200 ms, history first and then the others 400 ms.
    expect(sentAt - started).toBeGreaterThanOrEqual(190);
    expect(sentAt - started).toBeLessThan(350);
  });

  it('gives the retrieval a promise that settles at the first token, not before the request is sent (an ingestion is held until then)', async () => {
    const log: string[] = [];
    let until: Promise<unknown> | undefined;
    const client = networkClient(log, [[part('He')], [part('llo'), done]]);
    const watched = {
      ...client,
      host: client.host,
      chatStream: (r: Parameters<OllamaClient['chatStream']>[0]) => {
        log.push('until settled at request: ' + String(settled));
        return client.chatStream(r);
      },
    } as OllamaClient;
    let settled = false;
    let n = 0;
    const end = await runChatTurn(
      {
        client: watched,
        conversations: loggedStore(log),
        limits,
        newId: () => `id${n++}`,
        retrieve: async (_q, options) => {
          until = options.until;
          void until?.then(() => {
            settled = true;
            log.push('until settled');
          });
          return null;
        },
      },
      { turnId: 't1', conversationId: 'c1', model: 'm', message: 'hi' },
      () => {},
      new AbortController(),
    );
    expect(end.type).toBe('done');
    expect(until).toBeDefined();
    expect(log).toContain('until settled at request: false');
    // Settled once the first read was there, before the second.
    expect(log.indexOf('until settled')).toBeGreaterThan(log.indexOf('read 1'));
    expect(log.indexOf('until settled')).toBeLessThan(log.lastIndexOf('read 2'));
  });

  it('settles the retrieval\'s promise when the turn fails before any token', async () => {
    let until: Promise<unknown> | undefined;
    const failing = { host: 'http://127.0.0.1:11434', chatStream: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as OllamaClient;
    let n = 0;
    const end = await runChatTurn(
      { client: failing, conversations: createInMemoryConversationStore(), limits, newId: () => `id${n++}`, retrieve: async (_q, options) => ((until = options.until), null) },
      { turnId: 't1', conversationId: 'c1', model: 'm', message: 'hi' },
      () => {},
      new AbortController(),
    );
    expect(end.type).toBe('error');
    await expect(until).resolves.toBeUndefined();
  });

  it('records the question and the failure when the request fails at once', async () => {
    const log: string[] = [];
    const failing = {
      host: 'http://127.0.0.1:1',
      async chatStream() {
        log.push('request');
        throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
      },
    } as unknown as OllamaClient;
    const { end } = await turn(log, failing);
    expect(end.type).toBe('error');
    // The failure is known before the question's write comes round; the turn waits for it, so
    // the question and its error are both recorded before the error event goes out.
    expect(log).toEqual(['telemetry prompt', 'request', 'telemetry failed ollama_unreachable', 'begin "hi"', 'end error', 'event error', 'finished']);
  });

  it('delivers done first, then stores the answer and records the telemetry, all before it finishes', async () => {
    const log: string[] = [];
    const { conversations } = await turn(log, networkClient(log, [[part('He')], [part('llo'), done]]));
    expect(log.slice(log.indexOf('read 2'))).toEqual(['read 2', 'telemetry streamEnded', 'event done', 'end done', 'telemetry succeeded', 'finished']);
    expect((await conversations.history('c1')).map((m) => m.content)).toEqual(['hi', 'Hello']);
  });
});

describe('the telemetry of a tool round', () => {
  it('is recorded while the next request travels: after it was sent, before any of its answer and before done', async () => {
    const log: string[] = [];
    const toolCall = { model: 'm', created_at: at, message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { q: 'x' } } }] }, done: false } as unknown as ChatResponse;
    const client = networkClient(log, [[toolCall], [done]], [[part('ok'), done]]);
    const tool = { name: 'lookup', description: 'd', parameters: { type: 'object' as const, properties: {} }, readOnly: true, source: 'builtin', unavailable: () => null, run: async () => ({ text: 'found' }) };
    const telemetry = loggedTelemetry(log);
    const observed: TurnTelemetry = {
      startTurn(start) {
        const observer = telemetry.startTurn(start);
        return { ...observer, roundEnded: (_final, defer) => (defer ?? ((work: () => void) => work()))(() => log.push('round span ended')) };
      },
    };
    let n = 0;
    const end = await runChatTurn(
      {
        client,
        conversations: createInMemoryConversationStore(),
        limits,
        newId: () => `id${n++}`,
        telemetry: observed,
        tools: {
          registry: { active: () => [{ tool, policy: 'allow' as const }] },
          capabilities: { supportsTools: async () => true, clear() {} },
          limits: () => ({ maxRounds: 5, callTimeoutMs: 1000, resultTokenBudget: 2000 }),
          telemetry: { startCall: () => ({ context: null, end: (e) => log.push(`tool span ended ${e.outcome} at ${typeof e.at}`) }) },
        },
      },
      { turnId: 't1', conversationId: 'c1', model: 'm', message: 'hi' },
      (event) => {
        if (event.type === 'tool') log.push(`event tool ${event.call.status}`);
        else if (event.type !== 'token') log.push(`event ${event.type}`);
      },
      new AbortController(),
    );
    expect(end.type).toBe('done');
    const from = log.indexOf('event tool ok');
    expect(log.slice(from, from + 6)).toEqual(['event tool ok', 'telemetry prompt', 'request 2', 'round span ended', 'tool span ended ok at number', 'read 2']);
    expect(log.indexOf('event done')).toBeGreaterThan(log.indexOf('tool span ended ok at number'));
  });
});

describe('turn telemetry recorded after the answer went out', () => {
  it('ends the chat span and the request duration where the stream ended, not where succeeded was called', async () => {
    const env = { BRUNO_DATA_DIR: '/nonexistent-bruno-test', BRUNO_METRICS_ADDR: '' };
    const settings = loadSettings({ env, readFile: () => null });
    const telemetry = createTelemetry({ settings: createSettingsStore(settings), serviceVersion: 'test', log: () => {}, redact: (t) => t, report: (err) => { throw err; } });
    try {
      const observer = telemetry.turns.startTurn({ turnId: 't', conversationId: 'c', model: 'm', host: 'http://127.0.0.1:11434', messages: [{ role: 'user', content: 'hi' }] });
      observer.firstChunk(0.001);
      observer.streamEnded();
      await new Promise((resolve) => setTimeout(resolve, 80));
      const stats = computeTurnStats(done, { model: 'm', ttftSeconds: 0.001, wallSeconds: 0.002, contextWindow: 4096, traceId: observer.traceId });
      observer.succeeded({ final: done, stats, answer: 'Hello', window: { tokens: 4096, source: 'ps' }, chunks: 2 });

      const spans = telemetry.spans(observer.traceId!);
      const chat = spans.find((s) => s.name === 'chat m')!;
      const root = spans.find((s) => s.name === 'agent.turn')!;
      expect(chat.durationMs).toBeLessThan(40);
      expect(root.durationMs).toBeGreaterThanOrEqual(75);
      const duration = await telemetry.registry.getSingleMetric('agent_ollama_request_duration_seconds')!.get();
      const sumValue = (duration.values as { metricName?: string; value: number }[]).find((v) => v.metricName === 'agent_ollama_request_duration_seconds_sum')!.value;
      expect(sumValue).toBeLessThan(0.04);
    } finally {
      await telemetry.shutdown();
    }
  });
});

describe('a listener that fails on done', () => {
  it('leaves the turn done, its answer stored and its telemetry recorded, and says so', async () => {
    const log: string[] = [];
    const warnings: string[] = [];
    const conversations = loggedStore(log);
    let n = 0;
    const end = await runChatTurn(
      { client: networkClient(log, [[part('Hi'), done]]), conversations, limits, newId: () => `id${n++}`, telemetry: loggedTelemetry(log), warn: (message) => warnings.push(message) },
      { turnId: 't1', conversationId: 'c1', model: 'm', message: 'hi' },
      (event) => {
        if (event.type === 'done') throw new Error('listener broke');
      },
      new AbortController(),
    );
    expect(end.type).toBe('done');
    expect(log.slice(-2)).toEqual(['end done', 'telemetry succeeded']);
    expect(warnings).toEqual(['a listener of the turn failed on its done event']);
    expect((await conversations.history('c1')).map((m) => m.content)).toEqual(['hi', 'Hi']);
  });
});
