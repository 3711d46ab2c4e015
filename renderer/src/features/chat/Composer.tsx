import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useApp, useActions } from '../../shared/context';
import { selectCanSend, selectIsTurnRunning } from './selectors';
import { StopButton } from './StopButton';

/** Enter sends, Shift+Enter adds a line. Disabled while a turn runs or the core is unreachable. */
export function Composer() {
  const [text, setText] = useState('');
  // Each sent question gets a fresh field: the browser keeps the editing history of a text field
  // (one undo step per typed question, each holding DOM nodes, up to 1,000 of them) for as long
  // as the element lives, and a sent question has nothing to undo.
  const [field, setField] = useState(0);
  const canSend = useApp(selectCanSend);
  const running = useApp(selectIsTurnRunning);
  const controller = useActions();
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (canSend) inputRef.current?.focus();
  }, [canSend]);

  const submit = () => {
    if (!canSend || text.trim() === '') return;
    void controller.send(text);
    setText('');
    setField((n) => n + 1);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME candidate is not a send.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit} data-testid="composer-form">
      <textarea
        key={field}
        ref={inputRef}
        className="composer-input"
        aria-label="Message"
        placeholder={running ? 'Answering…' : 'Message Agent Bruno (Enter to send, Shift+Enter for a new line)'}
        data-testid="composer"
        rows={3}
        value={text}
        disabled={!canSend}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer-actions">
        <StopButton />
        <button
          type="submit"
          className="button button-primary"
          aria-label="Send message"
          data-testid="send-button"
          disabled={!canSend || text.trim() === ''}
        >
          Send
        </button>
      </div>
    </form>
  );
}
