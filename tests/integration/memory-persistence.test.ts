import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../core/config';
import { memoryJournalPath } from '../../core/memory';
import { createCore, type Core, type CoreDeps } from '../../core/runtime';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { runTurn, tempDir } from '../support/core-harness';
import { parseExposition, sampleValue } from '../support/prom-text';

let fake: FakeOllama;
const cores: Core[] = [];

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
});
afterAll(async () => {
  await Promise.all(cores.map((c) => c.close()));
  await fake.close();
});
afterEach(() => fake.reset());

/** A core on `dataDir`; a second call on the same dir is "the app after a restart". */
function coreOn(dataDir: string, env: Record<string, string> = {}, warnings: unknown[] = [], extra: Partial<CoreDeps> = {}): Core {
  const settings = loadSettings({ env: { BRUNO_DATA_DIR: dataDir, OLLAMA_HOST: fake.url, ...env }, readFile: () => null });
  const core = createCore({ settings, logging: { file: false }, warn: (message, detail) => warnings.push([message, detail]), memory: { recall: { minSimilarity: 0.3 } }, ...extra });
  cores.push(core);
  return core;
}

type ChatBody = { messages: { role: string; content: string }[] };
const lastChat = () => fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as ChatBody;
const systemOf = (body: ChatBody) => body.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');

describe('episodic memory survives a restart', () => {
  it('lists, opens, searches, renames and deletes conversations after close + a new core', async () => {
    const dir = tempDir('bruno-mem-');
    const first = coreOn(dir);
    fake.configure({ replyText: 'The NAS has four disks in RAID 5.' });
    const a = await runTurn(first, { message: 'How many disks does the NAS have?' });
    fake.configure({ replyText: 'Proxmox backups run at 02:00.' });
    await runTurn(first, { message: 'And when do backups run?', conversationId: a.conversationId });
    fake.configure({ replyText: 'Grafana listens on port 3000.' });
    const b = await runTurn(first, { message: 'Which port is Grafana on?' });
    expect(a.end.type).toBe('done');
    await first.close();

    const again = coreOn(dir);
    const list = await again.handlers['conversations.list'](undefined);
    expect(list.map((c) => c.id)).toEqual([b.conversationId, a.conversationId]);
    expect(list[1]).toMatchObject({ title: 'How many disks does the NAS have?', messageCount: 4 });

    const detail = await again.handlers['conversations.get']({ conversationId: a.conversationId });
    expect(detail.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'How many disks does the NAS have?', 'done'],
      ['assistant', 'The NAS has four disks in RAID 5.', 'done'],
      ['user', 'And when do backups run?', 'done'],
      ['assistant', 'Proxmox backups run at 02:00.', 'done'],
    ]);
    const answer = detail.messages[1]!;
    expect(answer.stats).toMatchObject({ model: 'llama3.1:8b', output_tokens: expect.any(Number) });
    expect(answer.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.traceId).toBe(answer.stats?.trace_id);
    expect(answer.sources).toEqual([]);
    expect(a.end.type === 'done' && a.end.messageId).toBe(answer.id);

    // Search: all words must occur, in the title or the messages.
    expect((await again.handlers['conversations.list']({ query: 'proxmox backups' })).map((c) => c.id)).toEqual([a.conversationId]);
    expect((await again.handlers['conversations.list']({ query: 'grafana' }))[0]).toMatchObject({ id: b.conversationId, snippet: expect.stringContaining('Grafana') });
    expect(await again.handlers['conversations.list']({ query: 'kubernetes' })).toEqual([]);

    // Continuing a conversation after the restart sends its history.
    fake.configure({ replyText: 'ok' });
    await runTurn(again, { message: 'thanks', conversationId: a.conversationId });
    expect(lastChat().messages.map((m) => m.content)).toEqual(['How many disks does the NAS have?', 'The NAS has four disks in RAID 5.', 'And when do backups run?', 'Proxmox backups run at 02:00.', 'thanks']);

    await again.handlers['conversations.rename']({ conversationId: a.conversationId, title: 'NAS questions' });
    expect(await again.handlers['conversations.delete']({ conversationId: b.conversationId })).toEqual({ deleted: true });
    expect(await again.handlers['conversations.delete']({ conversationId: b.conversationId })).toEqual({ deleted: false });
    await again.close();

    const third = coreOn(dir);
    const after = await third.handlers['conversations.list']({});
    expect(after.map((c) => [c.id, c.title])).toEqual([[a.conversationId, 'NAS questions']]);
    await expect(third.handlers['conversations.get']({ conversationId: b.conversationId })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('records stopped and failed turns with their status; a failed one stays out of the history', async () => {
    const dir = tempDir('bruno-mem-');
    const core = coreOn(dir);
    fake.configure({ failure: { kind: 'midstream-error', afterTokens: 3, message: 'out of memory' } });
    const failed = await runTurn(core, { message: 'tell me a story' });
    expect(failed.end).toMatchObject({ type: 'error', code: 'ollama_error' });
    const detail = await core.handlers['conversations.get']({ conversationId: failed.conversationId });
    expect(detail.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'error'],
      ['assistant', 'error'],
    ]);
    expect(detail.messages[1]?.error).toMatchObject({ code: 'ollama_error', message: expect.stringContaining('out of memory') });
    fake.configure({ failure: null, replyText: 'fine' });
    await runTurn(core, { message: 'again', conversationId: failed.conversationId });
    expect(lastChat().messages.map((m) => m.content)).toEqual(['again']);
  });
});

