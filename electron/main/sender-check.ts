/** The part of `IpcMainInvokeEvent` the sender check reads. */
export interface InvokeEventLike {
  /** `null` once the frame navigated away or was destroyed. */
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/**
 * Whether an IPC call comes from the app's own top-level page. Subframes are refused too: only
 * the top-level app page speaks for the user.
 */
export function isFromAppFrame(event: InvokeEventLike, isAllowedSender: (frameUrl: string) => boolean): boolean {
  const frame = event.senderFrame;
  return !!frame && !frame.parent && isAllowedSender(frame.url);
}
