import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryJournalPath } from '../../core/memory';
import { journalBackupPath, journalCompactingPath } from '../../core/memory/journal-compaction';
import { nodeJournalFs, type JournalFs } from '../../core/memory/journal-fs';
import type { MemoryStoreDeps } from '../../core/memory/memory-store';
import { tempDir, testMemoryStore } from '../support/core-harness';

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
let clock = 0;
const clockIso = () => at(++clock);

/** A journal with some of everything: finished, stopped, failed and interrupted turns, a rename, a delete, facts. */
async function writeHistory(dataDir: string) {
  const { store, close } = testMemoryStore(dataDir, { clockIso, journal: { syncIntervalMs: 0 } });
  const turn = async (c: string, n: number, status: 'done' | 'stopped' | 'error' | null, answer = `answer ${n} about zfs`) => {
    const rec = await store.conversations.beginTurn({ conversationId: c, turnId: `${c}-t${n}`, model: 'm', user: { id: `${c}-u${n}`, role: 'user', content: `question ${n} in ${c}`, createdAt: clockIso() } });
    rec.progress(answer.slice(0, 5), `${c}-a${n}`);
    await new Promise((r) => setImmediate(r));
    if (status) await rec.end({ status, assistantId: `${c}-a${n}`, answer, model: 'm', stats: null, sources: [{ n: 1, path: 'a.md', heading: 'H', snippet: 's' }], traceId: `trace-${n}`, error: status === 'error' ? { code: 'ollama_error', message: 'boom' } : null });
  };
  await turn('c1', 1, 'done');
  await turn('c1', 2, 'stopped');
  await turn('c2', 1, 'error', '');
  await turn('c3', 1, 'done');
  await store.renameConversation('c3', 'Renamed');
  await turn('gone', 1, 'done');
  await store.deleteConversation('gone');
  await store.addMemory({ type: 'semantic', text: 'the NAS is 10.0.0.5' });
  const dropped = await store.addMemory({ type: 'procedural', text: 'answer in French' });
  await store.deleteMemory(dropped.id);
  await store.addMemory({ type: 'procedural', text: 'answer in English' });
  // A turn cut by a crash: never ended (its flushed part stays, marked interrupted).
  await turn('c4', 1, null, 'partial answer');
  await close();
}

async function snapshotOfStore(dataDir: string, overrides: Partial<MemoryStoreDeps> = {}) {
  const warnings: string[] = [];
  const { store, close } = testMemoryStore(dataDir, { warn: (m) => warnings.push(m), ...overrides });
  const list = await store.listConversations({});
  const details = await Promise.all(list.map((c) => store.getConversation(c.id)));
  const memories = await store.listMemories({});
  const status = await store.status();
  await close();
  return { list, details, memories, entries: status.entries, warnings };
}

const lineKinds = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { t: string }).t);

describe('compacting the memory journal on start', () => {
  it('keeps every conversation and fact exactly (a line per fact, a head and a snapshot per conversation), and keeps the previous journal as a backup', async () => {
    const dataDir = tempDir('bruno-compact-');
    await writeHistory(dataDir);
    const path = memoryJournalPath(dataDir);
    const before = readFileSync(path, 'utf8');
    expect(lineKinds(path)).toContain('delta');

    const first = await snapshotOfStore(dataDir);
    expect(first.warnings).toEqual([]);
    expect(readFileSync(journalBackupPath(path), 'utf8')).toBe(before);
    expect(existsSync(journalCompactingPath(path))).toBe(false);
    expect(lineKinds(path)).toEqual(['fact', 'fact', 'head', 'snap', 'head', 'snap', 'head', 'snap', 'head', 'snap']);
    expect(first.list.map((c) => c.id).sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(first.details.find((d) => d.id === 'c3')?.title).toBe('Renamed');
    expect(first.details.find((d) => d.id === 'c4')?.messages.map((m) => [m.content, m.status])).toEqual([
      ['question 1 in c4', 'interrupted'],
      ['parti', 'interrupted'],
    ]);
    expect(first.memories.map((m) => m.text).sort()).toEqual(['answer in English', 'the NAS is 10.0.0.5']);

    // A compacted journal is not rewritten, and reads back the same.
    const compacted = readFileSync(path, 'utf8');
    const second = await snapshotOfStore(dataDir);
    expect(readFileSync(path, 'utf8')).toBe(compacted);
    expect(second).toEqual(first);
  });

  it('the state after a compaction is the state the raw journal replays to', async () => {
    const dataDir = tempDir('bruno-compact-eq-');
    await writeHistory(dataDir);
    // Replay without compacting (a failing rename keeps the raw journal), then with.
    const failing: JournalFs = { ...nodeJournalFs, rename: async () => Promise.reject(new Error('EIO: injected')) };
    const raw = await snapshotOfStore(dataDir, { journalFs: failing });
    const compacted = await snapshotOfStore(dataDir);
    expect({ ...compacted, warnings: [] }).toEqual({ ...raw, warnings: [] });
  });

  it('a compaction that fails before its rename loses nothing: the journal is as it was, and the next start compacts', async () => {
    const dataDir = tempDir('bruno-compact-fail-');
    await writeHistory(dataDir);
    const path = memoryJournalPath(dataDir);
    writeFileSync(path, readFileSync(path, 'utf8') + '{"t":"msg","c":\n');
    const before = readFileSync(path, 'utf8');
    for (const broken of ['writeSynced', 'link', 'rename'] as const) {
      const fs: JournalFs = {
        ...nodeJournalFs,
        [broken]: async () => Promise.reject(new Error(`ENOSPC: injected ${broken} failure`)),
        // Without links, the backup is a copy: fail that too.
        ...(broken === 'link' ? { copyFile: async () => Promise.reject(new Error('ENOSPC: injected copy failure')) } : {}),
      };
      const warnings: string[] = [];
      const { store, close } = testMemoryStore(dataDir, { journalFs: fs, warn: (m) => warnings.push(m) });
      expect((await store.listConversations({})).map((c) => c.id).sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
      expect((await store.getConversation('c1')).messages).toHaveLength(4);
      expect((await store.status()).persistent).toBe(true);
      await close();
      expect(readFileSync(path, 'utf8')).toBe(before);
      expect(existsSync(journalCompactingPath(path))).toBe(false);
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`skipped 1 damaged line .*Compacting it failed \\(ENOSPC: injected ${broken === 'link' ? 'copy' : broken} failure\\), so they are reported again at the next start`))]);
    }
    const after = await snapshotOfStore(dataDir);
    expect(after.warnings).toEqual([expect.stringMatching(/dropped 1 damaged line/)]);
    expect(after.list).toHaveLength(4);
    expect(readFileSync(journalBackupPath(path), 'utf8')).toBe(before);
  });
});

