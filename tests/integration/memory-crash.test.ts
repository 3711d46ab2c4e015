import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../core/config';
import { memoryJournalPath } from '../../core/memory';
import { createCore } from '../../core/runtime';
import { defaultReplyTokens, startFakeOllama, type FakeOllama } from '../fake-ollama';
import { repoRoot } from '../support/built-app';
import { runTurn, tempDir } from '../support/core-harness';

const child = fileURLToPath(new URL('../support/memory-crash-child.ts', import.meta.url));
let fake: FakeOllama;

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 20, replyTokens: 400 });
});
afterAll(async () => {
  await fake.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Journal records of the answer flushed so far (the store writes them every 500 ms while streaming). */
function flushedDeltas(dataDir: string): number {
  const path = memoryJournalPath(dataDir);
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"t":"delta"')).length;
}

describe('a conversation survives kill -9 in the middle of a streamed answer', () => {
  it('keeps the question and the answer up to the last flush, marked interrupted', async () => {
    const dataDir = tempDir('bruno-crash-');
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', BRUNO_DATA_DIR: dataDir, OLLAMA_HOST: fake.url, CRASH_CONVERSATION_ID: 'crash-1', LANCEDB_LOG: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
    try {
      // Wait for two flushes of the answer (~1 s of streaming at 20 tokens/s), then kill it hard.
      const deadline = Date.now() + 15_000;
      while (flushedDeltas(dataDir) < 2) {
        if (Date.now() > deadline) throw new Error(`no answer flushed within 15 s: ${out}`);
        if (proc.exitCode !== null) throw new Error(`the child exited early: ${out}`);
        await sleep(50);
      }
      expect(out).toContain('streaming crash-1');
      proc.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      proc.kill('SIGKILL');
    }

    const settings = loadSettings({ env: { BRUNO_DATA_DIR: dataDir, OLLAMA_HOST: fake.url }, readFile: () => null });
    const core = createCore({ settings, logging: { file: false } });
    try {
      const detail = await core.handlers['conversations.get']({ conversationId: 'crash-1' });
      expect(detail.messages.map((m) => [m.role, m.status])).toEqual([
        ['user', 'interrupted'],
        ['assistant', 'interrupted'],
      ]);
      expect(detail.messages[0]?.content).toBe('tell me a long story');
      const partial = detail.messages[1]!.content;
      const full = defaultReplyTokens(400).join('');
      // Nothing invented, nothing reordered: a prefix of the reply, cut before its end.
      expect(partial.length).toBeGreaterThan(0);
      expect(full.startsWith(partial)).toBe(true);
      expect(partial.length).toBeLessThan(full.length);
      expect(detail.messages[1]?.stats).toBeNull();
      expect((await core.handlers['conversations.list']({})).map((c) => c.id)).toEqual(['crash-1']);

      // The conversation goes on after the restart, with the interrupted exchange as history.
      fake.configure({ tokensPerSecond: 0, replyText: 'Where was I?' });
      const next = await runTurn(core, { message: 'go on', conversationId: 'crash-1' });
      expect(next.end.type).toBe('done');
      const sent = (fake.requests.filter((r) => r.path === '/api/chat').at(-1)?.body as { messages: { content: string }[] }).messages;
      expect(sent.map((m) => m.content)).toEqual(['tell me a long story', partial, 'go on']);
    } finally {
      await core.close();
    }
  });
});
