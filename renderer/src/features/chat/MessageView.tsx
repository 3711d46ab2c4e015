import { memo, useCallback, useMemo, useRef, useState } from 'react';
import { useActions } from '../../shared/context';
import { Markdown } from '../../markdown/render';
import type { ChatMessage } from './slice';
import { AnswerScores } from './AnswerScores';
import { SourcesList } from './SourcesList';
import { StallNotice } from './StallNotice';
import { StatsLine } from './StatsLine';
import { ToolCallsView } from './ToolCallsView';

/**
 * One message. Answers are Markdown (model output is untrusted: rendered as React elements,
 * never as HTML); questions stay plain text. Memoized: only the streaming row re-renders per frame.
 */
export const MessageView = memo(function MessageView({ message, isLast }: { message: ChatMessage; isLast: boolean }) {
  const { role, status } = message;
  const controller = useActions();
  const [showSource, setShowSource] = useState(false);
  const sourcesRef = useRef<HTMLDetailsElement>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  const citable = useMemo(() => new Set(message.sources.map((s) => s.n)), [message.sources]);
  const onCite = useCallback((n: number) => {
    const details = sourcesRef.current;
    if (details) {
      details.open = true;
      details.querySelector(`[data-source="${n}"]`)?.scrollIntoView({ block: 'nearest' });
    }
    setHighlight(n);
  }, []);
  const ended = status === 'error' || status === 'stopped' || status === 'interrupted';
  return (
    <article
      className={`message message-${role} message-${status}`}
      data-testid={role === 'user' ? 'message-user' : 'message-assistant'}
      data-status={status}
      aria-busy={status === 'streaming'}
      aria-label={role === 'user' ? 'Your message' : 'Answer'}
    >
      {message.thinking && (
        <details className="thinking">
          <summary>Thinking</summary>
          <div className="message-text">{message.thinking}</div>
        </details>
      )}
      {message.toolCalls && message.toolCalls.length > 0 && <ToolCallsView calls={message.toolCalls} />}
      {role === 'user' ? (
        <div className="message-text">{message.text}</div>
      ) : (
        <div className="answer-text" data-testid="answer-text">
          {showSource ? (
            <pre className="answer-source" data-testid="answer-source">
              {message.text}
            </pre>
          ) : (
            <Markdown text={message.text} onCite={onCite} citable={citable} streaming={status === 'streaming'} />
          )}
          {status === 'streaming' && <span className="cursor" aria-hidden="true" />}
        </div>
      )}
      {status === 'streaming' && message.text === '' && !message.toolCalls?.some((c) => c.status === 'awaiting_approval' || c.status === 'running') && <div className="muted">Waiting for the model…</div>}
      {status === 'streaming' && <StallNotice />}
      {status === 'stopped' && (
        <div className="message-note" data-testid="message-stopped">
          Stopped
        </div>
      )}
      {status === 'interrupted' && (
        <div className="message-note" data-testid="message-interrupted">
          Interrupted (the app stopped while this answer streamed)
        </div>
      )}
      {status === 'error' && message.error && (
        <div className="message-note message-note-error" data-testid="message-error">
          Failed: {message.error.message}
        </div>
      )}
      {message.sources.length > 0 && <SourcesList ref={sourcesRef} sources={message.sources} highlight={highlight} />}
      {message.stats && <StatsLine stats={message.stats} traceId={message.traceId} />}
      {role === 'assistant' && status === 'done' && <AnswerScores turnId={message.turnId} />}
      {role === 'assistant' && status !== 'streaming' && (
        <div className="message-actions">
          {isLast && ended && (
            <button type="button" className="button button-small" data-testid="retry-button" onClick={() => void controller.retry()}>
              Retry
            </button>
          )}
          {message.text && (
            <button type="button" className="button button-small button-quiet" aria-pressed={showSource} data-testid="toggle-source" onClick={() => setShowSource((v) => !v)}>
              {showSource ? 'Rendered' : 'Markdown source'}
            </button>
          )}
        </div>
      )}
    </article>
  );
});
