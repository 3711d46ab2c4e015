import { Ollama, type ChatResponse } from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOllamaClient, classifyOllamaError } from '../../core/llm';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { BehaviourPatch } from '../fake-ollama';

/**
 * core/llm reads the chat stream itself (chat-stream.ts) instead of through ollama-js. This holds
 * it to ollama-js on the same wire: the same chunks in the same order, and the same error for
 * every failure the fake can produce, as classifyOllamaError sees it.
 */
let fake: FakeOllama;

beforeAll(async () => {
  fake = await startFakeOllama();
});
afterEach(() => {
  fake.reset();
  vi.restoreAllMocks();
});
afterAll(async () => {
  await fake.close();
});

interface Outcome {
  chunks: ChatResponse[];
  error: { name: string; message: string; status_code?: number; code: string } | null;
}

const request = { model: 'llama3.1:8b', messages: [{ role: 'user', content: 'How is the NAS?' }] };
// Timings and dates differ between two requests; everything else must be the same.
const volatile = new Set(['created_at', 'total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']);
const stable = (chunk: ChatResponse) => Object.fromEntries(Object.entries(chunk).filter(([key]) => !volatile.has(key)));

function outcome(chunks: ChatResponse[], err: unknown): Outcome {
  if (err === null) return { chunks, error: null };
  const e = err as { name: string; message: string; status_code?: number };
  const code = classifyOllamaError(err, { host: fake.url, model: request.model, chunksReceived: chunks.length }).code;
  return { chunks, error: { name: e.name, message: e.message, ...(e.status_code !== undefined ? { status_code: e.status_code } : {}), code } };
}

async function viaOllamaJs(): Promise<Outcome> {
  const chunks: ChatResponse[] = [];
  try {
    for await (const chunk of await new Ollama({ host: fake.url }).chat({ ...request, stream: true })) chunks.push(chunk);
    return outcome(chunks, null);
  } catch (err) {
    return outcome(chunks, err);
  }
}

async function viaCoreLlm(malformed: string[] = []): Promise<Outcome> {
  const chunks: ChatResponse[] = [];
  try {
    const client = createOllamaClient({ host: fake.url, onMalformedLine: (line) => malformed.push(line) });
    for await (const batch of await client.chatStream(request)) chunks.push(...batch);
    return outcome(chunks, null);
  } catch (err) {
    return outcome(chunks, err);
  }
}

async function expectSame(patch: BehaviourPatch): Promise<Outcome> {
  fake.configure(patch);
  const theirs = await viaOllamaJs();
  const ours = await viaCoreLlm();
  expect(ours.error).toEqual(theirs.error);
  expect(ours.chunks.map(stable)).toEqual(theirs.chunks.map(stable));
  return ours;
}

describe('core/llm chat stream against ollama-js on the same fake', () => {
  it('a whole answer: the same chunks, ending with the same done chunk', async () => {
    const ours = await expectSame({ replyTokens: 300, tokensPerSecond: 0 });
    expect(ours.chunks).toHaveLength(301);
    expect(ours.chunks.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: 300 });
  });

  it('a paced answer with thinking chunks first', async () => {
    await expectSame({ replyTokens: 20, thinking: 5, tokensPerSecond: 400 });
  });

  it('unknown model: ResponseError 404 with Ollama\'s message', async () => {
    const ours = await expectSame({ models: [] } as BehaviourPatch);
    expect(ours.error).toMatchObject({ name: 'ResponseError', status_code: 404, code: 'model_not_found' });
  });

  it('a 500 before streaming', async () => {
    const ours = await expectSame({ failure: { kind: 'http', status: 500, message: 'llama runner process has terminated' } });
    expect(ours.error).toMatchObject({ status_code: 500, message: 'llama runner process has terminated' });
  });

  it('an error line in the middle: what came before, then a plain Error', async () => {
    const ours = await expectSame({ failure: { kind: 'midstream-error', afterTokens: 4, message: 'out of memory' } });
    expect(ours.chunks).toHaveLength(4);
    expect(ours.error).toMatchObject({ name: 'Error', message: 'out of memory', code: 'ollama_error' });
  });

  it('a stream that ends without done', async () => {
    const ours = await expectSame({ failure: { kind: 'no-done', afterTokens: 6 } });
    expect(ours.error?.code).toBe('stream_interrupted');
  });

  it('a dropped connection', async () => {
    const ours = await expectSame({ failure: { kind: 'drop', afterTokens: 5 } });
    expect(ours.error?.code).toBe('stream_interrupted');
  });

  it('a malformed line: both skip it; core/llm reports it instead of printing a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    fake.configure({ replyTokens: 10, failure: { kind: 'malformed', afterTokens: 3, line: '{"model":"llama3.1' } });
    const theirs = await viaOllamaJs();
    const malformed: string[] = [];
    const ours = await viaCoreLlm(malformed);
    expect(ours.chunks.map(stable)).toEqual(theirs.chunks.map(stable));
    expect(ours.error).toEqual(theirs.error);
    expect(malformed).toEqual(['{"model":"llama3.1']);
    expect(warn).toHaveBeenCalledTimes(1); // ollama-js's console.warn, not ours
  });

  it('sends the same request body as ollama-js', async () => {
    fake.configure({ replyTokens: 2 });
    await viaOllamaJs();
    await viaCoreLlm();
    const [theirs, ours] = fake.requests.filter((r) => r.path === '/api/chat').map((r) => r.body);
    expect(ours).toEqual(theirs);
  });
});
