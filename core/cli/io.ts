/** The streams a command writes to; injected so commands can be tested without a terminal. */
export interface CliIo {
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
