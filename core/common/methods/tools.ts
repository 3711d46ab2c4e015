import { method } from '../method';
import { noInput } from './ids';
import type { ToolInfo } from '../tools';

/** Handlers: core/tools/tools-methods.ts. */
export const toolsMethods = {
  'tools.list': method<ToolInfo[]>()({ input: noInput, summary: 'Every tool (built-in and MCP) with its policy and whether it can run now.' }),
};
