/**
 * What the views beside the chat do through the contract: conversations, traces, alerts,
 * knowledge base, memory and settings. Every failure lands in the slice of the view that asked,
 * in the core's own words, never in a thrown error.
 */
import type { Bridge, ConversationsChanged, KbProgressEvent, SettingsTarget } from '../../../core/common';
import { traceExploreUrl } from '../../../core/common/links';
import { toUiError } from '../bridge/errors';
import type { AppStore, MemoryFilter } from '../store';
import type { PickPaths } from '../bridge';

export interface ViewActions {
  newChat(): void;
  refreshConversations(): Promise<void>;
  searchConversations(query: string): Promise<void>;
  openConversation(conversationId: string): Promise<void>;
  renameConversation(conversationId: string, title: string): Promise<boolean>;
  deleteConversation(conversationId: string): Promise<void>;
  /** Re-reads a conversation after a turn: the stored sources and trace id join the messages. */
  syncConversation(conversationId: string): Promise<void>;
  conversationsChanged(change: ConversationsChanged): void;

  /** Grafana Explore when Grafana is configured, else null (the in-app view is used). */
  traceLink(traceId: string): string | null;
  openTraceInApp(traceId: string): Promise<void>;

  refreshAlerts(): Promise<void>;

  refreshKb(): Promise<void>;
  ingest(paths: string[]): Promise<void>;
  /** Whether a native open dialog is available (the desktop app). */
  readonly canPickPaths: boolean;
  /** Opens the native dialog and ingests what was chosen (nothing when cancelled). */
  pickAndIngest(kind: 'folders' | 'files'): Promise<void>;
  reingest(sourceId?: string): Promise<void>;
  removeSource(sourceId: string): Promise<void>;
  kbProgress(event: KbProgressEvent): void;

  refreshMemory(): Promise<void>;
  setMemoryFilter(filter: MemoryFilter): Promise<void>;
  searchMemory(query: string): Promise<void>;
  deleteMemory(id: string): Promise<void>;

  loadSettings(): Promise<void>;
  saveSettings(patch: Record<string, unknown>): Promise<boolean>;
  testConnection(target: SettingsTarget, url?: string): Promise<void>;
}

