/**
 * The embed request's transport alone: one batch of 64 texts of 1,200 characters against the fast
 * fake over HTTP in a child process (embed-server.ts), through the core's Ollama client over
 * node:http (http-embed.ts: `/v1/embeddings` in base64, 64 x 768 float32 in ~0.26 MB) and through
 * ollama-js on fetch (the client with a fetch given: `/api/embed`, 64 x 768 JSON numbers, ~0.65 MB),
 * alternating in rounds; wall time and this process's CPU per request, medians.
 * `RAG_BENCH_EMBED_ROUTE=api` leaves the fake without `/v1/embeddings`, so both read `/api/embed`
 * (the transport alone, as measured before the base64 route).
 *   npx tsx tests/bench/embed-transport.ts [requests per round, default 20] [rounds, default 10]
 */
import { createOllamaClient } from '../../core/llm';
import { seededRandom } from '../support/seeded-random';
import { benchEmbedRoute, startEmbedServerInChild } from './embed-server';
import { model, textFor } from './rag-data';
import { percentile } from './stats';

const perRound = Number(process.argv[2] ?? 20);
const rounds = Number(process.argv[3] ?? 10);
const server = await startEmbedServerInChild();
const r = seededRandom(5);
const input = Array.from({ length: 64 }, () => textFor(r, 180).slice(0, 1200));
const clients = { 'node:http': createOllamaClient({ host: server.url }), 'ollama-js (fetch)': createOllamaClient({ host: server.url, fetch: (...a) => globalThis.fetch(...a) }) };
const wall: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
for (let round = 0; round <= rounds; round++) {
  const order = round % 2 ? Object.entries(clients) : Object.entries(clients).reverse();
  for (const [name, client] of order) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) {
      const answer = await client.embed(model, input);
      if (answer.embeddings.length !== 64) throw new Error(`${name}: ${answer.embeddings.length} vectors`);
    }
    if (round === 0) continue; // warm-up
    const c = process.cpuUsage(c0);
    (wall[name] ??= []).push((performance.now() - t0) / perRound);
    (cpu[name] ??= []).push((c.user + c.system) / 1000 / perRound);
  }
}
await server.close();
const med = (xs: number[]) => percentile(xs, 50);
const base = 'ollama-js (fetch)';
console.log(`node:http reads ${benchEmbedRoute() === 'v1' ? '/v1/embeddings base64' : '/api/embed JSON'}; ollama-js reads /api/embed JSON`);
for (const name of Object.keys(clients)) {
  console.log(`${name.padEnd(18)} wall ${med(wall[name]!).toFixed(2)} ms a request (${(med(wall[name]!) / med(wall[base]!)).toFixed(2)}x)  CPU ${med(cpu[name]!).toFixed(2)} ms (${(med(cpu[name]!) / med(cpu[base]!)).toFixed(2)}x)`);
}
