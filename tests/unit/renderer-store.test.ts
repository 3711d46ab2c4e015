import { describe, expect, it } from 'vitest';
import type { TurnStats } from '../../core/common';
import { createAppStore, type AppStore } from '../../renderer/src/app/store';
import { selectCanSend, selectIsTurnRunning } from '../../renderer/src/features/chat/selectors';
import { formatStats, statParts } from '../../renderer/src/shared/format';

/** A hand-cranked animation frame: callbacks run only when the test says a frame passed. */
function manualFrames() {
  const queue: Array<() => void> = [];
  return {
    schedule: (cb: () => void) => void queue.push(cb),
    frame() {
      const due = queue.splice(0);
      due.forEach((cb) => cb());
      return due.length;
    },
    get pending() {
      return queue.length;
    },
  };
}

const stats: TurnStats = {
  model: 'llama3.1:8b',
  ttft_s: 0.123,
  tokens_per_second: 42.57,
  input_tokens: 12,
  output_tokens: 34,
  context_window: 8192,
  context_usage_ratio: 0.006,
  load_duration_s: 0.01,
  total_duration_s: 1.5,
  wall_duration_s: 1.61,
  done_reason: 'stop',
  trace_id: null,
};

function setup() {
  const frames = manualFrames();
  const store = createAppStore({ scheduleFrame: frames.schedule });
  store.getState().chat.beginTurn({ turnId: 't1', text: 'hello', model: null });
  return { frames, store };
}

const assistant = (store: AppStore) => store.getState().chat.messages.find((m) => m.role === 'assistant')!;
const tokens = (turnId: string, ...texts: string[]) => ({
  turnId,
  conversationId: 'c1',
  events: texts.map((text) => ({ type: 'token' as const, text })),
});

describe('chat slice', () => {
  it('adds the user message and a streaming answer when a turn begins', () => {
    const { store } = setup();
    const { messages, activeTurnId } = store.getState().chat;
    expect(messages.map((m) => [m.role, m.status, m.text])).toEqual([
      ['user', 'done', 'hello'],
      ['assistant', 'streaming', ''],
    ]);
    expect(activeTurnId).toBe('t1');
    expect(selectIsTurnRunning(store.getState())).toBe(true);
    expect(selectCanSend(store.getState())).toBe(false);
  });

  it('buffers chunks and writes them to state at most once per animation frame', () => {
    const { frames, store } = setup();
    let updates = 0;
    store.subscribe(() => updates++);
    const chat = store.getState().chat;
    chat.receiveBatch(tokens('t1', 'Hel', 'lo'));
    chat.receiveBatch(tokens('t1', ', wor'));
    chat.receiveBatch(tokens('t1', 'ld'));
    expect(assistant(store).text).toBe('');
    expect(updates).toBe(0);
    expect(frames.pending).toBe(1);
    frames.frame();
    expect(assistant(store).text).toBe('Hello, world');
    expect(updates).toBe(1);
    chat.receiveBatch(tokens('t1', '!'));
    frames.frame();
    expect(assistant(store).text).toBe('Hello, world!');
    expect(updates).toBe(2);
  });

  it('keeps whitespace and thinking text apart from the answer', () => {
    const { frames, store } = setup();
    store.getState().chat.receiveBatch({
      turnId: 't1',
      conversationId: 'c1',
      events: [
        { type: 'thinking', text: 'hmm ' },
        { type: 'token', text: '  a\n\tb ' },
      ],
    });
    frames.frame();
    expect(assistant(store).text).toBe('  a\n\tb ');
    expect(assistant(store).thinking).toBe('hmm ');
  });

  it('finishes with stats: pending chunks flushed first, turn released, conversation kept', () => {
    const { frames, store } = setup();
    store.getState().chat.receiveBatch({
      turnId: 't1',
      conversationId: 'c1',
      events: [
        { type: 'token', text: 'last words' },
        { type: 'done', conversationId: 'c1', messageId: 'm1', stats, sources: [] },
      ],
    });
    const answer = assistant(store);
    expect(answer.text).toBe('last words');
    expect(answer.status).toBe('done');
    expect(answer.stats).toEqual(stats);
    expect(store.getState().chat.activeTurnId).toBeNull();
    expect(store.getState().chat.conversationId).toBe('c1');
    expect(selectCanSend(store.getState())).toBe(true);
    // The frame scheduled for the token finds nothing left to do.
    frames.frame();
    expect(assistant(store).text).toBe('last words');
  });

  it('an error event marks the answer failed and raises the banner until dismissed', () => {
    const { store } = setup();
    const message = 'Cannot reach Ollama at http://127.0.0.1:1 - is it running?';
    store.getState().chat.receiveBatch({
      turnId: 't1',
      conversationId: 'c1',
      events: [{ type: 'error', code: 'ollama_unreachable', message }],
    });
    expect(assistant(store).status).toBe('error');
    expect(assistant(store).error).toEqual({ code: 'ollama_unreachable', message });
    expect(store.getState().chat.error).toEqual({ code: 'ollama_unreachable', message });
    expect(store.getState().chat.activeTurnId).toBeNull();
    store.getState().chat.dismissError();
    expect(store.getState().chat.error).toBeNull();
  });

  it('stop: stopping while the end is pending, then `cancelled` shows as stopped, not as an error', () => {
    const { frames, store } = setup();
    const chat = store.getState().chat;
    chat.receiveBatch(tokens('t1', 'partial'));
    frames.frame();
    chat.setStopping('t1', true);
    expect(store.getState().chat.stopping).toBe(true);
    chat.receiveBatch({ turnId: 't1', conversationId: 'c1', events: [{ type: 'error', code: 'cancelled', message: 'Stopped by the user' }] });
    const s = store.getState().chat;
    expect(assistant(store).status).toBe('stopped');
    expect(assistant(store).text).toBe('partial');
    expect(s.error).toBeNull();
    expect(s.stopping).toBe(false);
    expect(s.activeTurnId).toBeNull();
  });

  it('ignores events of other turns and events after the end', () => {
    const { frames, store } = setup();
    const chat = store.getState().chat;
    chat.receiveBatch(tokens('someone-else', 'not mine'));
    chat.receiveBatch({ turnId: 't1', conversationId: 'c1', events: [{ type: 'done', conversationId: 'c1', messageId: 'm', stats, sources: [] }] });
    chat.receiveBatch(tokens('t1', 'late'));
    frames.frame();
    expect(assistant(store).text).toBe('');
    expect(assistant(store).status).toBe('done');
  });

  it('endTurnLocally ends a turn whose events will never come (send failed)', () => {
    const { store } = setup();
    store.getState().chat.endTurnLocally('t1', { status: 'error', error: { code: 'model_not_found', message: 'pull it' } });
    expect(assistant(store).status).toBe('error');
    expect(store.getState().chat.error?.code).toBe('model_not_found');
    expect(store.getState().chat.activeTurnId).toBeNull();
  });

  it('only the streaming message changes identity on a flush', () => {
    const { frames, store } = setup();
    const before = store.getState().chat.messages;
    store.getState().chat.receiveBatch(tokens('t1', 'x'));
    frames.frame();
    const after = store.getState().chat.messages;
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });
});

