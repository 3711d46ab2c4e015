import type { MethodHandlers } from '../common/method';
import type { kbMethods } from '../common/methods';
import type { EvalRunner } from './eval-runner';

type EvalHandlers = MethodHandlers<Pick<typeof kbMethods, 'kb.eval' | 'kb.evalHistory'>>;

/**
 * kb.eval, the one implementation behind the UI, the API and `agent-bruno eval`: the searches
 * are the ones a user runs, the quality gauges are set from the report, and the run is kept in
 * the data dir (kb.evalHistory lists the kept runs).
 */
export function evalHandlers(deps: { runner: EvalRunner }): EvalHandlers {
  return {
    'kb.eval': (input, context) =>
      deps.runner.run(input, 'manual', {
        ...(context?.signal ? { signal: context.signal } : {}),
        ...(context?.progress ? { onQuery: context.progress } : {}),
      }),
    async 'kb.evalHistory'(input) {
      const runs = await deps.runner.history();
      return runs.slice(-(input?.limit ?? 50));
    },
  };
}
