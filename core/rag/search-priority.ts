/**
 * Searches before ingestion. LanceDB runs a query's scan on the same small native pool that an
 * ingestion's writes, optimizes and index builds use (one thread on a 2-CPU host), first come
 * first served: a search that arrives behind a batch write waits for it, and one behind an index
 * build waits seconds. This gate is how the knowledge base orders its own work instead:
 * - every search runs through `search()`;
 * - ingestion calls `yieldToSearches()` before each unit of store work (an embed request, a batch
 *   write) and waits while a search runs, at most `maxYieldMs` at a time, so a stream of searches
 *   slows an ingestion but never stops it;
 * - a chat turn's retrieval also holds the job (`hold()`) from its start until the turn's first
 *   token, at most `maxHoldMs`: once the search ended, the chat request went to the model server
 *   behind the job's next embed requests and beside its next write, and waited there (p50 10 ms
 *   of a 42 ms TTFT during an ingestion against 1.5 ms idle: docs/benchmarks.md, "Scale, sixth
 *   pass"); a held job sends nothing new and starts no write, so the model server and the CPUs
 *   are the turn's until it streams;
 * - while a search runs or ran in the last `interactiveMs` (`interactive()`), ingestion sends its
 *   embed requests short (knowledge-base.ts `jobBatchSize`): the model server answers in turn,
 *   and the next query's embedding then waits behind a few texts, not two full batches;
 * - background upkeep (optimize, ANN build) calls `whenQuiet()` and starts only once no search
 *   has run for `quietMs`: a native build cannot be paused once it started, so it is deferred,
 *   but at most `maxDeferMs` (under a steady stream of searches the indexes must still catch up,
 *   or every search scans a growing tail of unindexed rows).
 */
export interface SearchPriorityOptions {
  /** The longest one `yieldToSearches()` waits (default 500 ms). */
  maxYieldMs?: number;
  /** How long without a search counts as quiet for background work (default 300 ms). */
  quietMs?: number;
  /** The longest `whenQuiet()` defers background work (default 3 s). */
  maxDeferMs?: number;
  /** How long after a search someone counts as still searching or chatting (default 2 s). */
  interactiveMs?: number;
  /** The longest one `hold()` holds the job (default 500 ms), however late its `until` settles. */
  maxHoldMs?: number;
}

export interface SearchPriority {
  search<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Resolves at once when no search runs and no hold is taken; else when they end (or after
   * maxYieldMs).
   */
  yieldToSearches(signal?: AbortSignal): Promise<void>;
  /** Resolves once no search has run for quietMs, or after maxDeferMs at most. */
  whenQuiet(signal?: AbortSignal): Promise<void>;
  /**
   * Whether a search runs or ended less than interactiveMs ago: a person (or a chat turn's
   * retrieval) is using the knowledge base, and the next one should not queue behind big batches.
   */
  interactive(): boolean;
  /**
   * Holds ingestion's next units of work (as a running search does) until `until` settles or
   * maxHoldMs passed, whichever is first: a chat turn holds from its retrieval to its first token.
   */
  hold(until: Promise<unknown>): void;
  /** Marks an ingestion job as writing until the returned function is called. */
  beginIngestion(): () => void;
  /** Whether an ingestion job is writing now (searches then read the indexed rows only). */
  readonly ingesting: boolean;
  /** Searches running now. */
  readonly running: number;
  /** Holds taken now (`hold()`). */
  readonly held: number;
  /** Times ingestion waited for a search, and for how long in total (for the benchmark and logs). */
  readonly yields: { count: number; ms: number };
}

export function createSearchPriority(options: SearchPriorityOptions = {}): SearchPriority {
  const maxYieldMs = options.maxYieldMs ?? 500;
  const quietMs = options.quietMs ?? 300;
  const maxDeferMs = options.maxDeferMs ?? 3000;
  const interactiveMs = options.interactiveMs ?? 2000;
  const maxHoldMs = options.maxHoldMs ?? 500;
  let running = 0;
  let held = 0;
  let ingestions = 0;
  let lastEnded = -Infinity;
  // Waiters woken when the last running search ends.
  let idleWaiters: (() => void)[] = [];
  const yields = { count: 0, ms: 0 };

  const busy = () => running > 0 || held > 0;
  const wakeIdle = () => {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  /** Resolves when no search runs, after `timeoutMs` at most, or when the signal aborts. */
  const untilIdle = (timeoutMs: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        idleWaiters = idleWaiters.filter((w) => w !== finish);
        resolve();
      };
      // Not unref'd: short, and a CLI process must not exit under a deferred optimize.
      const timer = setTimeout(finish, timeoutMs);
      signal?.addEventListener('abort', finish, { once: true });
      idleWaiters.push(finish);
    });

  return {
    async search(work) {
      running++;
      try {
        return await work();
      } finally {
        running--;
        lastEnded = performance.now();
        if (!busy()) wakeIdle();
      }
    },
    async yieldToSearches(signal) {
      if (!busy() || signal?.aborted) return;
      const started = performance.now();
      await untilIdle(maxYieldMs, signal);
      yields.count++;
      yields.ms += performance.now() - started;
    },
    async whenQuiet(signal) {
      const deadline = performance.now() + maxDeferMs;
      for (;;) {
        const now = performance.now();
        if (signal?.aborted || now >= deadline) return;
        if (busy()) {
          await untilIdle(Math.min(quietMs, deadline - now), signal);
          continue;
        }
        const left = Math.min(lastEnded + quietMs, deadline) - now;
        if (left <= 0) return;
        await new Promise<void>((resolve) => setTimeout(resolve, left));
      }
    },
    interactive: () => busy() || performance.now() - lastEnded < interactiveMs,
    hold(until) {
      held++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        clearTimeout(timer);
        held--;
        lastEnded = performance.now();
        if (!busy()) wakeIdle();
      };
      // Unref'd: a hold never keeps a process alive; its end only lets the job go on.
      const timer = setTimeout(release, maxHoldMs);
      timer.unref?.();
      until.then(release, release);
    },
    beginIngestion() {
      ingestions++;
      let ended = false;
      return () => {
        if (!ended) ingestions--;
        ended = true;
      };
    },
    get ingesting() {
      return ingestions > 0;
    },
    get running() {
      return running;
    },
    get held() {
      return held;
    },
    yields,
  };
}
