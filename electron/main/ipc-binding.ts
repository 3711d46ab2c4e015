/**
 * Binds the contract onto Electron IPC. Plain module: Electron's objects come in through the
 * small structural interfaces below, so tests drive it with fakes.
 *
 * Nothing is ever thrown across IPC: Electron turns a rejected `handle` into an Error with only a
 * message, so every answer is an envelope `{ ok, result | error: { code, message } }`.
 */
import { invokeMethod, type ContractHandlers, type InvokeChannel } from '../../core/common/contract';
import type { EventHub } from '../../core/common/emitter';
import { BrunoError, toErrorInfo, type ErrorInfo } from '../../core/common/errors';
import type { InvokeEnvelope } from '../../core/common/http-api';
import { ipcChannels } from '../ipc-channels';
import { ForbiddenKeyError } from '../../core/common/hostile-keys';
import type { AuditLog } from '../../core/telemetry/audit-log';
import type { Log } from './log';
import { isFromAppFrame, type InvokeEventLike } from './sender-check';

export type { InvokeEventLike };

/** `ipcMain`, or better a window's own `webContents.ipc` (scoped to that window). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The window's `webContents`, the target of forwarded events. */
export interface WebContentsLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcBindingDeps {
  ipc: IpcMainLike;
  handlers: ContractHandlers;
  events: EventHub;
  target: WebContentsLike;
  /** True for the app's own renderer URL (see `isAppRendererUrl`). */
  isAllowedSender: (frameUrl: string) => boolean;
  log: Log;
  /** Refused calls (a foreign frame, forbidden keys) leave an audit line. */
  audit?: AuditLog;
}

export type Unbind = () => void;

const refusedSender: ErrorInfo = {
  code: 'unauthorized',
  message: 'Refused: only the Agent Bruno window may call the core.',
};

export function bindContractToIpc(deps: IpcBindingDeps): Unbind {
  const { ipc, handlers, events, target, isAllowedSender, log, audit } = deps;
  const endpointOf = (channel: unknown) => `ipc:${String(channel).slice(0, 64)}`;

  async function answer(event: InvokeEventLike, channel: unknown, payload: unknown): Promise<InvokeEnvelope<unknown>> {
    try {
      const frame = event.senderFrame;
      if (!isFromAppFrame(event, isAllowedSender)) {
        log('ipc: refused a call from a frame that is not the app renderer', {
          channel: String(channel).slice(0, 64),
          url: frame ? String(frame.url).slice(0, 200) : null,
        });
        audit?.record('auth_refused', 'request refused', { reason: 'a frame that is not the app renderer', endpoint: endpointOf(channel), origin: 'ipc' });
        return { ok: false, error: refusedSender };
      }
      // The origin the settings editor trusts with stdio MCP commands: only this window sets it.
      const result = await invokeMethod(handlers, channel, payload, { origin: 'ipc' });
      assertCloneable(result, channel as InvokeChannel);
      return { ok: true, result };
    } catch (err) {
      if (err instanceof ForbiddenKeyError) audit?.record('forbidden_keys_refused', 'request refused', { reason: `forbidden key ${err.keyPath}`, endpoint: endpointOf(channel), origin: 'ipc' });
      const error = toErrorInfo(err);
      if (error.code === 'internal') log('ipc: handler failed', { channel: String(channel).slice(0, 64), error: error.message });
      return { ok: false, error };
    }
  }

  ipc.handle(ipcChannels.invoke, (event, channel, payload) => answer(event, channel, payload));

  const offEvents = events.onAny((channel, payload) => {
    if (target.isDestroyed()) return;
    try {
      target.send(ipcChannels.event, channel, payload);
    } catch (err) {
      // A window closing mid-send or an uncloneable payload must not break the core's emitter.
      log('ipc: could not forward an event', { channel, error: toErrorInfo(err).message });
    }
  });

  let bound = true;
  return () => {
    if (!bound) return;
    bound = false;
    ipc.removeHandler(ipcChannels.invoke);
    offEvents();
  };
}

/**
 * IPC serializes with the structured clone algorithm; a result it cannot clone (a function, a
 * class instance with methods) would reject on the renderer side with a generic message. Checking
 * here turns it into an envelope naming the channel.
 */
function assertCloneable(value: unknown, channel: InvokeChannel): void {
  try {
    structuredClone(value);
  } catch (err) {
    throw new BrunoError('internal', `Internal error: the result of ${channel} cannot be sent over IPC (${toErrorInfo(err).message})`);
  }
}
