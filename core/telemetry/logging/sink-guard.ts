import { safely } from '../safely';

/** Where a line can be lost: one of the sinks, or before them, in redaction. */
export type SinkName = 'file' | 'stderr' | 'otlp' | 'redaction';

export interface SinkGuard {
  /** Runs one write to a sink; a throw is counted, reported the first time, never rethrown. */
  run(sink: SinkName, write: () => void): void;
  fail(sink: SinkName, err: unknown): void;
  dropped(): Record<SinkName, number>;
}

export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Logging never breaks the feature it observes: a sink that fails costs a counter. The first
 * failure per sink is reported (one line), later ones only counted, so a dead sink cannot flood
 * the report channel either.
 */
export function createSinkGuard(
  report: (line: string) => void,
  onDrop?: (sink: SinkName, err: unknown) => void,
): SinkGuard {
  const counts: Record<SinkName, number> = { file: 0, stderr: 0, otlp: 0, redaction: 0 };

  function fail(sink: SinkName, err: unknown): void {
    counts[sink]++;
    // When the report channel itself is broken, the count is all that is left.
    safely(() => {}, () => {
      if (counts[sink] === 1) report(`agent-bruno: a log line was lost at "${sink}" (${oneLine(err)}); further losses there are only counted`);
      onDrop?.(sink, err);
    });
  }

  return {
    run: (sink, write) => safely((err) => fail(sink, err), write),
    fail,
    dropped: () => ({ ...counts }),
  };
}