describe('other slices', () => {
  it('models: loading, loaded, selection, failure', () => {
    const store = createAppStore();
    const models = () => store.getState().models;
    models().loading();
    expect(models().status).toBe('loading');
    models().loaded([{ name: 'a', family: null, parameterSize: null, quantization: null, sizeBytes: 1, loaded: true, contextLength: 4096, sizeVramBytes: 1, isDefault: false }]);
    expect(models().status).toBe('ready');
    models().select('a');
    expect(models().selected).toBe('a');
    models().failed('down');
    expect(models()).toMatchObject({ status: 'error', error: 'down', selected: 'a' });
  });

  it('connection: sending needs an open connection', () => {
    const store = createAppStore({ connection: { status: 'connecting', detail: null, retryInMs: null } });
    expect(selectCanSend(store.getState())).toBe(false);
    store.getState().connection.update({ status: 'open', detail: null, retryInMs: null });
    expect(selectCanSend(store.getState())).toBe(true);
    store.getState().connection.update({ status: 'lost', detail: 'gone', retryInMs: 1000 });
    expect(store.getState().connection).toMatchObject({ status: 'lost', detail: 'gone', retryInMs: 1000 });
    expect(selectCanSend(store.getState())).toBe(false);
  });
});

describe('formatStats', () => {
  it('shows TTFT, tokens/s, tokens in/out, duration and done reason', () => {
    expect(formatStats(stats)).toEqual(['TTFT 0.12 s', '42.6 tok/s', '12 in / 34 out', 'context 0.6% of 8,192', '1.61 s', 'done: stop', 'llama3.1:8b']);
    expect(formatStats({ ...stats, ttft_s: null, tokens_per_second: null, done_reason: null })).toContain('done: unknown');
  });

  it('counts model rounds and tool time apart from generation when the turn used tools', () => {
    const withTools = { ...stats, model_rounds: 2, tool_calls: 1, tool_duration_s: 0.3404 };
    expect(formatStats(withTools)).toEqual(['2 model rounds', 'tools 340 ms', 'TTFT 0.12 s', '42.6 tok/s', '12 in / 34 out', 'context 0.6% of 8,192', '1.61 s', 'done: stop', 'llama3.1:8b']);
    const part = statParts(withTools).find((p) => p.key === 'tools')!;
    expect(part).toMatchObject({ value: '340.4' });
    expect(part.title).toMatch(/^1 tool call;/);
    // Tools offered but not called, and a turn without tools: nothing about tools.
    expect(formatStats({ ...stats, model_rounds: 1, tool_calls: 0, tool_duration_s: 0 })[0]).toBe('TTFT 0.12 s');
    expect(statParts(stats).map((p) => p.key)).not.toContain('rounds');
    // A denied-only round: two requests, no tool time.
    expect(formatStats({ ...stats, model_rounds: 2, tool_calls: 1, tool_duration_s: 0 }).slice(0, 2)).toEqual(['2 model rounds', 'tools 0 ms']);
  });
});
