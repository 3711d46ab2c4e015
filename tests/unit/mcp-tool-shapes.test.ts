import { describe, expect, it } from 'vitest';
import { maxResultChars, modelToolNames, toToolResult, toolParameters } from '../../core/tools/mcp';
import { toolNamePattern } from '../../core/tools';

describe('MCP tool names', () => {
  it('are server.tool within the registry pattern, unique, and hash-suffixed when cut', () => {
    const names = modelToolNames('srv', ['ok', 'a b', 'a_b', '', 'dots.in.name', '__proto__', 'é', 'z'.repeat(100), 'z'.repeat(101)]);
    expect(names.slice(0, 7)).toEqual(['srv.ok', 'srv.a_b', 'srv.a_b_2', 'srv.tool', 'srv.dots_in_name', 'srv.__proto__', 'srv._']);
    for (const name of names) expect(name).toMatch(toolNamePattern);
    expect(names[7]).not.toBe(names[8]);
    expect(new Set(names).size).toBe(names.length);
    const long = modelToolNames('a'.repeat(40), ['t'.repeat(64), 't'.repeat(64)]);
    for (const name of long) expect(name).toMatch(toolNamePattern);
    expect(long[0]).not.toBe(long[1]);
  });
});

describe('MCP input schemas', () => {
  it('keep the subset a small model reads and cut the rest', () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"__proto__":{"type":"string"},"q":{"type":"string","description":"the query","enum":["a",{"x":1},2],"pattern":"^a"},"list":{"type":"array","items":{"type":"number","minimum":1}},"bad":"nope","typed":{"type":["string","null","weird"]}},"required":["q","nope",5]}',
    );
    const params = toolParameters(schema);
    expect(Object.keys(params.properties)).toEqual(['__proto__', 'q', 'list', 'bad', 'typed']);
    expect(Object.getPrototypeOf(params.properties)).toBe(Object.prototype);
    expect(params.properties.q).toEqual({ type: 'string', description: 'the query', enum: ['a', 2] });
    expect(params.properties.list).toEqual({ type: 'array', items: { type: 'number' } });
    expect(params.properties.bad).toEqual({});
    expect(params.properties.typed).toEqual({ type: ['string', 'null'] });
    expect(params.required).toEqual(['q']);
    expect(toolParameters('garbage')).toEqual({ type: 'object', properties: {} });
    const many = { type: 'object', properties: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`p${i}`, { type: 'string', description: 'd'.repeat(10_000) }])) };
    const cut = toolParameters(many);
    expect(Object.keys(cut.properties)).toHaveLength(64);
    expect(cut.properties.p0!.description!.length).toBeLessThanOrEqual(300);
  });
});

describe('MCP results', () => {
  it('join text, name other content, keep isError, cut what is huge', () => {
    expect(toToolResult({ content: [{ type: 'text', text: 'a' }, { type: 'audio', mimeType: 'audio/wav', data: '' }, { type: 'resource', resource: { uri: 'file:///x', text: 'inline' } }, { type: 'resource_link', uri: 'file:///y', name: 'y' }] })).toEqual({
      text: 'a\n[audio audio/wav, not shown]\ninline\n[resource file:///y]',
    });
    expect(toToolResult({ content: [], isError: true })).toEqual({ text: 'The tool failed without saying why', isError: true });
    expect(toToolResult({ content: [], structuredContent: { up: 1 } })).toEqual({ text: '{"up":1}' });
    expect(toToolResult(null)).toEqual({ text: '' });
    const huge = toToolResult({ content: [{ type: 'text', text: 'x'.repeat(maxResultChars * 2) }, { type: 'text', text: 'never' }] });
    expect(huge.text.length).toBeLessThan(maxResultChars + 100);
    expect(huge.text).not.toContain('never');
  });
});
