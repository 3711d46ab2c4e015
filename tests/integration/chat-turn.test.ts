import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { splitIntoTokens, startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { Core } from '../../core/runtime';
import { closedPort, runTurn, testCore } from '../support/core-harness';

let fake: FakeOllama;
let core: Core;
const warnings: unknown[] = [];

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
  core = testCore({ OLLAMA_HOST: fake.url, BRUNO_FIRST_CHUNK_TIMEOUT_MS: '800', BRUNO_IDLE_CHUNK_TIMEOUT_MS: '400' }, warnings);
});
afterAll(async () => {
  await core.close();
  await fake.close();
});
afterEach(() => {
  fake.reset();
  warnings.length = 0;
});

describe('a chat turn against the fake Ollama', () => {
  it('streams the reply and ends with stats that match what Ollama reported', async () => {
    fake.configure({ replyText: 'The NAS is fine, its disks are healthy.', tokensPerSecond: 200, promptEvalMs: 150 });
    const turn = await runTurn(core, { message: 'How is the NAS?' });
    expect(turn.end.type, JSON.stringify(turn.end)).toBe('done');
    expect(turn.text).toBe('The NAS is fine, its disks are healthy.');
    if (turn.end.type !== 'done') return;
    const { stats } = turn.end;
    // Token events carry one network read each, so they are counted in words, as the fake sends them.
    expect(stats.output_tokens).toBe(splitIntoTokens('The NAS is fine, its disks are healthy.').length);
    expect(stats.input_tokens).toBeGreaterThan(0);
    expect(stats.model).toBe('llama3.1:8b');
    expect(stats.done_reason).toBe('stop');
    expect(stats.tokens_per_second).toBeGreaterThan(120);
    expect(stats.tokens_per_second).toBeLessThan(260);
    // Client-side TTFT covers the configured prompt evaluation delay.
    expect(stats.ttft_s).toBeGreaterThanOrEqual(0.14);
    // ...and is taken at the first chunk, not later: the rest of the answer streamed after it at the
    // fake's 200 tokens/s (a loaded machine only widens the gap; no wall-clock bound here).
    expect(stats.wall_duration_s - (stats.ttft_s ?? 0)).toBeGreaterThanOrEqual(((stats.output_tokens - 1) / 200) * 0.9);
    expect(stats.total_duration_s).toBeGreaterThan(0);
    expect(stats.wall_duration_s).toBeGreaterThanOrEqual(stats.ttft_s ?? 0);
  });

  it('keeps the history of a conversation and sends it with the next message', async () => {
    fake.configure({ replyText: 'First answer.' });
    const first = await runTurn(core, { message: 'first question' });
    fake.configure({ replyText: 'Second answer.' });
    await runTurn(core, { message: 'second question', conversationId: first.conversationId });
    const chats = fake.requests.filter((r) => r.path === '/api/chat');
    const last = chats[chats.length - 1]?.body as { messages: { role: string; content: string }[] };
    expect(last.messages).toEqual([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'First answer.' },
      { role: 'user', content: 'second question' },
    ]);
  });

  it('uses the model asked for', async () => {
    const turn = await runTurn(core, { message: 'hi', model: 'qwen2.5:0.5b' });
    expect(turn.end.type === 'done' && turn.end.stats.model).toBe('qwen2.5:0.5b');
  });
});

