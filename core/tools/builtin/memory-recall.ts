import type { Tool } from '../tool';
import { failed, ok } from './compact-text';
import type { BuiltinToolDeps } from './deps';
import { intArg, stringArg } from './tool-args';

export function memoryRecallTool(deps: BuiltinToolDeps): Tool {
  return {
    name: 'memory_recall',
    description: 'Look up what the user asked you to remember (facts and standing instructions), most relevant first.',
    parameters: {
      type: 'object',
      properties: { query: { type: 'string', description: 'what to recall' }, k: { type: 'number', description: 'how many (default 5, at most 20)' } },
      required: ['query'],
    },
    readOnly: true,
    source: 'builtin',
    unavailable: () => (deps.memory ? null : 'memory is not available'),
    async run(args, { signal }) {
      if (!deps.memory) return failed('memory is not available');
      const query = stringArg(args, 'query', { required: true, max: 2000 });
      if (!query.ok) return failed(query.error);
      const k = intArg(args, 'k', 5, { min: 1, max: 20 });
      if (!k.ok) return failed(k.error);
      try {
        const entries = (await deps.memory.listMemories({ query: query.value })).slice(0, k.value);
        if (signal.aborted) throw signal.reason;
        if (entries.length === 0) return ok('nothing remembered matches');
        return ok(entries.map((e) => `- (${e.type === 'procedural' ? 'instruction' : 'fact'}, ${e.createdAt.slice(0, 10)}) ${e.text}`).join('\n'));
      } catch (err) {
        if (signal.aborted) throw err;
        return failed(`memory search failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
