import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, type Settings } from '../../core/config';
import type { TurnEndEvent, TurnEvent } from '../../core/common';
import { createCore, type Core } from '../../core/runtime';
import { createMemoryStore, type MemoryStore, type MemoryStoreDeps } from '../../core/memory';
import { createLogger } from '../../core/telemetry/logging';
import { trace } from '@opentelemetry/api';

export function tempDir(prefix = 'bruno-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A memory store in `dataDir` on its own, with a quiet logger and an embedder that fails (facts
 * are then matched by text); `overrides` swaps any collaborator. `close` closes both.
 */
export function testMemoryStore(dataDir: string, overrides: Partial<MemoryStoreDeps> = {}): { store: MemoryStore; close(): Promise<void> } {
  const logger = createLogger({ service: { name: 't', version: '0', environment: 'test', instanceId: 'i' }, level: 'error', dataDir, file: false, stderr: false });
  const store = createMemoryStore({
    dataDir,
    storeUri: join(dataDir, 'lancedb'),
    embed: async () => Promise.reject(new Error('no embeddings here')),
    embedModel: () => 'nomic-embed-text',
    tracer: trace.getTracer('test'),
    logger,
    warn: () => {},
    ...overrides,
  });
  return {
    store,
    async close() {
      await store.close();
      await logger.close();
    },
  };
}

/** Settings as a user would set them through the environment, with no settings file. */
export function testSettings(env: Record<string, string>): Settings {
  // Test folders live under the temp folder, outside the home folder the knowledge base reads by default.
  return loadSettings({ env: { BRUNO_DATA_DIR: tempDir(), BRUNO_KB_ALLOWED_ROOTS: tmpdir(), ...env }, readFile: () => null });
}

export function testCore(env: Record<string, string>, warnings: unknown[] = []): Core {
  return createCore({ settings: testSettings(env), env, warn: (message, detail) => warnings.push([message, detail]) });
}

export interface TurnRecord {
  events: TurnEvent[];
  text: string;
  end: TurnEndEvent;
}

/** Runs one turn straight on the agent and collects what it emitted. */
export async function runTurn(core: Core, input: { message: string; model?: string; conversationId?: string }): Promise<TurnRecord & { conversationId: string }> {
  const events: TurnEvent[] = [];
  const turn = core.agent.startTurn(input, (e) => events.push(e));
  const end = await turn.finished;
  const text = events.flatMap((e) => (e.type === 'token' ? [e.text] : [])).join('');
  return { events, text, end, conversationId: turn.conversationId };
}

/** A loopback port with nothing listening on it (for "Ollama is down"). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
