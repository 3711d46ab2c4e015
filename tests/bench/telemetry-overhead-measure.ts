/**
 * How the telemetry overhead bench measures: one timed and checked request, interleaved
 * shuffled rounds of all variants, a heap pass per variant, and the answer check against the
 * bare client's text.
 */
import type { RequestResult, Variant } from './telemetry-overhead-variants';

export interface Checker {
  reference: string | null;
  check(variant: Variant, result: RequestResult): void;
}

/** Every answer must be complete and identical to the bare client's (the same fake stream). */
export function createChecker(): Checker {
  const checker: Checker = {
    reference: null,
    check(variant, result) {
      variant.turns++;
      if (variant.name === 'bare' && checker.reference === null && result.problem === null) checker.reference = result.text;
      let problem = result.problem;
      if (problem === null && checker.reference !== null && result.text !== checker.reference) {
        problem = `text differs from the bare client's (${result.text.length} vs ${checker.reference.length} chars)`;
      }
      if (problem === null) return;
      if (variant.problems.length < 5) variant.problems.push(problem);
      else if (variant.problems.length === 5) variant.problems.push('... (more like this)');
    },
  };
  return checker;
}

/** Runs one request of a variant, checks it, and records its times (answer, finished, CPU) when asked. */
export async function timedRequest(variant: Variant, checker: Checker, record: boolean): Promise<{ wall: number; finished: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await variant.run();
  const finished = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const wall = result.answeredAt - t0;
  checker.check(variant, result);
  if (record) {
    variant.wallMs.push(wall);
    variant.finishedMs.push(finished);
    variant.cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  return { wall, finished };
}

/**
 * One round: --requests cycles, each running one request of every variant in a fresh random
 * order. Other work on the machine comes in bursts of seconds; interleaving request by request
 * spreads a burst over all variants instead of landing on one variant's block, and the shuffle
 * keeps any variant from always following the same one (whose garbage it would collect).
 */
export async function timedRound(variants: Variant[], requests: number, checker: Checker, random: () => number, record: boolean): Promise<void> {
  const roundWall = new Map<Variant, number>(variants.map((v) => [v, 0]));
  const roundFinished = new Map<Variant, number>(variants.map((v) => [v, 0]));
  for (let i = 0; i < requests; i++) {
    for (const v of shuffled(variants, random)) {
      const { wall, finished } = await timedRequest(v, checker, record);
      roundWall.set(v, (roundWall.get(v) ?? 0) + wall);
      roundFinished.set(v, (roundFinished.get(v) ?? 0) + finished);
    }
  }
  if (record) {
    for (const v of variants) {
      v.roundWallMs.push(roundWall.get(v) ?? 0);
      v.roundFinishedMs.push(roundFinished.get(v) ?? 0);
    }
  }
}

/** Heap pass: each variant alone for --requests requests, with a full GC before and after. */
export async function heapPass(variant: Variant, requests: number, checker: Checker, gc: () => void): Promise<void> {
  gc();
  variant.heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < requests; i++) await timedRequest(variant, checker, false);
  gc();
  variant.heapAfter = process.memoryUsage().heapUsed;
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export async function withTimeout<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
