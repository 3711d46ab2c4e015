/** The chat: send a turn, stop it, retry it, start or open a conversation. */
import type { Bridge } from '../../../../core/common';
import { toUiError } from '../../bridge/errors';
import { request } from '../../shared/latest';
import type { AppStore } from '../../shared/state';
import { selectCanSend } from './selectors';

declare module '../../shared/state' {
  interface AppActions extends ChatActions {}
}

export interface ChatActions {
  send(text: string): Promise<void>;
  stop(): Promise<void>;
  /** Run (allow) or Deny a tool call of the active turn that waits for approval. */
  /** Resolves false when the answer did not reach the core (the buttons come back). */
  approveTool(callId: string, allow: boolean): Promise<boolean>;
  /** Sends the question of the last turn again (after an error or a stop). */
  retry(): Promise<void>;
  newChat(): void;
  openConversation(conversationId: string): Promise<void>;
  /** Re-reads a conversation after a turn: the stored sources and trace id join the messages. */
  syncConversation(conversationId: string): Promise<void>;
}

export interface ChatActionDeps {
  store: AppStore;
  bridge: Bridge;
  newTurnId?: () => string;
  /** How long a stop that found nothing running waits for an in-flight end event. */
  stopGraceMs?: number;
}

export function createChatActions({ store, bridge, newTurnId = randomId, stopGraceMs = 1000 }: ChatActionDeps): ChatActions {
  const get = store.getState;
  const chat = () => get().chat;

  const actions: ChatActions = {
    async send(raw) {
      const text = raw.trim();
      const state = get();
      if (!text || !selectCanSend(state)) return;
      const turnId = newTurnId();
      const model = state.models.selected;
      const conversationId = state.chat.conversationId;
      // Registered before the invoke: its events may arrive before the invoke resolves.
      state.chat.beginTurn({ turnId, text, model });
      await request(
        () =>
          bridge.invoke('chat.send', {
            message: text,
            turnId,
            ...(conversationId ? { conversationId } : {}),
            ...(model ? { model } : {}),
          }),
        {
          done: (accepted) => chat().turnAccepted(accepted),
          failed: (_message, error) => chat().endTurnLocally(turnId, { status: 'error', error }),
        },
      );
    },

    async retry() {
      const { messages, activeTurnId } = chat();
      if (activeTurnId) return;
      const lastUser = [...messages].reverse().find((m) => m.role === 'user');
      if (lastUser) await actions.send(lastUser.text);
    },

    async approveTool(callId, allow) {
      const turnId = chat().activeTurnId;
      if (!turnId) return false;
      try {
        await bridge.invoke('chat.approve', { turnId, callId, allow });
        return true;
      } catch (err) {
        chat().showError(toUiError(err));
        return false;
      }
    },

    async stop() {
      const { activeTurnId: turnId, stopping } = chat();
      if (!turnId || stopping) return;
      chat().setStopping(turnId, true);
      try {
        const { stopped } = await bridge.invoke('chat.stop', { turnId });
        // Nothing was running: the end event is in flight or was lost. Wait briefly, then end it here.
        if (!stopped) setTimeout(() => chat().endTurnLocally(turnId, { status: 'stopped' }), stopGraceMs);
      } catch (err) {
        chat().setStopping(turnId, false);
        chat().showError(toUiError(err));
      }
    },

    newChat() {
      if (chat().activeTurnId) return;
      chat().newConversation();
      get().ui.setView('chat');
    },

    async openConversation(conversationId) {
      if (chat().activeTurnId) return;
      await request(() => bridge.invoke('conversations.get', { conversationId }), {
        done: (detail) => {
          chat().loadConversation(detail);
          get().ui.setView('chat');
        },
        failed: (_message, error) => chat().showError(error),
      });
    },

    async syncConversation(conversationId) {
      await request(() => bridge.invoke('conversations.get', { conversationId }), {
        done: (detail) => chat().attachDetails(detail),
        // The message keeps what the done event carried.
        failed: () => {},
      });
    },
  };
  return actions;
}

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; loopback is one, but a LAN address would not be.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
