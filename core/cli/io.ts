import type { Readable, Writable } from 'node:stream';

/** The streams a command writes to; injected so commands can be tested without a terminal. */
export interface CliIo {
  /** The raw process streams, for a command that speaks a protocol on them (`mcp`). */
  stdio?: { stdin: Readable; stdout: Writable };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Registers a Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

export const exitCodes = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** One line, no stack: what a user reads when a command fails. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
