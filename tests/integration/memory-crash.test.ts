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

/** Journal records of the answer flushed so far (the first content at once, then every 500 ms). */
function flushedDeltas(dataDir: string): number {
  const path = memoryJournalPath(dataDir);
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('"t":"delta"')).length;
}

interface Crashing {
  /** `emitted <n>` lines: the answer's length the child had emitted, and when the parent saw it. */
  emitted: { length: number; at: number }[];
  output: () => string;
  exited: Promise<NodeJS.Signals | null>;
  kill: () => void;
}

function startCrashingChild(dataDir: string, conversationId: string, env: Record<string, string> = {}): Crashing {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', BRUNO_DATA_DIR: dataDir, OLLAMA_HOST: fake.url, CRASH_CONVERSATION_ID: conversationId, LANCEDB_LOG: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let pending = '';
  const emitted: Crashing['emitted'] = [];
  proc.stdout.on('data', (d: Buffer) => {
    out += d;
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.startsWith('emitted ')) emitted.push({ length: Number(line.slice(8)), at: performance.now() });
  });
  proc.stderr.on('data', (d) => (out += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  return { emitted, output: () => out, exited, kill: () => proc.kill('SIGKILL') };
}

async function reopen(dataDir: string) {
  const settings = loadSettings({ env: { BRUNO_DATA_DIR: dataDir, OLLAMA_HOST: fake.url }, readFile: () => null });
  return createCore({ settings, logging: { file: false } });
}

const full = defaultReplyTokens(400).join('');

describe('a conversation survives kill -9 in the middle of a streamed answer', () => {
  it('keeps the question and the answer up to the last flush, marked interrupted', async () => {
    const dataDir = tempDir('bruno-crash-');
    const crashing = startCrashingChild(dataDir, 'crash-1');
    let killedAt = 0;
    try {
      // Wait for three writes of the answer (the first at once, then ~1 s of streaming at 20 tokens/s), then kill it hard.
      const deadline = Date.now() + 15_000;
      while (flushedDeltas(dataDir) < 3) {
        if (Date.now() > deadline) throw new Error(`no answer flushed within 15 s: ${crashing.output()}`);
        await sleep(50);
      }
      expect(crashing.output()).toContain('streaming crash-1');
      killedAt = performance.now();
      crashing.kill();
      expect(await crashing.exited).toBe('SIGKILL');
    } finally {
      crashing.kill();
    }

    const core = await reopen(dataDir);
    try {
      const detail = await core.handlers['conversations.get']({ conversationId: 'crash-1' });
      expect(detail.messages.map((m) => [m.role, m.status])).toEqual([
        ['user', 'interrupted'],
        ['assistant', 'interrupted'],
      ]);
      expect(detail.messages[0]?.content).toBe('tell me a long story');
      const partial = detail.messages[1]!.content;
      // Nothing invented, nothing reordered: a prefix of the reply, cut before its end.
      expect(partial.length).toBeGreaterThan(0);
      expect(full.startsWith(partial)).toBe(true);
      expect(partial.length).toBeLessThan(full.length);
      // The promise: at most the last 500 ms of the answer is lost (250 ms of slack for a loaded machine's timers).
      const olderThanInterval = crashing.emitted.filter((e) => e.at < killedAt - 750).at(-1);
      expect(olderThanInterval).toBeDefined();
      expect(partial.length).toBeGreaterThanOrEqual(olderThanInterval!.length);
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
      fake.configure({ tokensPerSecond: 20, replyText: null });
    }
  });

  it('a kill within the first 500 ms of the answer keeps what was shown before it', async () => {
    const dataDir = tempDir('bruno-crash-early-');
    // The child kills itself 150 ms after its first token: before the first 500 ms flush would run.
    const crashing = startCrashingChild(dataDir, 'crash-early', { CRASH_SELF_KILL_MS: '150' });
    try {
      expect(await crashing.exited).toBe('SIGKILL');
    } finally {
      crashing.kill();
    }
    expect(crashing.output()).toContain('streaming crash-early');
    const firstShown = crashing.emitted[0]!.length;
    const core = await reopen(dataDir);
    try {
      const detail = await core.handlers['conversations.get']({ conversationId: 'crash-early' });
      expect(detail.messages.map((m) => [m.role, m.status])).toEqual([
        ['user', 'interrupted'],
        ['assistant', 'interrupted'],
      ]);
      const partial = detail.messages[1]!.content;
      expect(partial.length).toBeGreaterThanOrEqual(firstShown);
      expect(full.startsWith(partial)).toBe(true);
    } finally {
      await core.close();
    }
  });
});
