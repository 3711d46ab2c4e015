import { Composer } from './Composer';
import { ConversationView } from './ConversationView';

/** The chat column: the messages of the open conversation and the composer below them. */
export function ChatView() {
  return (
    <section className="chat-main" aria-label="Chat">
      <ConversationView />
      <Composer />
    </section>
  );
}
