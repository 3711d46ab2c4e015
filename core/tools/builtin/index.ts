import type { Tool, ToolSource } from '../tool';
import { alertsActiveTool } from './alerts-active';
import type { BuiltinToolDeps, ToolDeps } from './deps';
import { createHttpGetText, fetchGetText } from './http-get';
import { kbSearchTool } from './kb-search';
import { lokiQueryTool } from './loki-query';
import { memoryRecallTool } from './memory-recall';
import { prometheusQueryTool } from './prometheus-query';
import { prometheusTargetsTool } from './prometheus-targets';
import { traceGetTool } from './trace-get';

export type { BuiltinToolDeps } from './deps';
export { formatPromData } from './prometheus-query';

/** The built-in, read-only tools; each says itself when its source is not configured. */
export function createBuiltinTools(builtinDeps: BuiltinToolDeps): ToolSource {
  const deps: ToolDeps = { ...builtinDeps, get: builtinDeps.fetch ? fetchGetText(builtinDeps.fetch) : createHttpGetText(fetchGetText(globalThis.fetch)) };
  const tools: readonly Tool[] = [
    prometheusQueryTool(deps),
    prometheusTargetsTool(deps),
    alertsActiveTool(deps),
    lokiQueryTool(deps),
    traceGetTool(deps),
    kbSearchTool(deps),
    memoryRecallTool(deps),
  ];
  return { tools: () => tools };
}
