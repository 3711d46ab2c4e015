import { useEffect, useRef } from 'react';
import { useApp } from '../../shared/context';
import { selectMessages } from './selectors';
import { EmptyChat } from './EmptyChat';
import { MessageView } from './MessageView';

/** Within this distance of the bottom, the view follows a growing answer. */
const FOLLOW_WITHIN_PX = 160;

export function ConversationView() {
  const messages = useApp(selectMessages);
  const scrollRef = useRef<HTMLElement>(null);
  const follow = useRef(true);
  const lastId = messages[messages.length - 1]?.id;

  useEffect(() => {
    // Whether to follow is decided when the reader scrolls (scrolling up to read stays put), where
    // layout is already up to date; a growing answer must not read layout after each change.
    const el = scrollRef.current;
    if (!el) return;
    const onScroll = () => {
      follow.current = el.scrollHeight - el.scrollTop - el.clientHeight <= FOLLOW_WITHIN_PX;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, []);

  useEffect(() => {
    // The last message grows while it streams: a ResizeObserver hears of it after layout, where
    // scrolling to the end costs no extra layout (a read in an effect would force one per frame).
    const el = scrollRef.current;
    if (!el) return;
    // A conversation that fits (a new chat, say) is followed again, wherever the reader had scrolled.
    if (el.scrollHeight - el.clientHeight <= FOLLOW_WITHIN_PX) follow.current = true;
    const toEnd = () => {
      if (follow.current) el.scrollTop = el.scrollHeight;
    };
    toEnd();
    const last = el.querySelector(':scope > article:last-of-type');
    if (!last) return;
    const grown = new ResizeObserver(toEnd);
    grown.observe(last);
    return () => grown.disconnect();
  }, [lastId]);

  return (
    <main ref={scrollRef} className="conversation" data-testid="conversation" aria-label="Conversation" aria-live="polite">
      {messages.length === 0 && <EmptyChat />}
      {messages.map((m, i) => (
        <MessageView key={m.id} message={m} isLast={i === messages.length - 1} />
      ))}
    </main>
  );
}
