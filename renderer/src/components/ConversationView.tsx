import { useEffect, useRef } from 'react';
import { useApp } from '../app/context';
import { selectMessages } from '../store';
import { MessageView } from './MessageView';

export function ConversationView() {
  const messages = useApp(selectMessages);
  const endRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLElement>(null);
  const last = messages[messages.length - 1];
  const lastLength = last ? last.text.length : 0;
  useEffect(() => {
    // Follows the answer only when the reader is already at the bottom (scrolling up to read stays put).
    const el = scrollRef.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight > 160) return;
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, lastLength]);
  return (
    <main ref={scrollRef} className="conversation" data-testid="conversation" aria-label="Conversation" aria-live="polite">
      {messages.length === 0 && (
        <p className="empty muted" data-testid="conversation-empty">
          Ask about your homelab.
        </p>
      )}
      {messages.map((m, i) => (
        <MessageView key={m.id} message={m} isLast={i === messages.length - 1} />
      ))}
      <div ref={endRef} />
    </main>
  );
}
