import { describe, expect, it } from 'vitest';
import { runChatTurn } from '../../core/agent/chat-turn';
import type { ChatResponse, OllamaClient } from '../../core/llm';
import { createInMemoryConversationStore } from '../../core/memory';
import type { TurnEvent } from '../../core/common/turn';

const at = new Date('2025-01-01T00:00:00Z');
const part = (fields: { content?: string; thinking?: string }): ChatResponse =>
  ({ model: 'm', created_at: at, message: { role: 'assistant', content: fields.content ?? '', ...(fields.thinking ? { thinking: fields.thinking } : {}) }, done: false }) as ChatResponse;
const done: ChatResponse = { model: 'm', created_at: at, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', total_duration: 1e6, load_duration: 0, prompt_eval_count: 1, prompt_eval_duration: 1, eval_count: 5, eval_duration: 1e6 } as ChatResponse;

/** A client whose chat stream hands over the given network reads, each a batch of chunks. */
function clientReading(reads: ChatResponse[][]): OllamaClient {
  return {
    host: 'http://127.0.0.1:11434',
    async chatStream() {
      return (async function* () {
        for (const read of reads) yield read;
      })();
    },
  } as unknown as OllamaClient;
}

describe('a chat turn, one network read at a time', () => {
  it('emits one token event per read, keeps thinking in its place, and records the whole answer', async () => {
    const events: TurnEvent[] = [];
    const conversations = createInMemoryConversationStore();
    let n = 0;
    const end = await runChatTurn(
      { client: clientReading([[part({ content: 'He' }), part({ content: 'll' }), part({ thinking: 'hmm' }), part({ content: 'o' })], [part({ content: ', ' }), part({ content: 'you' }), done]]), conversations, limits: { firstChunkTimeoutMs: 5000, idleChunkTimeoutMs: 5000 }, newId: () => `id${n++}` },
      { turnId: 't1', conversationId: 'c1', model: 'm', message: 'hi' },
      (event) => events.push(event),
      new AbortController(),
    );
    expect(end.type).toBe('done');
    expect(events.filter((e) => e.type === 'token' || e.type === 'thinking').map((e) => [e.type, 'text' in e ? e.text : ''])).toEqual([
      ['token', 'Hell'],
      ['thinking', 'hmm'],
      ['token', 'o'],
      ['token', ', you'],
    ]);
    const history = await conversations.history('c1');
    expect(history.map((m) => m.content)).toEqual(['hi', 'Hello, you']);
    expect(end.type === 'done' && end.stats.output_tokens).toBe(5);
  });
});
