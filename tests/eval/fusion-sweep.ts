/**
 * The fusion experiments behind docs/benchmarks.md "Retrieval quality", reproducible:
 *   npx tsx tests/eval/fusion-sweep.ts [--chunk-chars N] [--overlap-chars N]
 * Same setup as run.ts (fake Ollama with the wink word vectors, a fresh store, the corpus), then for
 * each query the product's two candidate lists (100 chunks each; plus a text-only BM25 list, the
 * full-text search before the heading index) and, offline, every variant compared: the single
 * modes as chunks and by file, reciprocal rank fusion (the old chunk-level one and a by-file one),
 * and the shipped fusion over its vector weight and candidate depth. Then a split-half check of
 * the weight: choose it on half the queries, score the other half, both ways and over 200 random
 * halvings, against the fixed equal weight the product uses. `--chunk-chars` ingests with another
 * chunk size (default: the settings' 1200, overlap 150).
 */
import { readFileSync } from 'node:fs';
import { parseEvalQueries, resolveLabel, scoreQuery, meanScores, type QueryScores } from '../../core/eval';
import { byFile, fuseHybrid, ftsSearch, vectorSearch, type Candidate } from '../../core/rag/search';
import { createKbStore } from '../../core/rag/store';
import { DEFAULT_MODELS, loadWinkVectors, startFakeOllama, winkEmbedder, type FakeModel } from '../fake-ollama';
import { createCore } from '../../core/runtime';
import { testSettings } from '../support/core-harness';
import { evalAllowedRoots, evalCorpusRoots, queriesFile, wink100Models } from './corpus';

const depth = 10;
const wide = 100;

interface Lists {
  relevant: Set<string>;
  /** 100 chunks each; `at[n]` holds the lists read with limit n as the product does (LanceDB breaks score ties differently per limit). */
  vector: Candidate[];
  fts: Candidate[];
  ftsTextOnly: Candidate[];
  at: Record<number, { vector: Candidate[]; fts: Candidate[] }>;
}
const pools = [20, 50, 100];

