/**
 * Index upkeep after an ingestion: the BM25 indexes, a background optimize (folds new rows into
 * the FTS and ANN indexes, compacts fragments), the ANN build, and the size gauges.
 */
import type { Table } from '@lancedb/lancedb';
import type { KbStats } from '../common/knowledge';
import type { KbContext } from './kb-types';
import { ftsColumns } from './search';
import { embeddingVersionOf, loadLance, type FileRow } from './store';

export interface KbUpkeep {
  /** The BM25 indexes of the full-text search; a store from before the heading index gets it at its next ingestion. */
  ensureFtsIndex(table: Table): Promise<void>;
  /** Starts the BM25 indexes in the background (a job's first batch: the job goes on meanwhile). */
  startFtsIndex(table: Table): void;
  afterIngest(table: Table | null): Promise<void>;
  /**
   * After each batch a job wrote: every `upkeepEveryRows` rows, folds them into the indexes in the
   * background (and starts the ANN build once the table is large enough), so a long job's
   * searches scan a bounded tail of unindexed rows rather than everything it wrote so far.
   */
  duringIngest(table: Table, rowsAdded: number): void;
  refreshGauges(): Promise<KbStats>;
  statsNow(): Promise<KbStats>;
  readonly gaugesLoaded: boolean;
  /** Resolves when the running optimize and full-text index build end (null when neither runs): an ANN build waits. */
  busy(): Promise<void> | null;
  /**
   * Resolves once the optimize after the last job ran (it waits for a running optimize or ANN
   * build first) and no optimize runs: deletes wait for it, and so does `kb.idle()`.
   */
  settled(): Promise<void>;
  /** Whether the upkeep after a job (its optimize, then a rebuild) is still to run. */
  catchingUp(): boolean;
  /** Rows the jobs of this process wrote that no optimize has folded into the full-text index yet (an estimate). */
  unindexedRows(): number;
  /**
   * Whether a search now reads what the indexes hold only (LanceDB fastSearch): while a job writes
   * (`ingesting`), and after it while its upkeep runs and at least `upkeepEveryRows` rows are not
   * folded in yet. A smaller tail is scanned flat, so a finished job's chunks are found at once.
   */
  readsIndexedOnly(ingesting: boolean): boolean;
  /** Starts no optimize from now on (the knowledge base is closing). */
  stop(): void;
}

/**
 * Rows a job writes between two background optimizes (each folds them into the FTS and ANN
 * indexes): at least 8,192, and at least half the rows the table held at the previous one. An
 * optimize costs about the whole table (at 100k chunks here 5 s at 8k rows, 26 s at 90k), so a
 * fixed step made a job's upkeep grow with the square of its size (11 optimizes, 144 s, for 100k
 * chunks in the run of record); a step growing with the table keeps it proportional, for an
 * unindexed tail of at most a third of the table.
 */
export const upkeepEveryRows = 8192;
export const upkeepGrowth = 0.5;
/** Rows between two checks for the first ANN index during a job (a count and an index list: cheap). */
export const annCheckEveryRows = 1024;

