import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryJournalPath } from '../../core/memory';
import { journalBackupPath, journalCompactingPath } from '../../core/memory/journal-compaction';
import { repoRoot } from '../support/built-app';
import { tempDir, testMemoryStore } from '../support/core-harness';

const child = fileURLToPath(new URL('../support/memory-compaction-child.ts', import.meta.url));

describe('kill -9 in the middle of a compaction', () => {
  it('loses nothing: the journal is as it was, the next start compacts it and says once what it dropped', async () => {
    const dataDir = tempDir('bruno-compact-kill-');
    const seed = testMemoryStore(dataDir, { journal: { syncIntervalMs: 0 } });
    for (let i = 0; i < 20; i++) {
      const rec = await seed.store.conversations.beginTurn({ conversationId: `c${i}`, turnId: `t${i}`, model: 'm', user: { id: `u${i}`, role: 'user', content: `question ${i}`, createdAt: new Date().toISOString() } });
      await rec.end({ status: 'done', assistantId: `a${i}`, answer: `answer ${i}`, model: 'm', stats: null, sources: [], traceId: null, error: null });
    }
    await seed.store.addMemory({ type: 'semantic', text: 'the NAS is 10.0.0.5' });
    await seed.close();
    const path = memoryJournalPath(dataDir);
    writeFileSync(path, readFileSync(path, 'utf8') + 'not json\n');
    const before = readFileSync(path, 'utf8');

    const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', BRUNO_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, s) => resolve(s)));
    expect(out).toContain('compacted file written');
    expect(signal).toBe('SIGKILL');
    // The kill came between the write and the rename: the journal is untouched, the new file is beside it.
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(existsSync(journalCompactingPath(path))).toBe(true);

    const warnings: string[] = [];
    const { store, close } = testMemoryStore(dataDir, { warn: (m) => warnings.push(m) });
    const list = await store.listConversations({ limit: 100 });
    expect(list).toHaveLength(20);
    expect((await store.getConversation('c7')).messages.map((m) => m.content)).toEqual(['question 7', 'answer 7']);
    expect((await store.listMemories({})).map((m) => m.text)).toEqual(['the NAS is 10.0.0.5']);
    await close();
    expect(warnings).toEqual([expect.stringMatching(/dropped 1 damaged line \(1 not JSON/)]);
    expect(readFileSync(journalBackupPath(path), 'utf8')).toBe(before);
    expect(existsSync(journalCompactingPath(path))).toBe(false);

    const again: string[] = [];
    const third = testMemoryStore(dataDir, { warn: (m) => again.push(m) });
    expect(await third.store.listConversations({ limit: 100 })).toHaveLength(20);
    await third.close();
    expect(again).toEqual([]);
  });
});
