import type { MethodHandlers } from '../common/method';
import type { kbMethods } from '../common/methods';
import type { KnowledgeBase } from '../rag';
import type { EvalGauges } from './eval-metrics';
import { recordEvalReport } from './eval-metrics';
import { runEval } from './run-eval';

type EvalHandlers = MethodHandlers<Pick<typeof kbMethods, 'kb.eval'>>;

/**
 * kb.eval, the one implementation behind the UI, the API and `agent-bruno eval`: the searches
 * are the ones a user runs, and the quality gauges are set from the report.
 */
export function evalHandlers(deps: { knowledge: Pick<KnowledgeBase, 'search' | 'sources' | 'stats'>; gauges: EvalGauges }): EvalHandlers {
  return {
    async 'kb.eval'(input, context) {
      const report = await runEval(
        deps.knowledge,
        input.queries.map((q, i) => ({ query: q.query, relevant: q.relevant, line: q.line ?? i + 1 })),
        {
          ...(input.k ? { depth: input.k } : {}),
          ...(input.fusion ? { fusion: input.fusion } : {}),
          ...(context?.signal ? { signal: context.signal } : {}),
          ...(context?.progress ? { onQuery: context.progress } : {}),
        },
      );
      recordEvalReport(deps.gauges, report);
      return report;
    },
  };
}