describe('semantic and procedural memory', () => {
  it('a fact the user asks to remember reaches a later prompt, also after a restart', async () => {
    const dir = tempDir('bruno-mem-');
    const core = coreOn(dir);
    fake.configure({ replyText: 'Noted.' });
    await runTurn(core, { message: 'Remember that the NAS is at 10.0.0.5.' });
    const facts = await core.handlers['memory.list']({ type: 'semantic' });
    expect(facts).toMatchObject([{ type: 'semantic', text: 'the NAS is at 10.0.0.5', source: 'chat' }]);

    fake.configure({ replyText: '10.0.0.5' });
    await runTurn(core, { message: 'What is the address of the NAS?' });
    expect(systemOf(lastChat())).toContain('- the NAS is at 10.0.0.5');
    // Embedded through /api/embed with the embedding model (query + the fact not yet indexed).
    expect(fake.requests.some((r) => r.path === '/api/embed' && (r.body as { model: string }).model === 'nomic-embed-text')).toBe(true);

    // An unrelated question does not get it (similarity threshold).
    await runTurn(core, { message: 'Write a haiku about autumn leaves' });
    expect(systemOf(lastChat())).not.toContain('10.0.0.5');
    await core.close();

    const again = coreOn(dir);
    fake.clearRequests();
    await runTurn(again, { message: 'What is the NAS address again?' });
    expect(systemOf(lastChat())).toContain('the NAS is at 10.0.0.5');
    // The vector was kept in LanceDB: only the query was embedded after the restart.
    const embeds = fake.requests.filter((r) => r.path === '/api/embed').map((r) => (r.body as { input: string[] }).input);
    expect(embeds).toEqual([['What is the NAS address again?']]);
  });

  it('standing instructions apply to every turn; memory.list/add/delete manage them', async () => {
    const core = coreOn(tempDir('bruno-mem-'));
    fake.configure({ replyText: 'Sure.' });
    await runTurn(core, { message: 'From now on, answer in English and keep it short.' });
    const added = await core.handlers['memory.add']({ type: 'procedural', text: 'Use metric units' });
    expect(added).toMatchObject({ type: 'procedural', source: 'user', text: 'Use metric units' });
    // The same text again is the same memory, not a duplicate.
    expect((await core.handlers['memory.add']({ type: 'procedural', text: 'use metric units' })).id).toBe(added.id);

    for (const message of ['How far is the moon?', 'Any news?']) {
      await runTurn(core, { message });
      const system = systemOf(lastChat());
      expect(system).toContain('- answer in English and keep it short');
      expect(system).toContain('- Use metric units');
      expect(lastChat().messages[0]?.role).toBe('system');
    }
    // Turns without memory to recall do not embed anything.
    expect(fake.requests.some((r) => r.path === '/api/embed')).toBe(false);

    const all = await core.handlers['memory.list']({});
    expect(all.map((m) => m.text)).toEqual(['answer in English and keep it short', 'Use metric units']);
    expect((await core.handlers['memory.list']({ query: 'metric' })).map((m) => m.id)).toEqual([added.id]);
    expect(await core.handlers['memory.delete']({ id: added.id })).toEqual({ deleted: true });
    expect(await core.handlers['memory.delete']({ id: added.id })).toEqual({ deleted: false });
    await runTurn(core, { message: 'And the sun?' });
    expect(systemOf(lastChat())).not.toContain('metric');

    const status = await core.handlers['memory.status'](undefined);
    expect(status).toMatchObject({ persistent: true, problem: null, entries: { procedural: 1, semantic: 0 } });
    expect(status.entries.episodic).toBeGreaterThanOrEqual(8);
  });

  it('a memory_recall span under agent.turn, and the memory metrics', async () => {
    const core = coreOn(tempDir('bruno-mem-'));
    await core.handlers['memory.add']({ type: 'semantic', text: 'the backup server is called vault' });
    await core.handlers['memory.add']({ type: 'procedural', text: 'always answer in English' });
    const turn = await runTurn(core, { message: 'What is the backup server called?' });
    expect(systemOf(lastChat())).toContain('the backup server is called vault');
    const traceId = turn.end.type === 'done' ? turn.end.stats.trace_id! : '';
    const spans = await core.handlers['traces.get']({ traceId });
    const root = spans.find((s) => s.name === 'agent.turn')!;
    const recall = spans.find((s) => s.name === 'memory_recall')!;
    expect(recall.parentSpanId).toBe(root.spanId);
    expect(recall.attributes).toMatchObject({ 'bruno.memory.facts_recalled': 1, 'bruno.memory.instructions': 1 });
    expect(spans.find((s) => s.name === 'embeddings nomic-embed-text')?.parentSpanId).toBe(recall.spanId);
    expect(spans.find((s) => s.name === 'chat llama3.1:8b')?.parentSpanId).toBe(root.spanId);

    const samples = parseExposition(await core.telemetry.registry.metrics());
    expect(sampleValue(samples, 'memory_operations_total', { operation: 'write', memory_type: 'semantic' })).toBe(1);
    expect(sampleValue(samples, 'memory_operations_total', { operation: 'write', memory_type: 'procedural' })).toBe(1);
    expect(sampleValue(samples, 'memory_operations_total', { operation: 'write', memory_type: 'episodic' })).toBe(2);
    expect(sampleValue(samples, 'memory_operations_total', { operation: 'read', memory_type: 'semantic' })).toBe(1);
    expect(sampleValue(samples, 'memory_retrieval_latency_seconds_count', { memory_type: 'semantic' })).toBe(1);
    expect(sampleValue(samples, 'memory_entries', { memory_type: 'episodic' })).toBe(2);
    expect(sampleValue(samples, 'memory_entries', { memory_type: 'semantic' })).toBe(1);
    await core.handlers['memory.delete']({ id: (await core.handlers['memory.list']({ type: 'semantic' }))[0]!.id });
    const after = parseExposition(await core.telemetry.registry.metrics());
    expect(sampleValue(after, 'memory_operations_total', { operation: 'delete', memory_type: 'semantic' })).toBe(1);
    expect(sampleValue(after, 'memory_entries', { memory_type: 'semantic' })).toBe(0);
  });
});

