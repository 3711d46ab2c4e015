/**
 * The Electron transport. The preload exposes `window.bruno` whose `invoke` resolves with an
 * envelope instead of throwing, because an Error crossing contextBridge keeps only its message;
 * unwrapping here, in the page's own world, keeps the core's error code.
 */
import type { Bridge, InvokeEnvelope } from '../../../core/common';
import type { AppCommandApi } from '../../../core/common/app-commands';
import { unwrapEnvelope } from './ndjson';

export interface IpcEnvelopeApi {
  invoke(channel: string, input?: unknown): Promise<InvokeEnvelope<unknown>>;
  on: Bridge['on'];
  /** Menu/tray commands of the shell; optional so an older preload still works. */
  onCommand?: AppCommandApi['onCommand'];
  /** The native open dialog for the knowledge base (desktop only). */
  pickPaths?: PickPaths;
}

export type PickPaths = (kind: 'folders' | 'files') => Promise<string[]>;

export function bridgeFromEnvelopeApi(api: IpcEnvelopeApi): Bridge {
  return {
    invoke: (async (channel: string, input?: unknown) => unwrapEnvelope(await api.invoke(channel, input), channel)) as Bridge['invoke'],
    on: (channel, listener) => api.on(channel, listener),
  };
}
