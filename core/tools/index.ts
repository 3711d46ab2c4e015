export type { Tool, ToolParameters, ToolResult, ToolRunContext, ToolSource } from './tool';
export { createToolRegistry, defaultPolicy, toolNamePattern, type ToolRegistry, type ToolRegistryDeps } from './tool-registry';
export { toolsHandlers } from './tools-methods';
export { createMcpTools, defaultMcpTiming, type McpTools, type McpTiming } from './mcp';
export { createBuiltinTools, type BuiltinToolDeps } from './builtin';