describe('conversations on disk', () => {
  function countingFs() {
    const reads: number[] = [];
    const fs: JournalFs = {
      ...nodeJournalFs,
      readRanges: async (path, ranges) => {
        reads.push(ranges.length);
        return nodeJournalFs.readRanges(path, ranges);
      },
    };
    return { fs, reads };
  }

  it('are listed from summaries, read when opened, and searched a batch at a time', async () => {
    const dataDir = tempDir('bruno-lazy-');
    await writeHistory(dataDir);
    await snapshotOfStore(dataDir); // compacts
    const { fs, reads } = countingFs();
    const { store, close } = testMemoryStore(dataDir, { journalFs: fs });
    const list = await store.listConversations({});
    expect(list.find((c) => c.id === 'c1')).toMatchObject({ messageCount: 4, snippet: 'answer 2 about zfs' });
    expect((await store.status()).entries.episodic).toBe(10);
    expect(reads).toEqual([]);
    expect((await store.getConversation('c1')).messages.map((m) => m.status)).toEqual(['done', 'done', 'stopped', 'stopped']);
    expect(reads).toEqual([1]);
    // Opened once: cached.
    await store.conversations.history('c1');
    expect(reads).toEqual([1]);
    expect((await store.listConversations({ query: 'zfs answer' })).map((c) => c.id).sort()).toEqual(['c1', 'c3']);
    expect(reads.at(-1)).toBe(4);
    await expect(store.getConversation('nope')).rejects.toThrow(/No conversation 'nope'/);
    await close();
  });

  it('take new turns, renames and deletes, which survive the next start', async () => {
    const dataDir = tempDir('bruno-lazy-write-');
    await writeHistory(dataDir);
    await snapshotOfStore(dataDir);
    const { store, close } = testMemoryStore(dataDir, { clockIso });
    const rec = await store.conversations.beginTurn({ conversationId: 'c1', turnId: 'c1-t3', model: 'm', user: { id: 'c1-u3', role: 'user', content: 'third', createdAt: clockIso() } });
    await rec.end({ status: 'done', assistantId: 'c1-a3', answer: 'three', model: 'm', stats: null, sources: [], traceId: null, error: null });
    expect((await store.renameConversation('c2', ' Failed one ')).title).toBe('Failed one');
    expect(await store.deleteConversation('c3')).toEqual({ deleted: true });
    expect(await store.deleteConversation('c3')).toEqual({ deleted: false });
    await expect(store.renameConversation('c3', 'x')).rejects.toThrow(/No conversation/);
    await close();
    const after = await snapshotOfStore(dataDir);
    expect(after.list.map((c) => c.id).sort()).toEqual(['c1', 'c2', 'c4']);
    expect(after.details.find((d) => d.id === 'c1')?.messages.map((m) => m.content)).toEqual(['question 1 in c1', 'answer 1 about zfs', 'question 2 in c1', 'answer 2 about zfs', 'third', 'three']);
    expect(after.details.find((d) => d.id === 'c2')?.title).toBe('Failed one');
  });

  it('a journal changed underneath by something else gives a clear error, not a crash', async () => {
    const dataDir = tempDir('bruno-lazy-broken-');
    await writeHistory(dataDir);
    await snapshotOfStore(dataDir);
    const { store, close } = testMemoryStore(dataDir);
    await store.listConversations({});
    writeFileSync(memoryJournalPath(dataDir), 'x'.repeat(readFileSync(memoryJournalPath(dataDir)).length));
    await expect(store.getConversation('c1')).rejects.toThrow(/could not be read back/);
    await close();
  });
});
