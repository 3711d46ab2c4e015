/**
 * Measures retrieval quality on the labelled set (the numbers in docs/benchmarks.md):
 *   npx tsx tests/eval/run.ts [--json]
 * Fake Ollama with the wink word-vector embedder, a fresh store, the corpus of corpus.ts, then the
 * same evaluation `agent-bruno eval` runs, plus the drift score of the queries against the baseline.
 */
import { readFileSync } from 'node:fs';
import { evalTable } from '../../core/cli/eval-command';
import { createDriftTracker, parseEvalQueries, refreshBaseline, runEval } from '../../core/eval';
import { DEFAULT_MODELS, loadWinkVectors, startFakeOllama, winkEmbedder, type FakeModel } from '../fake-ollama';
import { tempDir, testCore } from '../support/core-harness';
import { evalAllowedRoots, evalCorpusRoots, queriesFile, wink100Models } from './corpus';

const json = process.argv.includes('--json');
loadWinkVectors();
const fake = await startFakeOllama({ embedder: winkEmbedder, models: wink100Models(DEFAULT_MODELS) as FakeModel[] });
const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', BRUNO_KB_ALLOWED_ROOTS: evalAllowedRoots() });
try {
  const started = performance.now();
  const summary = await core.knowledge.ingest(evalCorpusRoots());
  const ingestSeconds = (performance.now() - started) / 1000;
  // The store settled (the background optimize folds the last rows into the indexes, which moves
  // BM25 scores slightly), as when \`agent-bruno eval\` runs after \`agent-bruno ingest\`.
  await core.knowledge.idle();
  const queries = parseEvalQueries(readFileSync(queriesFile, 'utf8'), 'queries.jsonl');
  const report = await runEval(core.knowledge, queries);
  // The same hybrid search with reciprocal rank fusion instead of the default convex fusion.
  const rrf = await runEval(core.knowledge, queries, { modes: ['hybrid'], fusion: 'rrf' });
  // Drift: the queries' own embeddings against the ingested chunks' baseline.
  const settings = { storeUri: core.knowledge.storeUri, model: core.knowledge.embedModel };
  const dataDir = tempDir('bruno-baseline-');
  const baseline = await refreshBaseline({ ...settings, dataDir });
  const drift = createDriftTracker({ registry: core.telemetry.registry, model: settings.model, baseline: () => baseline, window: queries.length });
  const { embeddings } = await core.embed({ model: settings.model, input: queries.map((q) => q.query) });
  for (const v of embeddings) drift.observe(v);
  if (json) console.log(JSON.stringify({ ingest: { files: summary.filesIngested, chunks: summary.chunksAdded, seconds: ingestSeconds }, report, rrf: rrf.modes[0], drift: drift.snapshot() }));
  else {
    console.log(`${summary.filesIngested} files, ${summary.chunksAdded} chunks ingested in ${ingestSeconds.toFixed(1)} s`);
    console.log(evalTable({ ...report, modes: [...report.modes, ...rrf.modes.map((m) => ({ ...m, mode: 'hybrid (rrf)' as never }))] }));
    for (const q of report.perQuery) console.log(`  ${String(q.line).padStart(2)} v=${q.ranks.vector ?? '-'} f=${q.ranks.fts ?? '-'} h=${q.ranks.hybrid ?? '-'}  ${q.query}`);
    // Paired: on how many queries hybrid ranks the first relevant file higher or lower than each single mode.
    const rr = (rank: number | null | undefined) => (rank ? 1 / rank : 0);
    for (const single of ['fts', 'vector'] as const) {
      const better = report.perQuery.filter((q) => rr(q.ranks.hybrid) > rr(q.ranks[single])).length;
      const worse = report.perQuery.filter((q) => rr(q.ranks.hybrid) < rr(q.ranks[single])).length;
      console.log(`hybrid vs ${single}: better on ${better} queries, worse on ${worse}, same on ${report.perQuery.length - better - worse}`);
    }
    if (report.unresolvedLabels.length) console.log('unresolved', report.unresolvedLabels);
    console.log('drift', drift.snapshot(), 'baseline', { count: baseline?.count, mean: baseline?.mean, std: baseline?.std });
  }
} finally {
  await core.close();
  await fake.close();
}
