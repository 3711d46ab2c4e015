import { memo } from 'react';
import type { ChatMessage } from '../store';
import { StatsLine } from './StatsLine';

/**
 * One message. Text is plain (whitespace kept by CSS); Markdown comes later, and never through
 * dangerouslySetInnerHTML of model output. Memoized: only the streaming row re-renders per frame.
 */
export const MessageView = memo(function MessageView({ message }: { message: ChatMessage }) {
  const { role, status } = message;
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
      <div className="message-text" data-testid={role === 'assistant' ? 'answer-text' : undefined}>
        {message.text}
        {status === 'streaming' && <span className="cursor" aria-hidden="true" />}
      </div>
      {status === 'streaming' && message.text === '' && <div className="muted">Waiting for the model…</div>}
      {status === 'stopped' && (
        <div className="message-note" data-testid="message-stopped">
          Stopped
        </div>
      )}
      {status === 'error' && message.error && (
        <div className="message-note message-note-error" data-testid="message-error">
          Failed: {message.error.message}
        </div>
      )}
      {message.stats && <StatsLine stats={message.stats} />}
    </article>
  );
});
