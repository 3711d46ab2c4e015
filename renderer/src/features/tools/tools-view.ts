/**
 * Pure helpers of the Settings view's Tools section: which tools a turn offers now, grouped by
 * where they come from (built-in, then each MCP server with its health as the strip has it).
 */
import type { McpServerHealth, ToolInfo } from '../../../../core/common';

/** What a tool does in the next turn: runs, asks first, is not offered, or cannot run now. */
export type ToolState = 'on' | 'asks' | 'off' | 'unavailable';

export function toolState(tool: Pick<ToolInfo, 'policy' | 'unavailable'>): ToolState {
  if (tool.policy === 'off') return 'off';
  if (tool.unavailable !== null) return 'unavailable';
  return tool.policy === 'ask' ? 'asks' : 'on';
}

export const toolStateText: Record<ToolState, string> = {
  on: 'on',
  asks: 'on, asks first',
  off: 'off',
  unavailable: 'not available',
};

export interface ToolGroup {
  /** 'builtin' or the MCP server's name. */
  source: string;
  title: string;
  tools: ToolInfo[];
  /** The server's health, for an MCP group (absent when health has not said yet). */
  server?: McpServerHealth;
}

/**
 * Built-in tools first, then one group per MCP server in settings order (health's order), a
 * server without tools included (failed, connecting, disabled): that is when its state matters.
 */
export function toolGroups(tools: readonly ToolInfo[], servers: readonly McpServerHealth[] = []): ToolGroup[] {
  const bySource = new Map<string, ToolInfo[]>();
  for (const tool of tools) {
    const list = bySource.get(tool.source);
    if (list) list.push(tool);
    else bySource.set(tool.source, [tool]);
  }
  const groups: ToolGroup[] = [];
  const builtin = bySource.get('builtin');
  if (builtin) groups.push({ source: 'builtin', title: 'Built-in', tools: builtin });
  const named = new Set<string>(['builtin']);
  for (const server of servers) {
    if (named.has(server.name)) continue;
    named.add(server.name);
    groups.push({ source: server.name, title: `MCP server ${server.name}`, tools: bySource.get(server.name) ?? [], server });
  }
  for (const [source, list] of bySource) if (!named.has(source)) groups.push({ source, title: `MCP server ${source}`, tools: list });
  return groups;
}

/** "3 of 9 tools on: kb_search, memory_recall, alerts_active" (the ones a turn offers now). */
export function toolsSummary(tools: readonly ToolInfo[]): { on: ToolInfo[]; text: string } {
  const on = tools.filter((t) => {
    const state = toolState(t);
    return state === 'on' || state === 'asks';
  });
  if (tools.length === 0) return { on, text: 'No tools.' };
  const names = on.map((t) => t.name);
  const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ');
  return { on, text: `${on.length} of ${tools.length} tools on${on.length ? `: ${shown}` : ''}` };
}

export function describeServer(server: McpServerHealth): string {
  const parts: string[] = [server.transport, server.state, `${server.tools} ${server.tools === 1 ? 'tool' : 'tools'}`];
  if (server.restarts > 0) parts.push(`${server.restarts} ${server.restarts === 1 ? 'restart' : 'restarts'}`);
  return parts.join(' · ');
}

/** Long descriptions (an MCP server's can be a kilobyte) are cut in the row; the title has it all. */
export function shortDescription(text: string, max = 240): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
