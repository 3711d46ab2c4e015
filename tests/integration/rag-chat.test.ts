import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { runTurn, tempDir, testCore } from '../support/core-harness';

let fake: FakeOllama;
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'The NAS is backed up nightly at 02:00 [1].' });
});
afterAll(async () => {
  await fake.close();
});

function systemPromptOfLastChat(): string {
  const body = fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { role: string; content: string }[] };
  return body.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
}

describe('a chat turn answers from the knowledge base', () => {
  it('without documents: no retrieval, no embedding call, no sources', async () => {
    const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' });
    fake.clearRequests();
    const turn = await runTurn(core, { message: 'when are backups?' });
    await core.close();
    expect(turn.end).toMatchObject({ type: 'done', sources: [] });
    expect(fake.requests.some((r) => r.path === '/api/embed')).toBe(false);
  });

  it('with documents: retrieves, puts numbered sources in the prompt, and the done event, the stored message and the trace carry them', async () => {
    const docs = tempDir('bruno-kb-docs-');
    mkdirSync(join(docs, 'runbooks'));
    writeFileSync(join(docs, 'runbooks', 'backups.md'), '# Backups\n\n## Schedule\n\nThe NAS is backed up nightly at 02:00 by restic to the offsite bucket.\n');
    writeFileSync(join(docs, 'runbooks', 'dns.md'), '# DNS\n\nPi-hole answers on 10.0.0.53 and forwards to unbound.\n');
    const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' });
    const summary = await core.knowledge.ingest([docs]);
    expect(summary.filesIngested).toBe(2);
    const turn = await runTurn(core, { message: 'When is the NAS backed up?' });
    expect(turn.end.type).toBe('done');
    if (turn.end.type !== 'done') return;
    const backup = turn.end.sources.find((s) => s.path.endsWith('backups.md'));
    expect(backup).toMatchObject({ n: expect.any(Number), heading: expect.stringContaining('Schedule') });
    expect(systemPromptOfLastChat()).toMatch(new RegExp(`\\[${backup!.n}\\] .*backups\\.md`));
    expect(systemPromptOfLastChat()).toContain('cite them by number');
    const stored = await core.handlers['conversations.get']({ conversationId: turn.conversationId });
    expect(stored.messages.at(-1)?.sources).toEqual(turn.end.sources);
    const spans = await core.handlers['traces.get']({ traceId: turn.end.stats.trace_id! });
    const root = spans.find((s) => s.name === 'agent.turn')!;
    const rag = spans.find((s) => s.name === 'rag_query')!;
    expect(rag.parentSpanId).toBe(root.spanId);
    expect(spans.filter((s) => s.parentSpanId === rag.spanId).map((s) => s.name).sort()).toEqual(['embed_query', 'fusion_rerank', 'keyword_search', 'semantic_search']);
    await core.close();
  });

  it('a broken retrieval (embedding model missing) answers without sources instead of failing', async () => {
    const docs = tempDir('bruno-kb-docs-');
    writeFileSync(join(docs, 'a.md'), '# A\n\ntext about the router\n');
    const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '' });
    await core.knowledge.ingest([docs]);
    fake.configure({ failure: { kind: 'http', status: 404, message: 'model "nomic-embed-text" not found, try pulling it first', endpoints: ['embed'] } });
    const turn = await runTurn(core, { message: 'router?' });
    fake.reset();
    await core.close();
    expect(turn.end).toMatchObject({ type: 'done', sources: [] });
  });
});
