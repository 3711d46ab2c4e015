import { unindexedNote } from '../../common/knowledge';
import type { Tool } from '../tool';
import { failed, ok } from './compact-text';
import type { BuiltinToolDeps } from './deps';
import { intArg, stringArg } from './tool-args';

export function kbSearchTool(deps: BuiltinToolDeps): Tool {
  return {
    name: 'kb_search',
    description: 'Search the operator\'s own documents (the knowledge base: runbooks, notes, configs) and get the best matching passages with their file paths.',
    parameters: {
      type: 'object',
      properties: { query: { type: 'string', description: 'what to look for' }, k: { type: 'number', description: 'how many passages (default 5, at most 10)' } },
      required: ['query'],
    },
    readOnly: true,
    source: 'builtin',
    unavailable: () => (deps.knowledge ? null : 'the knowledge base is not available'),
    async run(args, { signal, parent }) {
      if (!deps.knowledge) return failed('the knowledge base is not available');
      const query = stringArg(args, 'query', { required: true, max: 2000 });
      if (!query.ok) return failed(query.error);
      const k = intArg(args, 'k', 5, { min: 1, max: 10 });
      if (!k.ok) return failed(k.error);
      try {
        const result = await deps.knowledge.search(query.value, { k: k.value, signal, ...(parent ? { parent } : {}) });
        const notes = [result.warning, result.unindexedRows ? unindexedNote(result.unindexedRows) : undefined].filter(Boolean);
        if (result.hits.length === 0) return ok(`no passages matched${notes.length ? ` (${notes.join('; ')})` : ''}`);
        const blocks = result.hits.map((h, i) => `[${i + 1}] ${h.path}${h.heading ? ` > ${h.heading}` : ''}\n${h.text.length > 800 ? `${h.text.slice(0, 800)}...` : h.text}`);
        return ok([...blocks, ...notes.map((n) => `(${n})`)].join('\n\n'));
      } catch (err) {
        if (signal.aborted) throw err;
        return failed(`the knowledge base search failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
