/**
 * The contract between the UI and the core: invoke methods (renderer -> core), declared by domain
 * in ./methods, and events (core -> renderer) in ./channels. Electron IPC and the headless HTTP
 * bridge both bind it; every input is validated at the transport boundary with the method's schema.
 */
import type { z } from 'zod';
import { BrunoError } from './errors';
import { refuseForbiddenKeys } from './hostile-keys';
import type { MethodHandlers, OutputOf } from './method';
import { contractMethods } from './methods';

export { contractMethods };
export type { MethodContext, MethodHandlers, MethodSpec } from './method';
export type { EventChannel, EventPayloads } from './channels';
import type { EventChannel, EventPayloads } from './channels';

type Methods = typeof contractMethods;
export type InvokeChannel = keyof Methods;
export const invokeChannels = Object.keys(contractMethods) as InvokeChannel[];

/** Own keys only: `__proto__`, `toString` and friends are no methods. */
export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && Object.hasOwn(contractMethods, value);
}

export type InvokeInput<C extends InvokeChannel> = z.input<Methods[C]['input']>;
export type InvokeOutputs = { [C in InvokeChannel]: OutputOf<Methods[C]> };
export type InvokeOutput<C extends InvokeChannel> = InvokeOutputs[C];

/**
 * Validates a payload that crossed a transport. Throws a BrunoError whose message names the
 * channel and each bad field, so a caller sees what to fix instead of a crash.
 */
export function parseInvokeInput<C extends InvokeChannel>(channel: C, payload: unknown): z.output<Methods[C]['input']>;
export function parseInvokeInput(channel: unknown, payload: unknown): unknown;
export function parseInvokeInput(channel: unknown, payload: unknown): unknown {
  if (!isInvokeChannel(channel)) {
    throw new BrunoError('unknown_channel', `Unknown method '${String(channel).slice(0, 64)}'. Known: ${invokeChannels.join(', ')}`);
  }
  refuseForbiddenKeys(payload, `Invalid input for ${channel}`);
  const result = (contractMethods[channel].input as z.ZodType).safeParse(payload ?? undefined);
  if (!result.success) {
    const fields = result.error.issues
      .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
      .join('; ');
    throw new BrunoError('invalid_request', `Invalid input for ${channel}: ${fields}`);
  }
  return result.data;
}

/** What the core implements and each transport binds: the domains' handlers together. */
export type ContractHandlers = MethodHandlers<Methods>;

/**
 * Validates and calls: what every transport does with a method name and a payload that crossed
 * it (HTTP, IPC, the CLI's mirrors of methods).
 */
export function invokeMethod(handlers: ContractHandlers, channel: unknown, payload: unknown, context?: Parameters<ContractHandlers[InvokeChannel]>[1]): Promise<unknown> {
  const input = parseInvokeInput(channel, payload);
  const handler = handlers[channel as InvokeChannel] as (input: unknown, context?: unknown) => Promise<unknown>;
  return context === undefined ? handler(input) : handler(input, context);
}

export type Unsubscribe = () => void;

/** What the renderer holds: it cannot tell whether IPC or HTTP is behind it. */
export interface Bridge {
  invoke<C extends InvokeChannel>(channel: C, input?: InvokeInput<C>): Promise<InvokeOutput<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe;
}

export * from './methods';
