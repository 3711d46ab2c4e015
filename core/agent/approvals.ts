/**
 * The calls of one turn that wait for the user's Run / Deny (`chat.approve`). Only the person at
 * the UI answers: nothing a tool returns or the model writes reaches `decide`.
 */
export interface ApprovalGate {
  /** Resolves true (run) or false (denied, timed out); rejects with the abort when the turn stops. */
  wait(callId: string, signal: AbortSignal, timeoutMs: number): Promise<boolean>;
  /** The user's answer; false when no call of that id waits. */
  decide(callId: string, allow: boolean): boolean;
}

export function createApprovalGate(): ApprovalGate {
  const waiting = new Map<string, (allow: boolean) => void>();
  return {
    wait(callId, signal, timeoutMs) {
      return new Promise<boolean>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const settle = () => {
          clearTimeout(timer);
          waiting.delete(callId);
          signal.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          settle();
          reject(signal.reason);
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        timer = setTimeout(() => {
          settle();
          resolve(false);
        }, timeoutMs);
        timer.unref?.();
        waiting.set(callId, (allow) => {
          settle();
          resolve(allow);
        });
      });
    },
    decide(callId, allow) {
      const answer = waiting.get(callId);
      if (!answer) return false;
      answer(allow);
      return true;
    },
  };
}
