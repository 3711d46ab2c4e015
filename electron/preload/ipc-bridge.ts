/**
 * The renderer's Bridge over Electron IPC, built in the preload. Plain module: `ipcRenderer`
 * comes in as a structural interface so tests use a fake.
 *
 * Imports only zod-free modules: a sandboxed preload cannot `require` packages, and
 * electron-vite leaves dependencies external.
 */
import type { Bridge, EventChannel, EventPayloads, InvokeChannel, InvokeInput, InvokeOutput, Unsubscribe } from '../../core/common/contract';
import { BrunoError, isErrorCode } from '../../core/common/errors';
import type { InvokeEnvelope } from '../../core/common/http-api';
import { bridgeEventChannels, ipcChannels, isBridgeEventChannel } from '../ipc-channels';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's `ipcRenderer` the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/**
 * Envelope-level API: `invoke` resolves with the envelope itself and never rejects. This is the
 * shape to expose through `contextBridge` if error codes must reach the page, because
 * `contextBridge` copies a rejected Error with its message only (electron/electron#25596).
 */
export interface IpcEnvelopeApi {
  invoke(channel: string, input?: unknown): Promise<InvokeEnvelope<unknown>>;
  on: Bridge['on'];
}

export function createIpcEnvelopeApi(ipc: IpcRendererLike, onListenerError: (err: unknown) => void = reportListenerError): IpcEnvelopeApi {
  // One IPC listener for all subscriptions (attached while there is at least one), so many
  // subscribers never trip EventEmitter's max-listeners warning.
  const subscriptions = new Map<EventChannel, Set<{ listener: (payload: never) => void }>>();
  let count = 0;
  const dispatch: IpcListener = (_event, channel, payload) => {
    if (!isBridgeEventChannel(channel)) return;
    for (const sub of [...(subscriptions.get(channel) ?? [])]) {
      try {
        (sub.listener as (p: unknown) => void)(payload);
      } catch (err) {
        onListenerError(err);
      }
    }
  };

  return {
    async invoke(channel, input) {
      // Main checks the name against the method registry and answers unknown_channel.
      if (typeof channel !== 'string' || channel.length > 128) return failure('unknown_channel', `Unknown method '${String(channel).slice(0, 64)}'`);
      let reply: unknown;
      try {
        reply = await ipc.invoke(ipcChannels.invoke, channel, input);
      } catch (err) {
        // The main process had no handler (window closing) or could not clone the input.
        return failure('internal', `Internal error: IPC call ${channel} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      return isEnvelope(reply) ? reply : failure('internal', `Internal error: malformed IPC reply for ${channel}`);
    },

    on(channel, listener) {
      if (!isBridgeEventChannel(channel)) {
        throw new BrunoError('unknown_channel', `Unknown event '${String(channel).slice(0, 64)}'. Known: ${bridgeEventChannels.join(', ')}`);
      }
      if (typeof listener !== 'function') throw new BrunoError('invalid_request', `Listener for '${channel}' must be a function`);
      // A fresh object per call: subscribing the same function twice gives two subscriptions,
      // and each unsubscribe removes exactly its own.
      const sub = { listener: listener as (payload: never) => void };
      let set = subscriptions.get(channel);
      if (!set) subscriptions.set(channel, (set = new Set()));
      set.add(sub);
      if (count++ === 0) ipc.on(ipcChannels.event, dispatch);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        set.delete(sub);
        if (--count === 0) ipc.removeListener(ipcChannels.event, dispatch);
      };
    },
  };
}

/** Turns an envelope into the result, or throws an Error carrying the envelope's `code`. */
export function unwrapEnvelope<T>(envelope: InvokeEnvelope<T>): T {
  if (envelope.ok) return envelope.result;
  const { code, message } = envelope.error;
  throw new BrunoError(isErrorCode(code) ? code : 'internal', message);
}

/** The contract's Bridge over IPC: results unwrapped, failures thrown as BrunoError (with `code`). */
export function createIpcBridge(ipc: IpcRendererLike, onListenerError?: (err: unknown) => void): Bridge {
  const api = createIpcEnvelopeApi(ipc, onListenerError);
  return {
    async invoke<C extends InvokeChannel>(channel: C, input?: InvokeInput<C>): Promise<InvokeOutput<C>> {
      return unwrapEnvelope((await api.invoke(channel, input)) as InvokeEnvelope<InvokeOutput<C>>);
    },
    on<E extends EventChannel>(channel: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe {
      return api.on(channel, listener);
    },
  };
}

function failure(code: string, message: string): InvokeEnvelope<never> {
  return { ok: false, error: { code, message } };
}

function isEnvelope(value: unknown): value is InvokeEnvelope<unknown> {
  if (!value || typeof value !== 'object') return false;
  const v = value as { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return true;
  return v.ok === false && !!v.error && typeof v.error.code === 'string' && typeof v.error.message === 'string';
}

function reportListenerError(err: unknown): void {
  console.error('[agent-bruno] an event listener threw', err);
}
