/**
 * The contract between the UI and the core: invoke methods (renderer -> core) and events
 * (core -> renderer). Declared once; Electron IPC and the headless HTTP bridge both bind it.
 * Every input is validated at the transport boundary with these schemas.
 */
import { z } from 'zod';
import { invokeChannels, isInvokeChannel, type EventChannel, type InvokeChannel } from './channels';

export type { EventChannel, InvokeChannel };
import { BrunoError } from './errors';
import type { ChatEventBatch } from './turn';
import type { HealthState, ModelInfo } from './health';
import type { SpanRecord, TurnSample } from './telemetry';
import type { AlertsState } from './alerts';

const id = z.string().min(1).max(128).regex(/^[\w.:-]+$/, 'letters, digits, . : _ - only');

export const chatSendInput = z.strictObject({
  message: z.string().trim().min(1, 'message is empty').max(200_000),
  conversationId: id.optional(),
  model: z.string().min(1).max(200).optional(),
  /** Chosen by the caller so it can match events and stop the turn before the reply arrives. */
  turnId: id.optional(),
});
export type ChatSendInput = z.infer<typeof chatSendInput>;

export const chatStopInput = z.strictObject({ turnId: id });
export type ChatStopInput = z.infer<typeof chatStopInput>;

const noInput = z.strictObject({}).optional();

export const tracesGetInput = z.strictObject({ traceId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a 32-character lowercase hex trace id') });

export interface ChatSendAccepted {
  turnId: string;
  conversationId: string;
}

/** Input schemas by channel: the runtime list of invoke channels is derived from it. */
export const invokeInputSchemas = {
  'chat.send': chatSendInput,
  'chat.stop': chatStopInput,
  'models.list': noInput,
  'health.get': noInput,
  'traces.get': tracesGetInput,
  'alerts.list': noInput,
} as const satisfies Record<InvokeChannel, z.ZodType>;

export type InvokeInput<C extends InvokeChannel> = z.input<(typeof invokeInputSchemas)[C]>;

export interface InvokeOutputs {
  'chat.send': ChatSendAccepted;
  'chat.stop': { stopped: boolean };
  'models.list': ModelInfo[];
  'health.get': HealthState;
  /** Spans of a recent turn from the in-process buffer (empty when it has been evicted). */
  'traces.get': SpanRecord[];
  'alerts.list': AlertsState;
}
export type InvokeOutput<C extends InvokeChannel> = InvokeOutputs[C];

export interface EventPayloads {
  /** Batched events of a turn (tokens coalesced), never one message per token. */
  'chat.event': ChatEventBatch;
  health: HealthState;
  /** Live TTFT / tokens per second while a turn streams, at most ~10 per second. */
  'turn.sample': TurnSample;
  /** The alert list changed (an alert started pending/firing or resolved). */
  alerts: AlertsState;
}

// Compile-time proof that the name lists in channels.ts and the maps here describe the same API.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const contractMapsMatchChannels: [Same<keyof typeof invokeInputSchemas, InvokeChannel>, Same<keyof InvokeOutputs, InvokeChannel>, Same<keyof EventPayloads, EventChannel>] = [true, true, true];

/**
 * Validates a payload that crossed a transport. Throws a BrunoError whose message names the
 * channel and each bad field, so a caller sees what to fix instead of a crash.
 */
export function parseInvokeInput<C extends InvokeChannel>(channel: C, payload: unknown): z.output<(typeof invokeInputSchemas)[C]>;
export function parseInvokeInput(channel: unknown, payload: unknown): unknown;
export function parseInvokeInput(channel: unknown, payload: unknown): unknown {
  if (!isInvokeChannel(channel)) {
    throw new BrunoError('unknown_channel', `Unknown method '${String(channel)}'. Known: ${invokeChannels.join(', ')}`);
  }
  const result = invokeInputSchemas[channel].safeParse(payload ?? undefined);
  if (!result.success) {
    const fields = result.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
      .join('; ');
    throw new BrunoError('invalid_request', `Invalid input for ${channel}: ${fields}`);
  }
  return result.data;
}

/** What the core implements and each transport binds. */
export type ContractHandlers = {
  [C in InvokeChannel]: (input: z.output<(typeof invokeInputSchemas)[C]>) => Promise<InvokeOutputs[C]>;
};

export type Unsubscribe = () => void;

/** What the renderer holds: it cannot tell whether IPC or HTTP is behind it. */
export interface Bridge {
  invoke<C extends InvokeChannel>(channel: C, input?: InvokeInput<C>): Promise<InvokeOutput<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe;
}
