import type { InvokeEventLike } from './ipc-binding';

/**
 * Whether an IPC call comes from the app's own top-level page. Subframes are refused too: only
 * the top-level app page speaks for the user.
 */
export function isFromAppFrame(event: InvokeEventLike, isAllowedSender: (frameUrl: string) => boolean): boolean {
  const frame = event.senderFrame;
  return !!frame && !frame.parent && isAllowedSender(frame.url);
}
