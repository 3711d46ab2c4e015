import { useState } from 'react';
import type { ToolCallView } from '../../../../core/common';
import { useActions } from '../../shared/context';

const statusText: Record<ToolCallView['status'], string> = {
  running: 'running…',
  awaiting_approval: 'waiting for you',
  ok: 'done',
  error: 'failed',
  denied: 'denied',
};

/**
 * The tool calls inside an answer: name, arguments, status and duration, the result folded.
 * A call waiting for approval shows Run / Deny. All of it is model or tool output: plain text.
 */
export function ToolCallsView({ calls }: { calls: readonly ToolCallView[] }) {
  const actions = useActions();
  // One answer per call: a second click (or a click on the other button) while the first travels
  // would only be refused by the core, so the buttons go quiet at once.
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const decide = (id: string, allow: boolean) => {
    setDecided((d) => new Set(d).add(id));
    void actions.approveTool(id, allow).then((sent) => {
      if (!sent)
        setDecided((d) => {
          const next = new Set(d);
          next.delete(id);
          return next;
        });
    });
  };
  return (
    <div className="tool-calls" data-testid="tool-calls">
      {calls.map((call) => (
        <div key={call.id} className={`tool-call tool-call-${call.status}`} data-testid="tool-call" data-status={call.status}>
          <div className="tool-call-head">
            <code className="tool-call-name">{call.name}</code>
            <code className="tool-call-args">{JSON.stringify(call.arguments)}</code>
            <span className="tool-call-status" data-testid="tool-call-status">
              {statusText[call.status] ?? call.status}
              {call.durationMs !== undefined && call.status !== 'denied' ? ` · ${Math.round(call.durationMs)} ms` : ''}
            </span>
          </div>
          {call.status === 'awaiting_approval' && (
            <div className="tool-call-actions">
              <button type="button" className="button button-small" data-testid="tool-run" disabled={decided.has(call.id)} onClick={() => decide(call.id, true)}>
                Run
              </button>
              <button type="button" className="button button-small" data-testid="tool-deny" disabled={decided.has(call.id)} onClick={() => decide(call.id, false)}>
                Deny
              </button>
            </div>
          )}
          {call.result !== undefined && (
            <details className="tool-call-result">
              <summary>Result{call.truncated ? ' (cut to the token budget)' : ''}</summary>
              <pre data-testid="tool-call-result">{call.result}</pre>
            </details>
          )}
        </div>
      ))}
    </div>
  );
}
