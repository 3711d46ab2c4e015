/**
 * How a contract method is declared: its input schema (validated at every transport boundary),
 * its result type and one sentence on what it does. The name is the key it is declared under in
 * its domain's registry (core/common/methods/<domain>.ts); the handler lives in the domain's own
 * folder (core/<domain>/...-methods.ts), typed by `MethodHandlers` so it cannot drift.
 */
import type { z } from 'zod';
import type { TraceCarrier } from './telemetry';

export interface MethodSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly summary: string;
  /** Type only (never set): the result type, read by `OutputOf`. */
  readonly output?: O;
}

/**
 * `method<Result>()({ input, summary })`: the result type is given, the schema's type inferred
 * (TypeScript cannot infer one type argument and take the other, hence the two calls).
 */
export function method<O>() {
  return <I extends z.ZodType>(spec: { input: I; summary: string }): MethodSpec<I, O> => spec;
}

export type OutputOf<M> = M extends MethodSpec<z.ZodType, infer O> ? O : never;

/**
 * Which transport a call came through, set by the transport itself (never by the caller's payload):
 * the desktop window over IPC, the headless HTTP API, the CLI, or an MCP client of Bruno's MCP
 * server. Some changes are allowed from one origin only (a stdio MCP server is a command the app
 * runs: only the desktop UI may add or change one, see core/config/settings-editor.ts).
 */
export type MethodOrigin = 'ipc' | 'http' | 'cli' | 'mcp';

/** What every handler gets besides its validated input, from the transport that called it. */
export interface MethodContext {
  /** Unset for an in-process call; treated as the least trusted origin. */
  origin?: MethodOrigin;
  /** Aborted when the caller no longer wants the answer (an HTTP client that hung up, Ctrl-C). */
  signal?: AbortSignal;
  /** Progress of long work, for callers that show it (the CLI's progress line). */
  progress?: (done: number, total: number) => void;
  /** The caller's trace (W3C fields, set by the transport): work the method starts joins it. */
  trace?: TraceCarrier;
}

/** The handlers of a registry: one per method, with its validated input and its result type. */
export type MethodHandlers<R extends Record<string, MethodSpec>> = {
  [C in keyof R]: (input: z.output<R[C]['input']>, context?: MethodContext) => Promise<OutputOf<R[C]>>;
};
