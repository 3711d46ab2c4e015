import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryJournalPath } from '../../core/memory';
import { openJournal, parseJournal, type JournalRecord } from '../../core/memory/journal';
import { applyRecord, emptyMemoryState, historyOf, markInterrupted } from '../../core/memory/memory-state';
import { searchConversations } from '../../core/memory/search-conversations';
import { tempDir, testMemoryStore } from '../support/core-harness';

const at = '2025-01-01T00:00:00.000Z';

describe('the memory journal', () => {
  it('parses records and reports damaged lines without losing the others', () => {
    const good: JournalRecord = { t: 'conv', c: 'c1', title: 'hi', at };
    const text = [JSON.stringify(good), '{"t":"conv"', '{"t":"nope","x":1}', '', JSON.stringify({ t: 'rename', c: 'c1', title: 'renamed', at })].join('\n');
    const { records, corrupt } = parseJournal(text);
    expect(records.map((r) => r.t)).toEqual(['conv', 'rename']);
    expect(corrupt.map((c) => c.line)).toEqual([2, 3]);
    expect(corrupt[0]?.reason).toMatch(/^not JSON/);
    expect(corrupt[1]?.reason).toMatch(/^not a journal record/);
  });

  it('replays a turn: deltas build the answer; a turn still streaming at the end was interrupted', () => {
    const state = emptyMemoryState();
    const records: JournalRecord[] = [
      { t: 'conv', c: 'c1', title: 'Q', at },
      { t: 'msg', c: 'c1', id: 'u1', turnId: 't1', content: 'Q1', model: 'm', at },
      { t: 'delta', c: 'c1', id: 'a1', turnId: 't1', text: 'Hel', at },
      { t: 'delta', c: 'c1', id: 'a1', turnId: 't1', text: 'lo', at },
      { t: 'end', c: 'c1', id: 'a1', turnId: 't1', status: 'done', content: 'Hello', model: 'm', stats: null, sources: [{ n: 1, path: 'a.md', heading: null, snippet: 's' }], traceId: 'x', error: null, at },
      { t: 'msg', c: 'c1', id: 'u2', turnId: 't2', content: 'Q2', model: 'm', at },
      { t: 'delta', c: 'c1', id: 'a2', turnId: 't2', text: 'Part', at },
      { t: 'msg', c: 'c1', id: 'u3', turnId: 't3', content: 'Q3', model: 'm', at },
      { t: 'end', c: 'c1', id: 'a3', turnId: 't3', status: 'error', content: '', model: 'm', stats: null, sources: [], traceId: null, error: { code: 'ollama_error', message: 'boom' }, at },
      { t: 'delta', c: 'gone', id: 'z', turnId: 'tz', text: 'ignored', at },
    ];
    for (const r of records) applyRecord(state, r);
    expect(markInterrupted(state)).toBe(2);
    const conv = state.conversations.get('c1')!;
    expect(conv.messages.map((m) => [m.id, m.content, m.status])).toEqual([
      ['u1', 'Q1', 'done'],
      ['a1', 'Hello', 'done'],
      ['u2', 'Q2', 'interrupted'],
      ['a2', 'Part', 'interrupted'],
      ['u3', 'Q3', 'error'],
      ['a3', '', 'error'],
    ]);
    expect(conv.messages[1]?.sources).toHaveLength(1);
    expect(historyOf(conv).map((m) => m.content)).toEqual(['Q1', 'Hello', 'Q2', 'Part']);
    expect(state.conversations.has('gone')).toBe(false);
  });

  it('searches titles and messages: every word must match, title hits rank higher', () => {
    const state = emptyMemoryState();
    const add = (c: string, title: string, text: string) => {
      applyRecord(state, { t: 'conv', c, title, at });
      applyRecord(state, { t: 'msg', c, id: `${c}-u`, turnId: `${c}-t`, content: text, model: null, at });
    };
    add('a', 'ZFS scrub', 'how often should I scrub the pool');
    add('b', 'Backups', 'does restic scrub anything? zfs snapshots too');
    add('c', 'Grafana', 'dashboards');
    const hits = searchConversations([...state.conversations.values()], 'zfs scrub', 10);
    expect(hits.map((h) => h.conversation.id)).toEqual(['a', 'b']);
    expect(hits[1]?.snippet).toContain('zfs snapshots');
    expect(searchConversations([...state.conversations.values()], '  ', 10)).toEqual([]);
  });
});

