import type { ToolInfo, ToolPolicy } from '../common/tools';
import type { Tool, ToolSource } from './tool';

export const toolNamePattern = /^[a-zA-Z0-9_.-]{1,64}$/;

/**
 * The default of a tool the user has not chosen for: a tool that only reads runs, anything else
 * asks each time (MCP tools without `readOnlyHint: true`).
 */
export function defaultPolicy(tool: Pick<Tool, 'readOnly'>): ToolPolicy {
  return tool.readOnly ? 'allow' : 'ask';
}

export interface ToolRegistryDeps {
  sources: readonly ToolSource[];
  /** The user's choices by tool name (settings `tools.policy`, live). */
  policies: () => Readonly<Record<string, ToolPolicy>>;
  /** A tool a source offers that cannot be used (bad or duplicate name): said once, then left out. */
  warn?: (message: string) => void;
}

export interface ToolRegistry {
  /** Every tool with its policy and availability, for Settings and `tools.list`. */
  list(): ToolInfo[];
  /** The tools offered to the model in a turn: available and not off. */
  active(): Array<{ tool: Tool; policy: Exclude<ToolPolicy, 'off'> }>;
}

export function createToolRegistry(deps: ToolRegistryDeps): ToolRegistry {
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    deps.warn?.(message);
  };
  // Names are unique: the first source wins (built-ins come first), so an MCP server cannot
  // shadow a built-in tool.
  const all = (): Tool[] => {
    const seen = new Set<string>();
    const tools: Tool[] = [];
    for (const source of deps.sources) {
      for (const tool of source.tools()) {
        if (!toolNamePattern.test(tool.name)) {
          warnOnce(`name:${tool.name}`, `tool '${tool.name.slice(0, 80)}' of ${tool.source} has a name models cannot call (letters, digits, _ . - only, at most 64); it is left out`);
        } else if (seen.has(tool.name)) {
          warnOnce(`dup:${tool.name}:${tool.source}`, `tool '${tool.name}' of ${tool.source} has the name of another tool; the first one is kept`);
        } else {
          seen.add(tool.name);
          tools.push(tool);
        }
      }
    }
    return tools;
  };
  const policyOf = (tool: Tool): ToolPolicy => {
    const chosen = deps.policies();
    return Object.hasOwn(chosen, tool.name) ? chosen[tool.name]! : defaultPolicy(tool);
  };
  return {
    list: () =>
      all().map((tool) => ({
        name: tool.name,
        description: tool.description,
        source: tool.source,
        readOnly: tool.readOnly,
        policy: policyOf(tool),
        defaultPolicy: defaultPolicy(tool),
        unavailable: tool.unavailable(),
      })),
    active() {
      const active: Array<{ tool: Tool; policy: Exclude<ToolPolicy, 'off'> }> = [];
      for (const tool of all()) {
        const policy = policyOf(tool);
        if (policy !== 'off' && tool.unavailable() === null) active.push({ tool, policy });
      }
      return active;
    },
  };
}
