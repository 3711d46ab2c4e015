export { createMcpTools, type McpTools, type McpToolsDeps } from './mcp-tools';
export { defaultMcpTiming, type McpTiming, type McpLog } from './mcp-connection';
export { modelToolNames } from './mcp-names';
export { toToolResult, maxResultChars } from './mcp-result';
export { toolParameters } from './mcp-schema';
