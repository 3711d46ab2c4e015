/**
 * Chat TTFT during an ingestion against an idle store (issue 18: "chat turns that retrieve
 * meanwhile keep their TTFT within 1.2x of an idle store"):
 *   npx tsx tests/bench/rag-chat-ttft.ts            # RAG_TTFT_FILES=300 (6 chunks each)
 * The real core (createCore) against the fake Ollama in a child process of its own (its hash
 * embedder and its streams must not share this process's CPU time with the core), so the embed
 * requests of the ingestion go over HTTP as the app sends them. Chat turns (each retrieves from
 * the knowledge base, then streams a 40-token reply) run one after another while the ingestion
 * runs, then the same number once the store is idle; TTFT is the agent's own (turn start, which
 * includes the retrieval, to the first content chunk).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTurn, tempDir, testCore } from '../support/core-harness';
import { seededRandom } from '../support/seeded-random';
import { textFor } from './rag-data';
import { percentile } from './stats';
import { installTurnProbes, type TurnParts } from './ttft-parts';

const files = Number(process.env.RAG_TTFT_FILES ?? 300);
const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fake-ollama/main.ts', '--port', '0', '--tps', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) resolve(m[1]!);
  });
  child.once('exit', (code) => reject(new Error(`fake ollama exited (${String(code)})`)));
});

const docs = join(tempDir('bruno-ttft-'), 'docs');
mkdirSync(docs);
const r = seededRandom(31);
for (let f = 0; f < files; f++) writeFileSync(join(docs, `doc-${String(f).padStart(5, '0')}.md`), `# Doc ${f}\n\n${Array.from({ length: 6 }, (_, s) => `## Part ${s}\n\n${textFor(r, 180)}`).join('\n\n')}\n`);

const probes = installTurnProbes();
const core = testCore({ OLLAMA_HOST: url, BRUNO_METRICS_ADDR: '' });
const probe = probes.attach(core);
const turnParts = { during: [] as TurnParts[], idle: [] as TurnParts[] };
// Beside each turn, one hybrid search of the same kind, for where a retrieval's time goes: the
// query's embedding (a request to the fake Ollama, which the ingestion keeps busy; another text
// than the turn's, which the embedding cache holds) and the rest.
const searchParts = () => ({ embed: [] as number[], store: [] as number[], vector: [] as number[], fts: [] as number[] });
const parts = { during: searchParts(), idle: searchParts() };
let phase: keyof typeof parts = 'during';
const ttft = async (i: number) => {
  const message = `what does part ${i % 6} say about ${textFor(r, 3)}?`;
  probe.begin(message);
  const turn = await runTurn(core, { message });
  if (turn.end.type !== 'done') throw new Error(`turn ended ${turn.end.type}`);
  const tp = probe.end((turn.end.stats.ttft_s ?? NaN) * 1000);
  if (tp) turnParts[phase].push(tp);
  const { timings } = await core.knowledge.search(`${message} (beside)`, { mode: 'hybrid', k: 8 });
  parts[phase].embed.push(timings.embedMs);
  parts[phase].store.push(timings.totalMs - timings.embedMs);
  parts[phase].vector.push(timings.vectorMs);
  parts[phase].fts.push(timings.ftsMs);
  return (turn.end.stats.ttft_s ?? NaN) * 1000;
};
try {
  // A first small ingestion, so every measured turn retrieves (an empty store skips retrieval).
  const seed = join(tempDir('bruno-ttft-seed-'), 'seed.md');
  writeFileSync(seed, `# Seed\n\n${textFor(r, 180)}\n`);
  await core.knowledge.ingest([seed]);
  for (let i = 0; i < 3; i++) await ttft(i);
  parts.during = searchParts();
  turnParts.during = [];
  probes.takeJobRequests();

  const during: number[] = [];
  let ingesting = true;
  const started = performance.now();
  const job = core.knowledge.ingest([docs]).finally(() => (ingesting = false));
  for (let i = 0; ingesting; i++) {
    during.push(await ttft(i));
    await new Promise((res) => setTimeout(res, 100));
  }
  const summary = await job;
  const jobRequests = probes.takeJobRequests();
  const ingestS = (performance.now() - started) / 1000;
  await core.knowledge.idle();
  phase = 'idle';
  const idle: number[] = [];
  for (let i = 0; i < Math.max(10, during.length); i++) idle.push(await ttft(i));

  const f = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} / p95 **${percentile(xs, 95).toFixed(0)} ms** (${xs.length})`;
  console.log('| benchmark | | | |');
  console.log('|---|---|---|---|');
  console.log(`| ingestion over HTTP (fake Ollama's hash embedder) | ${summary.chunksAdded} chunks in ${ingestS.toFixed(1)} s (${(summary.chunksAdded / ingestS).toFixed(0)} chunks/s) | | |`);
  console.log(`| chat TTFT (retrieval + first token) | during the ingestion: ${f(during)} | idle store afterwards: ${f(idle)} | **${(percentile(during, 50) / percentile(idle, 50)).toFixed(2)}x** p50, ${(percentile(during, 95) / percentile(idle, 95)).toFixed(2)}x p95 (target <= 1.2x) |`);
  const p = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} / p95 ${percentile(xs, 95).toFixed(0)} ms`;
  const beside = (x: ReturnType<typeof searchParts>) => `query embedding ${p(x.embed)}, the store's part ${p(x.store)} (vector ${p(x.vector)}, full-text ${p(x.fts)})`;
  console.log(`| a hybrid search beside each turn | during: ${beside(parts.during)} | idle: ${beside(parts.idle)} | ANN index: ${(await core.knowledge.stats()).annIndex.state} |`);
  // The turn's own parts (ttft-parts.ts): p50 / p95 of each, during and idle.
  console.log('');
  console.log('| the turn\'s parts (p50 / p95 ms) | during the ingestion | idle store |');
  console.log('|---|---|---|');
  const rows: [string, (t: TurnParts) => number][] = [
    ['turn start to retrieval end', (t) => t.retrievalEndMs],
    ['  query embedding (request sent to answered)', (t) => t.embedMs],
    ['    of it, the fake\'s own time (total_duration)', (t) => t.embedServerMs],
    ['  the rest of the retrieval (store, event loop)', (t) => t.storeMs],
    ['retrieval end to chat request sent', (t) => t.toChatMs],
    ['chat request sent to first token', (t) => t.chatToFirstMs],
    ['job embed requests in flight when the query\'s was sent', (t) => t.jobInFlightAtSend],
    ['job embed requests sent while the query\'s was pending', (t) => t.jobSentDuring],
    ['main thread event loop delay in the turn, max', (t) => t.loopMaxMs],
    ['main thread event loop delay in the turn, mean', (t) => t.loopMeanMs],
  ];
  const q = (xs: TurnParts[], get: (t: TurnParts) => number) => `${percentile(xs.map(get), 50).toFixed(1)} / ${percentile(xs.map(get), 95).toFixed(1)}`;
  for (const [label, get] of rows) console.log(`| ${label} | ${q(turnParts.during, get)} | ${q(turnParts.idle, get)} |`);
  const texts = jobRequests.map((j) => j.texts);
  console.log(`| the job's embed requests: ${jobRequests.length}, texts p50 ${percentile(texts, 50)} / p5 ${percentile(texts, 5)} / p95 ${percentile(texts, 95)}, sent to answered p50 ${percentile(jobRequests.map((j) => j.ms), 50).toFixed(1)} / p95 ${percentile(jobRequests.map((j) => j.ms), 95).toFixed(1)} ms | | |`);
} finally {
  await core.close();
  child.kill();
}
