import { useApp, useActions } from '../../shared/context';
import { selectCanSend } from './selectors';

/**
 * What a new chat offers: three questions that show what Bruno can do, each sent by a click. One
 * searches the knowledge base, one asks Prometheus through the tools, one explains an alert.
 */
export const exampleQuestions: readonly { question: string; uses: string }[] = [
  { question: 'Is any Prometheus target down?', uses: 'Prometheus' },
  { question: 'What do my notes say about restoring a backup?', uses: 'Knowledge base' },
  { question: 'What does the OllamaSlowTokenGeneration alert mean, and what should I check first?', uses: 'Alerts and metrics' },
];

export function EmptyChat() {
  const canSend = useApp(selectCanSend);
  const actions = useActions();
  return (
    <div className="empty-chat" data-testid="conversation-empty">
      <h2 className="empty-chat-title">Ask about your homelab</h2>
      <p className="muted">Bruno answers from your model, your knowledge base and your monitoring. Try one of these:</p>
      <ul className="examples" aria-label="Example questions">
        {exampleQuestions.map((e) => (
          <li key={e.question}>
            <button type="button" className="example" data-testid="example-question" disabled={!canSend} onClick={() => void actions.send(e.question)}>
              <span className="example-question">{e.question}</span>
              <span className="example-uses muted">{e.uses}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
