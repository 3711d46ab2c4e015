import type { Tool, ToolSource } from '../tool';
import { alertsActiveTool } from './alerts-active';
import type { BuiltinToolDeps } from './deps';
import { kbSearchTool } from './kb-search';
import { lokiQueryTool } from './loki-query';
import { memoryRecallTool } from './memory-recall';
import { prometheusQueryTool } from './prometheus-query';
import { prometheusTargetsTool } from './prometheus-targets';
import { traceGetTool } from './trace-get';

export type { BuiltinToolDeps } from './deps';
export { formatPromData } from './prometheus-query';

/** The built-in, read-only tools; each says itself when its source is not configured. */
export function createBuiltinTools(deps: BuiltinToolDeps): ToolSource {
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