describe('recording a streaming answer', () => {
  it('writes the first content at once, then on a timer, never per token, and ends with the whole answer', async () => {
    const dataDir = tempDir('bruno-mem-unit-');
    const { store, close } = testMemoryStore(dataDir, { flushIntervalMs: 100 });
    const path = memoryJournalPath(dataDir);
    const count = (t: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l.includes(`"t":"${t}"`)).length;
    const recorder = await store.conversations.beginTurn({ conversationId: 'c1', turnId: 't1', model: 'm', user: { id: 'u1', role: 'user', content: 'hi', createdAt: at } });
    expect(count('msg')).toBe(1);
    let answer = '';
    for (let i = 0; i < 1000; i++) recorder.progress((answer += 'x'), 'a1');
    // Not inside the token loop: the first write waits for the loop to yield...
    expect(count('delta')).toBe(0);
    // ...and no longer: the next turn of the event loop, not the flush interval.
    await new Promise((r) => setImmediate(r));
    expect(count('delta')).toBe(1);
    const live = await store.getConversation('c1');
    expect(live.messages[1]).toMatchObject({ content: answer, status: 'streaming' });
    // Later content waits for the interval (one write for many reads), counted from its arrival.
    recorder.progress((answer += 'a'), 'a1');
    recorder.progress((answer += 'b'), 'a1');
    await new Promise((r) => setTimeout(r, 40));
    expect(count('delta')).toBe(1);
    await new Promise((r) => setTimeout(r, 120));
    expect(count('delta')).toBe(2);
    expect((await store.getConversation('c1')).messages[1]?.content).toBe(answer);
    recorder.progress(answer + 'yz', 'a1');
    await recorder.end({ status: 'stopped', assistantId: 'a1', answer: answer + 'yz', model: 'm', stats: null, sources: [], traceId: null, error: null });
    await new Promise((r) => setTimeout(r, 150));
    expect(count('delta')).toBe(2);
    expect(count('end')).toBe(1);
    expect((await store.getConversation('c1')).messages.map((m) => m.status)).toEqual(['stopped', 'stopped']);
    await close();
  });
});

describe('syncing the journal to disk', () => {
  const record = (n: number): JournalRecord => ({ t: 'rename', c: 'c1', title: `title ${n}`, at });
  const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).length;

  async function journalWithCountedSyncs(syncIntervalMs: number, fail = false) {
    const path = join(tempDir('bruno-journal-'), 'memory', 'journal.jsonl');
    const syncs: { at: number; linesOnDisk: number }[] = [];
    const { journal, writeError } = await openJournal(path, {
      syncIntervalMs,
      syncData: async () => {
        syncs.push({ at: performance.now(), linesOnDisk: lines(path) });
        if (fail) throw new Error('EIO: i/o error, fdatasync');
      },
    });
    expect(writeError).toBeNull();
    return { journal: journal!, path, syncs };
  }

  it('syncs at once after a quiet spell, and a burst shares one sync per interval', async () => {
    const { journal, path, syncs } = await journalWithCountedSyncs(300);
    const t0 = performance.now();
    await journal.append([record(0)], { sync: true });
    expect(syncs).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(250);
    const burst = Array.from({ length: 20 }, (_, i) => journal.append([record(i + 1)], { sync: true }));
    // Each record is written before append returns.
    expect(lines(path)).toBe(21);
    // Written is not durable: the burst waits for the interval to pass.
    expect(syncs).toHaveLength(1);
    await Promise.all(burst);
    expect(syncs).toHaveLength(2);
    expect(syncs[1]!.at - syncs[0]!.at).toBeGreaterThanOrEqual(290);
    // The shared sync ran after every record of the burst was written.
    expect(syncs[1]!.linesOnDisk).toBe(21);
    await journal.close();
  });

  it('records that ask for no sync are written but never synced', async () => {
    const { journal, path, syncs } = await journalWithCountedSyncs(0);
    const appended = journal.append([record(1), record(2)]);
    await appended;
    expect(lines(path)).toBe(2);
    expect(syncs).toHaveLength(0);
    await journal.close();
  });

  it('close waits for a sync still waiting for its interval', async () => {
    const { journal, syncs } = await journalWithCountedSyncs(200);
    await journal.append([record(1)], { sync: true });
    const late = journal.append([record(2)], { sync: true });
    expect(syncs).toHaveLength(1);
    await journal.close();
    expect(syncs).toHaveLength(2);
    await expect(late).resolves.toBeUndefined();
    expect(() => journal.append([record(3)])).toThrow(/is closed/);
  });

  it('a failed sync rejects the sync, not the write', async () => {
    const { journal, path } = await journalWithCountedSyncs(0, true);
    const appended = journal.append([record(1)], { sync: true });
    await expect(appended).rejects.toThrow(/EIO/);
    expect(lines(path)).toBe(1);
    await journal.close();
  });
});

describe('a journal that stops syncing', () => {
  it('degrades the store to memory-only with one clear problem; the turn and its answer are kept', async () => {
    const dataDir = tempDir('bruno-mem-sync-');
    const warnings: string[] = [];
    const { store, close } = testMemoryStore(dataDir, {
      warn: (message) => warnings.push(message),
      journal: { syncIntervalMs: 0, syncData: async () => Promise.reject(new Error('EIO: i/o error, fdatasync')) },
    });
    // The question is written at once; its sync fails in the background.
    const recorder = await store.conversations.beginTurn({ conversationId: 'c1', turnId: 't1', model: 'm', user: { id: 'u1', role: 'user', content: 'hi', createdAt: at } });
    await recorder.end({ status: 'done', assistantId: 'a1', answer: 'hello', model: 'm', stats: null, sources: [], traceId: null, error: null });
    const status = await store.status();
    expect(status.persistent).toBe(false);
    expect(status.problem).toMatch(/Writing to .*journal\.jsonl failed \(EIO: i\/o error, fdatasync\)\. .*kept in memory only/);
    expect(warnings.filter((w) => w.includes('failed (EIO'))).toHaveLength(1);
    expect((await store.getConversation('c1')).messages.map((m) => [m.content, m.status])).toEqual([
      ['hi', 'done'],
      ['hello', 'done'],
    ]);
    // What was written before the failure is still on disk and replays.
    expect(readFileSync(memoryJournalPath(dataDir), 'utf8')).toContain('"t":"msg"');
    await close();
  });
});