describe('every failure ends the turn with a specific error, never a hang', () => {
  it('Ollama unreachable', async () => {
    const port = await closedPort();
    const down = testCore({ OLLAMA_HOST: `http://127.0.0.1:${port}` });
    const turn = await runTurn(down, { message: 'hello' });
    await down.close();
    expect(turn.end).toEqual({ type: 'error', code: 'ollama_unreachable', message: `Cannot reach Ollama at http://127.0.0.1:${port} - is it running?` });
  });

  it('unknown model (404)', async () => {
    const turn = await runTurn(core, { message: 'hello', model: 'nope:1b' });
    expect(turn.end).toEqual({ type: 'error', code: 'model_not_found', message: "Model 'nope:1b' is not pulled - run `ollama pull nope:1b`" });
  });

  it('a 500 before streaming', async () => {
    fake.configure({ failure: { kind: 'http', status: 500, message: 'llama runner process has terminated' } });
    const turn = await runTurn(core, { message: 'hello' });
    expect(turn.end.type === 'error' && turn.end.code).toBe('ollama_error');
    expect(turn.end.type === 'error' && turn.end.message).toMatch(/answered 500: llama runner process has terminated/);
  });

  it('an error line in the middle of the stream', async () => {
    fake.configure({ failure: { kind: 'midstream-error', afterTokens: 3, message: 'out of memory' } });
    const turn = await runTurn(core, { message: 'hello' });
    // What streamed before the error line reaches the user; nothing after it.
    expect(turn.text.split(' ').filter(Boolean)).toHaveLength(3);
    expect(turn.end).toMatchObject({ type: 'error', code: 'ollama_error' });
    expect(turn.end.type === 'error' && turn.end.message).toMatch(/failed while answering with 'llama3.1:8b': out of memory/);
  });

  it('a dropped connection', async () => {
    fake.configure({ failure: { kind: 'drop', afterTokens: 5 } });
    const turn = await runTurn(core, { message: 'hello' });
    expect(turn.end).toMatchObject({ type: 'error', code: 'stream_interrupted' });
    expect(turn.end.type === 'error' && turn.end.message).toMatch(/dropped in the middle of the answer \(after 5 chunks\)/);
  });

  it('a stream that ends without its done message', async () => {
    fake.configure({ failure: { kind: 'no-done', afterTokens: 4 } });
    const turn = await runTurn(core, { message: 'hello' });
    expect(turn.end).toMatchObject({ type: 'error', code: 'stream_interrupted' });
    expect(turn.end.type === 'error' && turn.end.message).toMatch(/ended early, without its final message/);
  });

  it('a stall in the middle of the answer hits the idle timeout', async () => {
    fake.configure({ failure: { kind: 'stall', afterTokens: 2 } });
    const started = performance.now();
    const turn = await runTurn(core, { message: 'hello' });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(turn.end).toMatchObject({ type: 'error', code: 'stream_stalled' });
    expect(turn.end.type === 'error' && turn.end.message).toMatch(/stopped sending for 0 s|stopped sending for \d+ s/);
  });

  it('a stall before the first chunk hits the first-chunk timeout', async () => {
    fake.configure({ failure: { kind: 'stall', afterTokens: 0 } });
    const turn = await runTurn(core, { message: 'hello' });
    expect(turn.end).toMatchObject({ type: 'error', code: 'stream_stalled' });
    expect(turn.end.type === 'error' && turn.end.message).toMatch(/sent nothing for \d+ s after the request for 'llama3.1:8b'/);
  });

  it('stop ends the turn at once as cancelled', async () => {
    fake.configure({ tokensPerSecond: 50, replyTokens: 500 });
    const events: { type: string }[] = [];
    const turn = core.agent.startTurn({ message: 'long story' }, (e) => {
      events.push(e);
      if (events.length === 3) core.agent.stop(turn.turnId);
    });
    const end = await turn.finished;
    expect(end).toEqual({ type: 'error', code: 'cancelled', message: 'Stopped.' });
    expect(events.filter((e) => e.type === 'token').length).toBeLessThan(10);
    expect(core.agent.stop(turn.turnId)).toBe(false);
    // The stopped exchange stays in the conversation: the next message carries it.
    fake.configure({ tokensPerSecond: 0, replyText: 'ok' });
    await runTurn(core, { message: 'go on', conversationId: turn.conversationId });
    const last = fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(last.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(last.messages[0]?.content).toBe('long story');
    expect(last.messages[1]?.content.length).toBeGreaterThan(0);
  });

  it('a malformed line is skipped and reported, and the answer completes', async () => {
    fake.configure({ replyText: 'one two three four', failure: { kind: 'malformed', afterTokens: 2, line: '{"model":"llama3.1' } });
    const turn = await runTurn(core, { message: 'hello' });
    expect(turn.end.type).toBe('done');
    expect(turn.text).toBe('one two three four');
    expect(warnings).toEqual([[expect.stringMatching(/not JSON/), '{"model":"llama3.1']]);
  });
});

describe('contract handlers', () => {
  it('chat.send answers at once and streams batched chat.event payloads', async () => {
    fake.configure({ tokensPerSecond: 0, replyTokens: 400 });
    const batches: { turnId: string; events: { type: string }[] }[] = [];
    const ended = new Promise<void>((resolve) => {
      const off = core.events.on('chat.event', (batch) => {
        batches.push(batch);
        if (batch.events.some((e) => e.type === 'done' || e.type === 'error')) {
          off();
          resolve();
        }
      });
    });
    const accepted = await core.handlers['chat.send']({ message: 'go', turnId: 'turn-1' });
    expect(accepted.turnId).toBe('turn-1');
    await ended;
    expect(batches.every((b) => b.turnId === 'turn-1')).toBe(true);
    const tokens = batches.flatMap((b) => b.events).filter((e) => e.type === 'token');
    // 400 tokens as fast as possible arrive in far fewer messages than tokens.
    expect(batches.length).toBeLessThan(100);
    expect(tokens.length).toBeLessThan(400);
    expect(batches.at(-1)?.events.at(-1)?.type).toBe('done');
  });

  it('models.list joins pulled and loaded models', async () => {
    await runTurn(core, { message: 'load it', model: 'qwen2.5:0.5b' });
    const models = await core.handlers['models.list'](undefined);
    const qwen = models.find((m) => m.name === 'qwen2.5:0.5b');
    expect(qwen).toMatchObject({ loaded: true, family: expect.any(String) });
    expect(qwen?.contextLength).toBeGreaterThan(0);
    expect(models.map((m) => m.name)).toContain('llama3.1:8b');
  });

  it('health.get reports a reachable Ollama with its version, and a dead one as down', async () => {
    const ok = await core.handlers['health.get'](undefined);
    expect(ok).toMatchObject({ status: 'ok', ollama: { reachable: true, version: expect.any(String), url: fake.url } });
    const port = await closedPort();
    const down = testCore({ OLLAMA_HOST: `http://127.0.0.1:${port}` });
    const state = await down.handlers['health.get'](undefined);
    await down.close();
    expect(state).toMatchObject({ status: 'down', ollama: { reachable: false, error: `Cannot reach Ollama at http://127.0.0.1:${port} - is it running?` } });
  });
});