loadWinkVectors();
const fake = await startFakeOllama({ embedder: winkEmbedder, models: wink100Models(DEFAULT_MODELS) as FakeModel[] });
const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : undefined;
};
const settings = testSettings({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', BRUNO_KB_ALLOWED_ROOTS: evalAllowedRoots() });
const chunkChars = option('--chunk-chars') ?? settings.knowledge.chunkChars;
const overlapChars = option('--overlap-chars') ?? settings.knowledge.chunkOverlapChars;
const core = createCore({ settings: { ...settings, knowledge: { ...settings.knowledge, chunkChars, chunkOverlapChars: overlapChars } } });
const store = createKbStore(core.knowledge.storeUri);
const lists: Lists[] = [];
const queries = parseEvalQueries(readFileSync(queriesFile, 'utf8'), 'queries.jsonl');
try {
  const roots = evalCorpusRoots();
  const summary = await core.knowledge.ingest(roots);
  console.log(`chunks of ${chunkChars} characters, overlap ${overlapChars}: ${summary.chunksAdded} chunks`);
  await core.knowledge.idle(); // a settled store, as run.ts
  const table = (await store.findChunksTable(core.knowledge.embedModel))!.table;
  for (const q of queries) {
    const { embeddings } = await core.embed({ model: core.knowledge.embedModel, input: [q.query] });
    const vector = Float32Array.from(embeddings[0]!);
    const at: Lists['at'] = {};
    for (const n of pools) at[n] = { vector: await vectorSearch(table, vector, n, null), fts: await ftsSearch(table, q.query, n) };
    const textOnly = (await table.query().fullTextSearch(q.query, { columns: 'text' }).select(['id', 'path', 'heading', 'position', 'text']).limit(wide).toArray()) as Record<string, unknown>[];
    lists.push({
      relevant: new Set(q.relevant.map((l) => resolveLabel(l, roots)).filter((p): p is string => p !== null)),
      vector: at[wide]!.vector,
      fts: at[wide]!.fts,
      at,
      ftsTextOnly: textOnly.map((r) => ({ id: String(r.id), path: String(r.path), heading: String(r.heading), position: Number(r.position), text: String(r.text), raw: Number(r._score) })),
    });
  }
} finally {
  store.close();
  await core.close();
  await fake.close();
}

type Ranker = (l: Lists) => string[];
const scoresOf = (rank: Ranker): QueryScores[] => lists.map((l) => scoreQuery(rank(l), l.relevant, depth));
const paths = (cs: readonly { path: string }[]) => cs.map((c) => c.path);

/** Reciprocal rank fusion, for comparison: chunks (the fusion shipped before) or files (each list collapsed to its files). */
function rrf(vector: Candidate[], fts: Candidate[], pool: number, unit: 'chunk' | 'file', k = 60): string[] {
  const score = new Map<string, { path: string; s: number }>();
  for (const list of [vector.slice(0, pool), fts.slice(0, pool)]) {
    const units = unit === 'chunk' ? list : byFile(list).filter((c, i, all) => all.findIndex((o) => o.path === c.path) === i);
    units.forEach((c, i) => {
      const key = unit === 'chunk' ? c.id : c.path;
      const e = score.get(key) ?? { path: c.path, s: 0 };
      e.s += 1 / (k + i + 1);
      score.set(key, e);
    });
  }
  return [...score.values()].sort((a, b) => b.s - a.s).map((e) => e.path);
}
const fused = (weight: number, pool: number) => (l: Lists) => paths(fuseHybrid(l.at[pool]!.vector, l.at[pool]!.fts, '', depth, { limit: pool, vectorWeight: weight }));

const variants: [string, Ranker][] = [
  ['vector, chunks', (l) => paths(l.vector)],
  ['vector, by file (shipped)', (l) => paths(byFile(l.at[50]!.vector))],
  ['fts text only, chunks (before)', (l) => paths(l.ftsTextOnly)],
  ['fts text + heading, chunks', (l) => paths(l.fts)],
  ['fts text + heading, by file (shipped)', (l) => paths(byFile(l.at[50]!.fts))],
  ['rrf chunks k=60, 20 each, text-only fts (before)', (l) => rrf(l.vector, l.ftsTextOnly, 20, 'chunk')],
  ['rrf chunks k=60, 20 each', (l) => rrf(l.vector, l.fts, 20, 'chunk')],
  ['rrf by file k=60, 50 each', (l) => rrf(l.at[50]!.vector, l.at[50]!.fts, 50, 'file')],
  ['z fusion by file w=0.5, 20 each', fused(0.5, 20)],
  ['z fusion by file w=0.5, 50 each (shipped)', fused(0.5, 50)],
  ['z fusion by file w=0.5, 100 each', fused(0.5, 100)],
];
const row = (name: string, s: QueryScores[]) => {
  const m = meanScores(s, depth);
  return `${name.padEnd(50)} ${m.mrr.toFixed(3)}  ${m.hitRate[1]!.toFixed(2)}  ${m.hitRate[5]!.toFixed(2)}  ${m.hitRate[10]!.toFixed(2)}`;
};
console.log(`${'variant'.padEnd(50)} MRR    Hit@1 Hit@5 Hit@10`);
for (const [name, rank] of variants) console.log(row(name, scoresOf(rank)));

const weights = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const byWeight = weights.map((w) => scoresOf(fused(w, 50)));
console.log('\nvector weight w (50 each):');
weights.forEach((w, i) => console.log(row(`  w=${w.toFixed(1)}`, byWeight[i]!)));

const shipped = byWeight[weights.indexOf(0.5)]!;
const fts = scoresOf((l) => paths(byFile(l.at[50]!.fts)));
const rr = (s: QueryScores[], idx: number[]) => idx.reduce((sum, i) => sum + s[i]!.reciprocalRank, 0) / idx.length;
const better = shipped.filter((s, i) => s.reciprocalRank > fts[i]!.reciprocalRank).length;
const worse = shipped.filter((s, i) => s.reciprocalRank < fts[i]!.reciprocalRank).length;
console.log(`\nshipped hybrid vs fts by file, per query: better on ${better}, worse on ${worse}, same on ${lists.length - better - worse}`);

/** Chooses w on `train` (best MRR, ties to 0.5's side), scores `test`. */
function crossCheck(train: number[], test: number[]) {
  let best = weights.indexOf(0.5);
  weights.forEach((_, i) => {
    if (rr(byWeight[i]!, train) > rr(byWeight[best]!, train) + 1e-12) best = i;
  });
  return { w: weights[best]!, chosen: rr(byWeight[best]!, test), fixed: rr(shipped, test), fts: rr(fts, test) };
}
const all = lists.map((_, i) => i);
const odd = all.filter((i) => i % 2 === 0);
const even = all.filter((i) => i % 2 === 1);
const fmt = (c: ReturnType<typeof crossCheck>) => `w=${c.w} -> held-out MRR ${c.chosen.toFixed(3)} (w=0.5: ${c.fixed.toFixed(3)}, fts: ${c.fts.toFixed(3)})`;
console.log(`split-half, odd lines -> even: ${fmt(crossCheck(odd, even))}`);
console.log(`split-half, even lines -> odd: ${fmt(crossCheck(even, odd))}`);
let seed = 20240601;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const checks: ReturnType<typeof crossCheck>[] = [];
for (let t = 0; t < 200; t++) {
  const shuffled = all.map((i) => ({ i, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.i);
  const a = shuffled.slice(0, all.length / 2);
  const b = shuffled.slice(all.length / 2);
  checks.push(crossCheck(a, b), crossCheck(b, a));
}
const mean = (pick: (c: ReturnType<typeof crossCheck>) => number) => checks.reduce((s, c) => s + pick(c), 0) / checks.length;
const chosen = new Map<number, number>();
for (const c of checks) chosen.set(c.w, (chosen.get(c.w) ?? 0) + 1);
console.log(
  `200 random halvings, both ways: held-out MRR with the chosen w ${mean((c) => c.chosen).toFixed(3)}, with w=0.5 ${mean((c) => c.fixed).toFixed(3)}, fts ${mean((c) => c.fts).toFixed(3)}; ` +
    `w=0.5 above fts on ${checks.filter((c) => c.fixed > c.fts).length}/${checks.length} halves; w chosen: ${[...chosen.entries()].sort((a, b) => a[0] - b[0]).map(([w, n]) => `${w}x${n}`).join(' ')}`,
);
