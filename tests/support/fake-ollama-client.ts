/**
 * What the fake Ollama tests (tests/unit/fake-ollama-*.test.ts) share: the fast default
 * behaviour, a user message, the wire time format and helpers to collect a stream.
 */
import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startFakeOllama } from '../fake-ollama';
import type { FakeOllama } from '../fake-ollama';

export const RFC3339_NANO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
export const MS = 1_000_000; // ns per ms
export const USER = [{ role: 'user', content: 'How is my homelab doing today?' }];

/** Fast defaults so most tests take a few milliseconds. */
export const BASE = { tokensPerSecond: 0, replyTokens: 8 } as const;

export interface Timed<T> {
  chunk: T;
  at: number;
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<Array<Timed<T>>> {
  const out: Array<Timed<T>> = [];
  for await (const chunk of stream) out.push({ chunk, at: performance.now() });
  return out;
}

export function errorOf(error: unknown): Error & { status_code?: number; cause?: unknown } {
  expect(error).toBeInstanceOf(Error);
  return error as Error & { status_code?: number; cause?: unknown };
}

/**
 * One fake Ollama and one `ollama` client for a whole test file, reset before each test: the
 * setup every fake Ollama test file shares. `receive` is handed both once they are up.
 */
export function useSharedFake(receive: (shared: { fake: FakeOllama; ollama: Ollama }) => void): void {
  let fake: FakeOllama | undefined;
  beforeAll(async () => {
    fake = await startFakeOllama(BASE);
    receive({ fake, ollama: new Ollama({ host: fake.url }) });
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake?.reset();
  });
}