export function createKbUpkeep(ctx: KbContext): KbUpkeep {
  const { store, model, ann, log, measure, priority } = ctx;
  let gaugesLoaded = false;
  let optimizing: Promise<void> | null = null;
  let rowsSinceUpkeep = 0;
  let rowsAtUpkeep = 0;
  // Rows no optimize has folded into the full-text index yet: written since the running (or
  // last) optimize started, and those the running one folds.
  let unfolded = 0;
  let folding = 0;
  let catchingUp: Promise<void> | null = null;
  let stopped = false;
  let rowsSinceAnnCheck = 0;

  /**
   * Folds new rows into the FTS (and ANN) index and compacts small fragments, in the background:
   * queries scan unindexed rows meanwhile, and a long optimize must not hold the next job (the
   * FTS-build deadlock of LanceDB 0.31 on small hosts is avoided by store.ts lanceEnvDefaults).
   * One at a time, not during an ANN build (they would conflict), and only once no search has run
   * for a moment: a running optimize holds Lance's CPU pool and cannot be paused.
   */
  function startOptimize(table: Table, deferToSearches = true): void {
    if (stopped || ann.building() || optimizing) return;
    optimizing = (async () => {
      await ftsBuilding?.catch(() => undefined);
      if (deferToSearches) await priority.whenQuiet();
      if (ann.building()) return;
      rowsAtUpkeep = await table.countRows();
      folding = unfolded;
      unfolded = 0;
      const started = performance.now();
      await table.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) });
      folding = 0;
      log.info('store optimized', { seconds: Math.round((performance.now() - started) / 100) / 10 });
    })()
      .catch((err: unknown) => log.warn('store optimize failed (searches scan unindexed rows)', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        unfolded += folding;
        folding = 0;
        optimizing = null;
      });
  }

  /**
   * The optimize after a job, once the running optimize and ANN build ended. It used to be skipped
   * when one still ran at the job's end, which left the job's last rows (up to a third of the
   * table) unindexed: every later search scanned them flat (idle p50 104-107 ms at 100k chunks
   * against 24 ms, docs/benchmarks.md "Scale, third pass"). Not a part of the running optimize (`busy()`): the ANN
   * build waits for that, and this waits for the build. Not deferred to searches: until it ran,
   * every search scans the job's last rows flat (the full-text side 160-250 ms at 3,600 chunks
   * against 21-30 ms once folded in), so deferring it under a stream of searches (up to
   * maxDeferMs) only made more of them slow. Then, with every row in the index, the rebuild of an
   * index the table outgrew (it runs with no job writing; searches read the old index meanwhile,
   * which now holds every row).
   */
  function catchUp(table: Table): void {
    const run: Promise<void> = (async () => {
      await optimizing;
      await ann.idle();
      startOptimize(table, false);
      await optimizing;
      if (stopped || priority.ingesting) return;
      const found = await store.findChunksTable(model);
      // Checked again: the knowledge base may have begun closing meanwhile (its tables then close).
      if (found && !stopped) await ann.refresh(found.table, found.dim, { force: true, build: true });
    })()
      .catch((err: unknown) => log.warn('index upkeep after the job failed (searches scan unindexed rows)', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        if (catchingUp === run) catchingUp = null;
      });
    catchingUp = run;
  }

  let ftsBuilding: Promise<void> | null = null;

  /** One build at a time: a search that finds no index and a job's first batch may both ask. */
  function ensureFtsIndex(table: Table): Promise<void> {
    ftsBuilding ??= (async () => {
      const { Index } = await loadLance();
      const indices = await table.listIndices();
      for (const column of ftsColumns) {
        if (!indices.some((i) => i.columns.includes(column) && i.indexType.toUpperCase().includes('FTS'))) {
          await table.createIndex(column, { config: Index.fts(), replace: true });
        }
      }
    })().finally(() => {
      ftsBuilding = null;
    });
    return ftsBuilding;
  }

  async function statsNow(): Promise<KbStats> {
    const files = await store.files(false);
    const rows = files ? ((await files.query().select(['chunks', 'size', 'embedding_version']).toArray()) as Pick<FileRow, 'chunks' | 'size' | 'embedding_version'>[]) : [];
    const current = await store.findChunksTable(model);
    return {
      documents: rows.length,
      chunks: rows.reduce((s, r) => s + Number(r.chunks), 0),
      bytes: rows.reduce((s, r) => s + Number(r.size), 0),
      embeddingVersion: current ? embeddingVersionOf(model, current.dim) : null,
      annIndex: ann.state(),
    };
  }

  async function refreshGauges(): Promise<KbStats> {
    const stats = await statsNow();
    measure((m) => {
      m.kbDocuments.set(stats.documents);
      m.kbChunks.set(stats.chunks);
      m.kbBytes.set(stats.bytes);
    });
    gaugesLoaded = true;
    return stats;
  }

  async function afterIngest(table: Table | null): Promise<void> {
    if (!table) return;
    if ((await table.countRows()) === 0) return;
    await ensureFtsIndex(table);
    rowsSinceUpkeep = 0;
    rowsSinceAnnCheck = 0;
    // The first build (a table without an index); a rebuild waits for the optimize in catchUp.
    const found = await store.findChunksTable(model);
    if (found && ann.state().state !== 'ready') await ann.refresh(found.table, found.dim, { force: true, build: true });
    catchUp(table);
  }

  const annCheck = (writing: boolean) =>
    void store
      .findChunksTable(model)
      .then((found) => (found ? ann.refresh(found.table, found.dim, { force: true, build: true, writing }) : undefined))
      .catch((err: unknown) => log.warn('ANN index check failed', { error: err instanceof Error ? err.message : String(err) }));

  function duringIngest(table: Table, rowsAdded: number): void {
    rowsSinceUpkeep += rowsAdded;
    rowsSinceAnnCheck += rowsAdded;
    unfolded += rowsAdded;
    // Until the table has its first ANN index, check every batch or so: searches during the job
    // read the indexed rows only once the vector side has one (the first build is small and quick).
    if (ann.state().state === 'none' && !ann.building() && rowsSinceAnnCheck >= annCheckEveryRows) {
      rowsSinceAnnCheck = 0;
      annCheck(true);
    }
    if (rowsSinceUpkeep < Math.max(upkeepEveryRows, rowsAtUpkeep * upkeepGrowth) || optimizing || ann.building()) return;
    rowsSinceUpkeep = 0;
    startOptimize(table);
    annCheck(true);
  }

  return {
    ensureFtsIndex,
    startFtsIndex(table) {
      ensureFtsIndex(table).catch((err: unknown) => log.warn('full-text index build failed (built again after the job)', { error: err instanceof Error ? err.message : String(err) }));
    },
    afterIngest,
    duringIngest,
    refreshGauges,
    statsNow,
    get gaugesLoaded() {
      return gaugesLoaded;
    },
    busy: () => (optimizing || ftsBuilding ? Promise.all([optimizing, ftsBuilding?.catch(() => undefined)]).then(() => undefined) : null),
    catchingUp: () => catchingUp !== null,
    unindexedRows: () => unfolded + folding,
    readsIndexedOnly: (ingesting) => ingesting || (catchingUp !== null && unfolded + folding >= upkeepEveryRows),
    async settled() {
      await catchingUp;
      await optimizing;
    },
    stop() {
      stopped = true;
    },
  };
}
