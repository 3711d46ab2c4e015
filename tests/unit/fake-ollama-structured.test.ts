import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BehaviourError, startFakeOllama, type FakeOllama } from '../fake-ollama';
import { structuredReply } from '../fake-ollama/structured';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
});
afterAll(async () => {
  await fake.close();
});

describe('fake Ollama: structured outputs', () => {
  it('builds a document from the schema: configured values by name, else a value of each type', () => {
    const schema = {
      type: 'object',
      properties: {
        score: { type: 'number', minimum: 0, maximum: 1 },
        big: { type: 'number', minimum: 5 },
        n: { type: 'integer', minimum: 3 },
        ok: { type: 'boolean' },
        kind: { enum: ['a', 'b'] },
        nested: { type: 'object', properties: { score: { type: 'number' }, list: { type: 'array' } } },
      },
    };
    expect(JSON.parse(structuredReply(schema, {}))).toEqual({ score: 0.8, big: 5, n: 3, ok: false, kind: 'a', nested: { score: 0.8, list: [] } });
    expect(JSON.parse(structuredReply(schema, { values: { score: 'high', ok: true } }))).toMatchObject({ score: 'high', ok: true, nested: { score: 'high' } });
    expect(JSON.parse(structuredReply('json', { values: { a: 1 } }))).toEqual({ a: 1 });
    expect(() => JSON.parse(structuredReply(schema, { mode: 'malformed' }))).toThrow(SyntaxError);
  });

  it('answers /api/chat with format as that JSON (streamed or not); without format as before', async () => {
    fake.configure({ structured: { values: { verdict: 0.25 } } });
    const ollama = new Ollama({ host: fake.url });
    const format = { type: 'object', properties: { verdict: { type: 'number' }, why: { type: 'string' } }, required: ['verdict', 'why'] };
    const once = await ollama.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'grade' }], format, stream: false });
    expect(JSON.parse(once.message.content)).toEqual({ verdict: 0.25, why: 'fake structured output' });
    expect(once.done).toBe(true);
    let streamed = '';
    for await (const part of await ollama.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'grade' }], format, stream: true })) streamed += part.message.content;
    expect(JSON.parse(streamed)).toEqual({ verdict: 0.25, why: 'fake structured output' });
    const plain = await ollama.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'hi' }] });
    expect(() => JSON.parse(plain.message.content)).toThrow();
    expect(fake.requests.filter((r) => (r.body as { format?: unknown }).format !== undefined)).toHaveLength(2);
  });

  it('refuses a bad structured option with the field named', () => {
    expect(() => fake.configure({ structured: { mode: 'chaos' } as never })).toThrow(BehaviourError);
    expect(() => fake.configure({ structured: { mode: 'chaos' } as never })).toThrow(/structured\.mode/);
    expect(() => fake.configure({ structured: { values: [] } as never })).toThrow(/structured\.values/);
    expect(() => fake.configure({ structured: { extra: 1 } as never })).toThrow(/unknown option 'extra'/);
  });
});
