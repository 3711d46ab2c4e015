/** The Settings view's Tools section: what `tools.list` said, and the policy change in flight. */
import type { ToolInfo } from '../../../../core/common';
import { slicePatcher, type LoadStatus, type SetState } from '../../shared/state';

declare module '../../shared/state' {
  interface AppState {
    tools: ToolsSlice;
  }
}

export interface ToolsSlice {
  list: ToolInfo[];
  status: LoadStatus;
  error: string | null;
  /** The tool whose policy is being saved (its select is disabled meanwhile). */
  saving: string | null;
  /** Why the last policy change was refused, by tool name. */
  saveError: { tool: string; message: string } | null;
  loading(): void;
  loaded(list: ToolInfo[]): void;
  failed(message: string): void;
  saveStarted(tool: string): void;
  saveDone(): void;
  saveFailed(tool: string, message: string): void;
}

export function createToolsSlice(set: SetState): ToolsSlice {
  const patch = slicePatcher(set, 'tools');
  return {
    list: [],
    status: 'idle',
    error: null,
    saving: null,
    saveError: null,
    loading: () => patch({ status: 'loading' }),
    loaded: (list) => patch({ list, status: 'ready', error: null }),
    failed: (message) => patch({ status: 'error', error: message }),
    saveStarted: (tool) => patch({ saving: tool, saveError: null }),
    saveDone: () => patch({ saving: null }),
    saveFailed: (tool, message) => patch({ saving: null, saveError: { tool, message } }),
  };
}
