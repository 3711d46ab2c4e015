/**
 * A fast fake of Ollama's embedding routes for the ingestion benchmarks, in a child process as
 * Ollama runs outside the app: clustered 768-d vectors like the in-process fake's (rag-data.ts),
 * sent as Ollama sends them, after an optional latency per request: `POST /api/embed` as JSON
 * numbers of float32 precision (about 11 characters each) with its timing fields, and
 * `POST /v1/embeddings` with `encoding_format:"base64"` as base64 little-endian float32 (what the
 * app's client asks for a batch, core/llm/http-embed.ts). `RAG_BENCH_EMBED_ROUTE=api` answers
 * `/v1/embeddings` 404, as an Ollama or proxy without it, so the client falls back to `/api/embed`
 * (the rows of record before session 8). Each text's hash picks one of a pool of vectors encoded
 * once at start: writing 49,152 numbers a request took 33 ms here, which would have measured the
 * fake's number formatting, not the client reading them.
 * The fake Ollama of tests/fake-ollama embeds with a real word-vector model (~100 chunks/s here),
 * which would measure the fake, not the pipeline.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOllamaClient, type Embed } from '../../core/llm';
import { float32Base64 } from '../fake-ollama';
import { seededRandom } from '../support/seeded-random';
import { vectorNear } from './rag-data';

export type ToEmbedChild = { type: 'latency'; ms: number; id: number } | { type: 'close' };
export type FromEmbedChild = { type: 'ready'; url: string } | { type: 'latency'; id: number } | { type: 'failed'; message: string };

/** Float32 precision, as Go's encoding/json writes Ollama's []float32 (shortest, ~9 digits). */
export const float32Json = (v: Float32Array) => '[' + Array.from(v, (x) => String(Number(x.toPrecision(9)))).join(',') + ']';

const poolSize = 4096;

/** Which routes the fake answers: `api` leaves `/v1/embeddings` out (404). */
export const benchEmbedRoute = (): 'v1' | 'api' => (process.env.RAG_BENCH_EMBED_ROUTE === 'api' ? 'api' : 'v1');

export function startEmbedServer(latency: () => number): Promise<{ url: string; server: Server }> {
  const vectors = Array.from({ length: poolSize }, (_, i) => vectorNear(i, seededRandom(i + 1)));
  const json = vectors.map(float32Json);
  const base64 = vectors.map((v) => JSON.stringify(float32Base64(v)));
  const withV1 = benchEmbedRoute() === 'v1';
  const poolIndex = (text: string) => {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return (h >>> 0) % poolSize;
  };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const started = process.hrtime.bigint();
      const route = req.method === 'POST' ? (req.url === '/api/embed' ? 'api' : req.url === '/v1/embeddings' && withV1 ? 'v1' : null) : null;
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { model: string; input: string | string[] };
      const input = Array.isArray(body.input) ? body.input : [body.input];
      const answer = () => {
        const picks = input.map(poolIndex);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        if (route === 'v1') {
          const data = picks.map((p, index) => `{"object":"embedding","embedding":${base64[p]!},"index":${index}}`).join(',');
          res.end(`{"object":"list","data":[${data}],"model":${JSON.stringify(body.model)},"usage":{"prompt_tokens":${input.length * 256},"total_tokens":${input.length * 256}}}`);
          return;
        }
        const ns = String(process.hrtime.bigint() - started);
        res.end(`{"model":${JSON.stringify(body.model)},"embeddings":[${picks.map((p) => json[p]!).join(',')}],"total_duration":${ns},"load_duration":0,"prompt_eval_count":${input.length * 256}}`);
      };
      const ms = latency();
      if (ms > 0) setTimeout(answer, ms);
      else answer();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

const here = dirname(fileURLToPath(import.meta.url));

/** The server in a child Node process (through tsx's loader), with its latency set over IPC. */
export async function startEmbedServerInChild(): Promise<{ url: string; setLatency(ms: number): Promise<void>; close(): Promise<void> }> {
  const child: ChildProcess = fork(join(here, 'embed-server-child.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: FromEmbedChild) => (m.type === 'ready' ? resolve(m.url) : m.type === 'failed' ? reject(new Error(`embed server: ${m.message}`)) : undefined));
    child.once('exit', (code) => reject(new Error(`embed server exited early (code ${code})`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 0;
  return {
    url,
    setLatency(ms) {
      const id = nextId++;
      return new Promise<void>((resolve) => {
        const onMessage = (m: FromEmbedChild) => {
          if (m.type !== 'latency' || m.id !== id) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        child.send({ type: 'latency', ms, id } satisfies ToEmbedChild);
      });
    },
    async close() {
      if (child.exitCode === null && child.connected) child.send({ type: 'close' } satisfies ToEmbedChild);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The ingestion benchmarks' embedder: by default the fast fake over HTTP in a child process,
 * called through the core's Ollama client as the app calls it (ours and the bare pipeline alike);
 * `RAG_BENCH_EMBED=inproc` calls `fastEmbed` in this process instead (the rows of record before
 * session 6: no HTTP, no JSON, the embedder's work on this process's main thread). `requests`
 * counts the calls; `setLatency` holds each answer that long.
 */
export async function benchEmbedder(fastEmbed: Embed): Promise<{ embed: Embed; label: string; requests(): number; resetRequests(): void; setLatency(ms: number): Promise<void>; close(): Promise<void> }> {
  const server = process.env.RAG_BENCH_EMBED === 'inproc' ? null : await startEmbedServerInChild();
  const client = server ? createOllamaClient({ host: server.url }) : null;
  let requests = 0;
  let latencyMs = 0;
  return {
    label: server ? `fast fake over HTTP (child process, a batch on ${benchEmbedRoute() === 'v1' ? '/v1/embeddings base64' : '/api/embed JSON'})` : 'fast in-process fake',
    async embed(call) {
      requests++;
      if (!client) {
        if (latencyMs) await new Promise((res) => setTimeout(res, latencyMs));
        return fastEmbed(call);
      }
      return client.embed(call.model, call.input, call.signal ? { signal: call.signal } : undefined);
    },
    requests: () => requests,
    resetRequests: () => void (requests = 0),
    async setLatency(ms) {
      latencyMs = ms;
      await server?.setLatency(ms);
    },
    close: async () => server?.close(),
  };
}
