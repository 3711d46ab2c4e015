import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConversationSummary } from '../../../../core/common';
import { useApp, useActions } from '../../shared/context';
import { formatSince } from '../../shared/format';
import { selectConversationId, selectIsTurnRunning } from '../chat/selectors';
import { selectConversationList, selectConversationsError, selectConversationsStatus } from './selectors';

/** Conversations: new, search (debounced, by the core), open, rename in place, delete with a confirm step. */
export function ConversationsSidebar() {
  const list = useApp(selectConversationList);
  const status = useApp(selectConversationsStatus);
  const error = useApp(selectConversationsError);
  const running = useApp(selectIsTurnRunning);
  const current = useApp(selectConversationId);
  const controller = useActions();
  const [query, setQuery] = useState('');
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => void controller.searchConversations(query), 250);
    return () => clearTimeout(timer);
  }, [query, controller]);

  return (
    <nav className="sidebar" aria-label="Conversations" data-testid="sidebar">
      <button type="button" className="button button-primary sidebar-new" data-testid="new-chat" disabled={running} onClick={() => controller.newChat()}>
        New chat
      </button>
      <input
        type="search"
        className="input"
        placeholder="Search conversations"
        aria-label="Search conversations"
        data-testid="conversation-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {error && (
        <p className="field-error" role="alert" data-testid="conversations-error">
          {error}
        </p>
      )}
      <ul className="conversation-list" data-testid="conversation-list">
        {list.map((c) => (
          <ConversationItem key={c.id} summary={c} active={c.id === current} disabled={running} />
        ))}
      </ul>
      {status === 'ready' && list.length === 0 && <p className="muted">{query ? 'No conversation matches.' : 'No conversations yet.'}</p>}
    </nav>
  );
}

function ConversationItem({ summary, active, disabled }: { summary: ConversationSummary; active: boolean; disabled: boolean }) {
  const controller = useActions();
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [title, setTitle] = useState(summary.title);
  const onRename = async (e: FormEvent) => {
    e.preventDefault();
    if (title.trim() && (await controller.renameConversation(summary.id, title.trim()))) setMode('view');
  };
  return (
    <li className={`conversation-item${active ? ' active' : ''}`} data-testid="conversation-item" data-id={summary.id}>
      {mode === 'rename' ? (
        <form onSubmit={onRename} className="rename-form">
          <input
            className="input"
            aria-label="New title"
            data-testid="rename-input"
            value={title}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && (e.preventDefault(), setMode('view'))}
          />
          <button type="submit" className="button button-small" data-testid="rename-save">
            Save
          </button>
        </form>
      ) : (
        <button
          type="button"
          className="conversation-open"
          aria-current={active ? 'true' : undefined}
          disabled={disabled}
          onClick={() => void controller.openConversation(summary.id)}
          title={summary.snippet}
        >
          <span className="conversation-title" data-testid="conversation-title">
            {summary.title}
          </span>
          <span className="muted conversation-meta">
            {summary.messageCount} msgs · {formatSince(summary.updatedAt)}
          </span>
        </button>
      )}
      {mode === 'view' && (
        <span className="conversation-actions">
          <button type="button" className="icon-button" aria-label={`Rename ${summary.title}`} data-testid="rename-conversation" onClick={() => (setTitle(summary.title), setMode('rename'))}>
            ✎
          </button>
          <button type="button" className="icon-button" aria-label={`Delete ${summary.title}`} data-testid="delete-conversation" disabled={disabled && active} onClick={() => setMode('confirm-delete')}>
            ✕
          </button>
        </span>
      )}
      {mode === 'confirm-delete' && (
        <span className="conversation-confirm" role="group" aria-label="Confirm delete">
          Delete?
          <button type="button" className="button button-small button-danger" data-testid="confirm-delete" onClick={() => void controller.deleteConversation(summary.id)}>
            Delete
          </button>
          <button type="button" className="button button-small" onClick={() => setMode('view')}>
            Keep
          </button>
        </span>
      )}
    </li>
  );
}
