import type { MethodHandlers } from '../common/method';
import type { kbMethods } from '../common/methods';
import type { KnowledgeBase } from './kb-types';

type KbHandlers = MethodHandlers<Omit<typeof kbMethods, 'kb.eval' | 'kb.evalHistory'>>;

/** kb.* but kb.eval and kb.evalHistory (core/eval). `onChanged` is told when a source is removed. */
export function kbHandlers(deps: { knowledge: KnowledgeBase; onChanged?: () => void }): KbHandlers {
  const { knowledge } = deps;
  return {
    'kb.ingest': async (input) => knowledge.startIngest(input.paths),
    'kb.reingest': async (input) => knowledge.startReingest(input?.sourceId),
    'kb.cancel': async (input) => ({ cancelled: knowledge.cancel(input.jobId) }),
    'kb.sources': () => knowledge.sources(),
    async 'kb.remove'(input) {
      deps.onChanged?.();
      return knowledge.remove('sourceId' in input ? { sourceId: input.sourceId } : { path: input.path });
    },
    'kb.search': (input, context) =>
      knowledge.search(input.query, {
        ...(input.mode ? { mode: input.mode } : {}),
        ...(input.fusion ? { fusion: input.fusion } : {}),
        ...(input.k ? { k: input.k } : {}),
        ...(context?.signal ? { signal: context.signal } : {}),
      }),
  };
}