describe('memory trouble never fails the chat', () => {
  it('a missing embedding model: the turn answers, instructions still apply', async () => {
    const core = coreOn(tempDir('bruno-mem-'), { BRUNO_EMBED_MODEL: 'ghost-embed' });
    await core.handlers['memory.add']({ type: 'semantic', text: 'the NAS is at 10.0.0.5' });
    await core.handlers['memory.add']({ type: 'procedural', text: 'always answer in English' });
    fake.configure({ replyText: 'fine' });
    const turn = await runTurn(core, { message: 'Where is the NAS?' });
    expect(turn.end.type).toBe('done');
    expect(turn.text).toBe('fine');
    expect(systemOf(lastChat())).toContain('always answer in English');
    expect(systemOf(lastChat())).not.toContain('10.0.0.5');
    const spans = await core.handlers['traces.get']({ traceId: turn.end.type === 'done' ? turn.end.stats.trace_id! : '' });
    expect(spans.find((s) => s.name === 'memory_recall')?.status).toBe('error');
  });

  it('a broken facts store: recall falls back to memory and the turn answers', async () => {
    const warnings: unknown[] = [];
    const core = coreOn(tempDir('bruno-mem-'), {}, warnings, { memory: { recall: { minSimilarity: 0.3 }, openFactIndex: async () => Promise.reject(new Error('store is corrupted')) } });
    await core.handlers['memory.add']({ type: 'semantic', text: 'the NAS is at 10.0.0.5' });
    const turn = await runTurn(core, { message: 'Where is the NAS?' });
    expect(turn.end.type).toBe('done');
    expect(systemOf(lastChat())).toContain('10.0.0.5');
    expect(warnings).toEqual([[expect.stringMatching(/Cannot open the memory store .*store is corrupted/), undefined]]);
  });

  it('damaged journal lines are dropped by a compaction, said once with counts; nothing else is lost', async () => {
    const dir = tempDir('bruno-mem-');
    const first = coreOn(dir);
    fake.configure({ replyText: 'one' });
    const a = await runTurn(first, { message: 'first' });
    await first.close();
    const journal = memoryJournalPath(dir);
    appendFileSync(journal, '{"t":"msg","c":"broken\n{not json at all}\n');
    const secondWarnings: unknown[] = [];
    const second = coreOn(dir, {}, secondWarnings);
    fake.configure({ replyText: 'two' });
    await runTurn(second, { message: 'second', conversationId: a.conversationId });
    await second.close();
    // One warning for both lines, with the counts, and where the old journal went.
    expect(secondWarnings).toEqual([[expect.stringMatching(/journal\.jsonl: dropped 2 damaged lines \(2 not JSON, 0 not a journal record; line \d+, \d+\) while compacting it; everything else is kept\. The journal before compaction is saved as .*journal\.jsonl\.bak\.$/), undefined]]);
    expect(readFileSync(`${journal}.bak`, 'utf8')).toContain('{not json at all}');
    expect(readFileSync(journal, 'utf8')).not.toContain('{not json at all}');
    // A torn last line (a crash mid-write) must not swallow the record after it.
    writeFileSync(journal, readFileSync(journal, 'utf8') + '{"t":"delconv","c":"');

    const warnings: unknown[] = [];
    const third = coreOn(dir, {}, warnings);
    const detail = await third.handlers['conversations.get']({ conversationId: a.conversationId });
    expect(detail.messages.map((m) => m.content)).toEqual(['first', 'one', 'second', 'two']);
    await runTurn(third, { message: 'third', conversationId: a.conversationId });
    await third.close();
    expect(warnings.map((w) => (w as [string])[0])).toEqual([expect.stringMatching(/journal\.jsonl: dropped 1 damaged line \(1 not JSON, 0 not a journal record; line \d+\)/)]);
    const fourthWarnings: unknown[] = [];
    const fourth = coreOn(dir, {}, fourthWarnings);
    expect((await fourth.handlers['conversations.get']({ conversationId: a.conversationId })).messages).toHaveLength(6);
    // Compacted at the third start: the fourth has nothing to say.
    expect(fourthWarnings).toEqual([]);
  });

  it('an unwritable data dir: a clear error, and the chat works in memory', async () => {
    const dir = tempDir('bruno-mem-');
    // A file where the memory folder should be: mkdir fails as on a read-only disk (tests may run as root).
    writeFileSync(join(dir, 'memory'), 'not a folder');
    const warnings: unknown[] = [];
    const core = coreOn(dir, {}, warnings);
    fake.configure({ replyText: 'still here' });
    const first = await runTurn(core, { message: 'hello' });
    expect(first.end.type).toBe('done');
    await runTurn(core, { message: 'again', conversationId: first.conversationId });
    expect(lastChat().messages.map((m) => m.content)).toEqual(['hello', 'still here', 'again']);
    const status = await core.handlers['memory.status'](undefined);
    expect(status.persistent).toBe(false);
    expect(status.problem).toMatch(/Cannot write conversations to .*journal\.jsonl \((ENOTDIR|EEXIST|EACCES|EROFS).*kept in memory only until the app quits/);
    expect(warnings).toEqual([[status.problem, undefined]]);
    expect((await core.handlers['conversations.list']({})).map((c) => c.id)).toEqual([first.conversationId]);
  });
});
