import type { AppState } from '../../shared/state';

export const selectTools = (s: AppState) => s.tools;
/** The MCP servers' health (connected, tools, last error), as the health strip has it. */
export const selectMcpHealth = (s: AppState) => s.health.state?.mcp;
