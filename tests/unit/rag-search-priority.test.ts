// The gate that lets searches go before ingestion's store work (core/rag/search-priority.ts).
import { describe, expect, it } from 'vitest';
import { createSearchPriority } from '../../core/rag/search-priority';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A promise with its resolve, and whether it settled yet. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
function watch(p: Promise<unknown>) {
  const state = { settled: false };
  void p.then(() => (state.settled = true));
  return state;
}

describe('search priority', () => {
  it('lets ingestion through at once when no search runs', async () => {
    const gate = createSearchPriority();
    const t = performance.now();
    await gate.yieldToSearches();
    expect(performance.now() - t).toBeLessThan(20);
    expect(gate.yields.count).toBe(0);
  });

  it('holds ingestion while a search runs and releases it when the search ends (also when it fails)', async () => {
    const gate = createSearchPriority({ maxYieldMs: 5000 });
    const hold = deferred();
    const search = gate.search(async () => {
      await hold.promise;
      throw new Error('search failed');
    });
    search.catch(() => undefined);
    expect(gate.running).toBe(1);
    const waiting = watch(gate.yieldToSearches());
    await sleep(50);
    expect(waiting.settled).toBe(false);
    hold.resolve();
    await expect(search).rejects.toThrow('search failed');
    await sleep(0);
    expect(waiting.settled).toBe(true);
    expect(gate.running).toBe(0);
    expect(gate.yields.count).toBe(1);
  });

  it('never holds ingestion longer than maxYieldMs (a search that does not end cannot stall it)', async () => {
    const gate = createSearchPriority({ maxYieldMs: 60 });
    const never = deferred();
    void gate.search(() => never.promise);
    const t = performance.now();
    await gate.yieldToSearches();
    const waited = performance.now() - t;
    expect(waited).toBeGreaterThanOrEqual(50);
    expect(waited).toBeLessThan(1000);
    never.resolve();
  });

  it('an aborted job is not held', async () => {
    const gate = createSearchPriority({ maxYieldMs: 5000 });
    const never = deferred();
    void gate.search(() => never.promise);
    const controller = new AbortController();
    const waiting = watch(gate.yieldToSearches(controller.signal));
    await sleep(20);
    expect(waiting.settled).toBe(false);
    controller.abort();
    await sleep(0);
    expect(waiting.settled).toBe(true);
    never.resolve();
  });

  it('defers background work until no search has run for quietMs, and at most maxDeferMs', async () => {
    const gate = createSearchPriority({ quietMs: 80, maxDeferMs: 5000 });
    await gate.search(() => sleep(10));
    const t = performance.now();
    await gate.whenQuiet();
    expect(performance.now() - t).toBeGreaterThanOrEqual(60);

    // A steady stream of searches: background work still starts after maxDeferMs.
    const busy = createSearchPriority({ quietMs: 80, maxDeferMs: 250 });
    let streaming = true;
    const stream = (async () => {
      while (streaming) await busy.search(() => sleep(20));
    })();
    const t2 = performance.now();
    await busy.whenQuiet();
    const deferredFor = performance.now() - t2;
    streaming = false;
    await stream;
    expect(deferredFor).toBeGreaterThanOrEqual(230);
    expect(deferredFor).toBeLessThan(2000);
  });

  it('counts as interactive while a search runs and for interactiveMs after it (ingestion then sends small embed batches)', async () => {
    const gate = createSearchPriority({ interactiveMs: 60 });
    expect(gate.interactive()).toBe(false);
    const held = deferred();
    const search = gate.search(() => held.promise);
    expect(gate.interactive()).toBe(true);
    await sleep(100);
    expect(gate.interactive()).toBe(true);
    held.resolve();
    await search;
    expect(gate.interactive()).toBe(true);
    await sleep(100);
    expect(gate.interactive()).toBe(false);
  });

  it('knows while an ingestion writes (searches then read the indexed rows only); ending twice counts once', () => {
    const gate = createSearchPriority();
    expect(gate.ingesting).toBe(false);
    const endA = gate.beginIngestion();
    const endB = gate.beginIngestion();
    expect(gate.ingesting).toBe(true);
    endA();
    endA();
    expect(gate.ingesting).toBe(true);
    endB();
    expect(gate.ingesting).toBe(false);
  });

  it('a hold (a chat turn until its first token) keeps ingestion waiting after the search ended, until it settles', async () => {
    const gate = createSearchPriority({ maxYieldMs: 5000, maxHoldMs: 5000 });
    const firstToken = deferred();
    gate.hold(firstToken.promise);
    expect(gate.held).toBe(1);
    expect(gate.interactive()).toBe(true);
    await gate.search(async () => 'hits');
    const waiting = watch(gate.yieldToSearches());
    await sleep(50);
    expect(waiting.settled).toBe(false);
    firstToken.resolve();
    await sleep(0);
    await sleep(0);
    expect(waiting.settled).toBe(true);
    expect(gate.held).toBe(0);
  });

  it('a hold whose promise never settles (or rejects) ends after maxHoldMs: a turn cannot stall an ingestion', async () => {
    const gate = createSearchPriority({ maxYieldMs: 5000, maxHoldMs: 40 });
    gate.hold(new Promise(() => {}));
    await gate.yieldToSearches();
    expect(gate.held).toBe(0);
    const failed = Promise.reject(new Error('turn failed'));
    gate.hold(failed);
    await failed.catch(() => undefined);
    await sleep(0);
    expect(gate.held).toBe(0);
  });
});
