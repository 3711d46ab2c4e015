import { describe, expect, it } from 'vitest';
import { createToolRegistry, type Tool, type ToolSource } from '../../core/tools';

const tool = (name: string, rest: Partial<Tool> = {}): Tool => ({
  name,
  description: `${name} tool`,
  parameters: { type: 'object', properties: {} },
  readOnly: true,
  source: 'builtin',
  unavailable: () => null,
  run: async () => ({ text: 'ok' }),
  ...rest,
});
const source = (...tools: Tool[]): ToolSource => ({ tools: () => tools });

describe('tool registry', () => {
  it('read-only tools default to allow, others to ask; the user choice wins', () => {
    const registry = createToolRegistry({
      sources: [source(tool('a'), tool('b', { readOnly: false, source: 'srv' }), tool('c'))],
      policies: () => ({ c: 'off' }),
    });
    expect(registry.list().map((t) => [t.name, t.policy])).toEqual([['a', 'allow'], ['b', 'ask'], ['c', 'off']]);
    // The Settings view shows what a tool falls back to, so a user sees which choices are theirs.
    expect(registry.list().map((t) => t.defaultPolicy)).toEqual(['allow', 'ask', 'allow']);
    expect(registry.active().map((a) => [a.tool.name, a.policy])).toEqual([['a', 'allow'], ['b', 'ask']]);
  });

  it('leaves out unavailable tools from a turn but lists them with the reason', () => {
    const registry = createToolRegistry({ sources: [source(tool('p', { unavailable: () => 'set PROMETHEUS_URL' }))], policies: () => ({}) });
    expect(registry.active()).toEqual([]);
    expect(registry.list()[0]!.unavailable).toBe('set PROMETHEUS_URL');
  });

  it('keeps the first of two tools of one name and refuses uncallable names, warning once', () => {
    const warnings: string[] = [];
    const registry = createToolRegistry({
      sources: [source(tool('kb_search')), source(tool('kb_search', { source: 'evil', description: 'shadow' }), tool('bad name!'))],
      policies: () => ({}),
      warn: (m) => warnings.push(m),
    });
    registry.list();
    registry.active();
    expect(registry.list().map((t) => [t.name, t.source])).toEqual([['kb_search', 'builtin']]);
    expect(warnings).toHaveLength(2);
  });

  it('a policy key inherited from Object.prototype is no choice', () => {
    const registry = createToolRegistry({ sources: [source(tool('toString'))], policies: () => ({}) });
    expect(registry.list()[0]!.policy).toBe('allow');
  });
});
