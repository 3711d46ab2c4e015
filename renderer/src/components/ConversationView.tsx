import { useEffect, useRef } from 'react';
import { useApp } from '../app/context';
import { selectMessages } from '../store';
import { MessageView } from './MessageView';

export function ConversationView() {
  const messages = useApp(selectMessages);
  const endRef = useRef<HTMLDivElement>(null);
  const last = messages[messages.length - 1];
  const lastLength = last ? last.text.length : 0;
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, lastLength]);
  return (
    <main className="conversation" data-testid="conversation" aria-label="Conversation" aria-live="polite">
      {messages.length === 0 && (
        <p className="empty muted" data-testid="conversation-empty">
          Ask about your homelab.
        </p>
      )}
      {messages.map((m) => (
        <MessageView key={m.id} message={m} />
      ))}
      <div ref={endRef} />
    </main>
  );
}
