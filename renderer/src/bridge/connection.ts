import type { Unsubscribe } from '../../../core/common';

/**
 * The state of the link to the core. Electron IPC is always `open`; the HTTP bridge's event
 * stream can be `lost` (and retried) or `unauthorized` (wrong or missing token).
 */
export type ConnectionStatus = 'connecting' | 'open' | 'lost' | 'unauthorized' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Why it is not open (for `lost` and `unauthorized`). */
  detail: string | null;
  /** When status is `lost`: the delay before the next attempt. */
  retryInMs: number | null;
}

export interface ConnectionSource {
  current(): ConnectionState;
  onChange(listener: (state: ConnectionState) => void): Unsubscribe;
}

export const openConnection: ConnectionState = { status: 'open', detail: null, retryInMs: null };

/** For transports that cannot drop (Electron IPC). */
export function alwaysOpen(): ConnectionSource {
  return { current: () => openConnection, onChange: () => () => {} };
}