export function createViewActions({ store, bridge, pickPaths }: { store: AppStore; bridge: Bridge; pickPaths?: PickPaths }): ViewActions {
  const get = store.getState;
  const message = (err: unknown) => toUiError(err).message;
  let conversationsTimer: ReturnType<typeof setTimeout> | null = null;
  let conversationsSeq = 0;
  let memorySeq = 0;

  const actions: ViewActions = {
    newChat() {
      if (get().chat.activeTurnId) return;
      get().chat.newConversation();
      get().ui.setView('chat');
    },

    async refreshConversations() {
      const seq = ++conversationsSeq;
      const query = get().conversations.query.trim();
      get().conversations.loading();
      try {
        const list = await bridge.invoke('conversations.list', query ? { query, limit: 200 } : { limit: 200 });
        // An older search that answers late must not replace a newer one.
        if (seq === conversationsSeq) get().conversations.loaded(list);
      } catch (err) {
        if (seq === conversationsSeq) get().conversations.failed(message(err));
      }
    },

    async searchConversations(query) {
      get().conversations.setQuery(query);
      await actions.refreshConversations();
    },

    async openConversation(conversationId) {
      if (get().chat.activeTurnId) return;
      try {
        const detail = await bridge.invoke('conversations.get', { conversationId });
        get().chat.loadConversation(detail);
        get().ui.setView('chat');
      } catch (err) {
        get().chat.showError(toUiError(err));
      }
    },

    async renameConversation(conversationId, title) {
      try {
        get().conversations.renamed(await bridge.invoke('conversations.rename', { conversationId, title }));
        return true;
      } catch (err) {
        get().conversations.failed(message(err));
        return false;
      }
    },

    async deleteConversation(conversationId) {
      try {
        await bridge.invoke('conversations.delete', { conversationId });
        get().conversations.removed(conversationId);
        if (get().chat.conversationId === conversationId) get().chat.newConversation();
      } catch (err) {
        get().conversations.failed(message(err));
      }
    },

    async syncConversation(conversationId) {
      try {
        get().chat.attachDetails(await bridge.invoke('conversations.get', { conversationId }));
      } catch {
        // The message keeps what the done event carried.
      }
    },

    conversationsChanged(change) {
      if (change.change === 'deleted') get().conversations.removed(change.conversationId);
      // Turn begin/end, renames from elsewhere: one refresh for a burst of changes.
      if (conversationsTimer) return;
      conversationsTimer = setTimeout(() => {
        conversationsTimer = null;
        void actions.refreshConversations();
      }, 250);
    },

    traceLink(traceId) {
      const grafana = get().settings.view?.values.grafana as { url?: string | null; tempoDatasourceUid?: string; orgId?: number } | undefined;
      if (!grafana?.url) return null;
      return traceExploreUrl({ grafanaUrl: grafana.url, tempoUid: grafana.tempoDatasourceUid, orgId: grafana.orgId, traceId });
    },

    async openTraceInApp(traceId) {
      get().ui.setView('observability');
      get().trace.loading(traceId);
      try {
        get().trace.loaded(traceId, await bridge.invoke('traces.get', { traceId }));
      } catch (err) {
        get().trace.failed(traceId, message(err));
      }
    },

    async refreshAlerts() {
      try {
        get().alerts.update(await bridge.invoke('alerts.list'));
      } catch (err) {
        get().alerts.failed(message(err));
      }
    },

    async refreshKb() {
      get().kb.loading();
      try {
        get().kb.loaded(await bridge.invoke('kb.sources'));
      } catch (err) {
        get().kb.failed(message(err));
      }
    },

    canPickPaths: !!pickPaths,

    async pickAndIngest(kind) {
      if (!pickPaths) return;
      let chosen: string[];
      try {
        chosen = await pickPaths(kind);
      } catch (err) {
        get().kb.actionFailed(message(err));
        return;
      }
      if (chosen.length) await actions.ingest(chosen);
    },

    async ingest(paths) {
      const clean = paths.map((p) => p.trim()).filter(Boolean);
      if (!clean.length) return;
      try {
        const { jobId } = await bridge.invoke('kb.ingest', { paths: clean });
        get().kb.jobStarted(jobId, 'ingest');
      } catch (err) {
        get().kb.actionFailed(message(err));
      }
    },

    async reingest(sourceId) {
      try {
        const { jobId } = await bridge.invoke('kb.reingest', sourceId ? { sourceId } : {});
        get().kb.jobStarted(jobId, 'reingest');
      } catch (err) {
        get().kb.actionFailed(message(err));
      }
    },

    async removeSource(sourceId) {
      try {
        await bridge.invoke('kb.remove', { sourceId });
        get().kb.actionFailed(null);
        await actions.refreshKb();
      } catch (err) {
        get().kb.actionFailed(message(err));
      }
    },

    kbProgress(event) {
      get().kb.receive(event);
      if (event.type === 'done' || event.type === 'error') void actions.refreshKb();
    },

    async refreshMemory() {
      const seq = ++memorySeq;
      const { query, filter } = get().memory;
      get().memory.loading();
      try {
        const input = { ...(filter !== 'all' ? { type: filter } : {}), ...(query.trim() ? { query: query.trim() } : {}) };
        const [entries, info] = await Promise.all([bridge.invoke('memory.list', input), bridge.invoke('memory.status').catch(() => null)]);
        if (seq !== memorySeq) return;
        get().memory.loaded(entries);
        if (info) get().memory.statusLoaded(info);
      } catch (err) {
        if (seq === memorySeq) get().memory.failed(message(err));
      }
    },

    async setMemoryFilter(filter) {
      get().memory.setFilter(filter);
      await actions.refreshMemory();
    },

    async searchMemory(query) {
      get().memory.setQuery(query);
      await actions.refreshMemory();
    },

    async deleteMemory(id) {
      try {
        await bridge.invoke('memory.delete', { id });
        get().memory.removed(id);
      } catch (err) {
        get().memory.failed(message(err));
        return;
      }
      // A list asked for before the delete (a search still embedding its query) would put the
      // entry back when it lands: re-reading supersedes it.
      await actions.refreshMemory();
    },

    async loadSettings() {
      get().settings.loading();
      try {
        get().settings.loaded(await bridge.invoke('settings.get'));
      } catch (err) {
        get().settings.failed(message(err));
      }
    },

    async saveSettings(patch) {
      get().settings.saveStarted();
      try {
        const result = await bridge.invoke('settings.update', { patch });
        get().settings.saved(result);
        if (result.ok) await actions.loadSettings();
        return result.ok;
      } catch (err) {
        get().settings.saveFailed(message(err));
        return false;
      }
    },

    async testConnection(target, url) {
      get().settings.testStarted(target);
      try {
        get().settings.testDone(target, await bridge.invoke('settings.test', url ? { target, url } : { target }));
      } catch (err) {
        get().settings.testFailed(target, message(err));
      }
    },
  };
  return actions;
}
