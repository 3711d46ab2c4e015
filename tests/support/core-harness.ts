import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, type Settings } from '../../core/config';
import type { TurnEndEvent, TurnEvent } from '../../core/common';
import { createCore, type Core } from '../../core/runtime';

export function tempDir(prefix = 'bruno-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Settings as a user would set them through the environment, with no settings file. */
export function testSettings(env: Record<string, string>): Settings {
  return loadSettings({ env: { BRUNO_DATA_DIR: tempDir(), ...env }, readFile: () => null });
}

export function testCore(env: Record<string, string>, warnings: unknown[] = []): Core {
  return createCore({ settings: testSettings(env), warn: (message, detail) => warnings.push([message, detail]) });
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
