/**
 * A wire-faithful fake of the Ollama HTTP API (v0.32) for tests, on plain
 * node:http. See README.md in this folder for the behaviour options.
 *
 *   const fake = await startFakeOllama({ tokensPerSecond: 200 });
 *   const ollama = new Ollama({ host: fake.url });
 *   ...
 *   await fake.close();
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Behaviour, BehaviourPatch, FailureKind, FakeEndpoint, Failure } from './behaviour';
import { applyPatch, behaviourToJson, defaultBehaviour, findOverride } from './behaviour';
import { BehaviourError, validatePatch } from './behaviour-validation';
import { allocatedContext, findModel, showBody, tagsEntry } from './catalog';
import { handleChatOrGenerate } from './chat-generate-endpoint';
import { monoNs, nowRfc3339 } from './clock';
import type { Embedder } from './embed';
import { hashEmbedder } from './embed';
import { handleEmbed } from './embed-endpoint';
import { handleOpenAiEmbed } from './openai-embed-endpoint';
import { type EndpointContext, resolveModel } from './endpoint-context';
import { decodeRequest, readBody, sendError, sendJson, sendText } from './http-io';
import { LoadedModels } from './loaded-models';

/** One request the fake received (control requests under /__fake/ are not logged). */
export interface LoggedRequest {
  method: string;
  /** Path without the query string, e.g. `/api/chat`. */
  path: string;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  /** RFC3339 time the request was received. */
  receivedAt: string;
}

export interface FakeOllamaOptions extends BehaviourPatch {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Embedding function (default: hashed bag of words). */
  embedder?: Embedder;
  /** Maximum number of logged requests kept (oldest dropped). Default 10000. */
  requestLogLimit?: number;
}

export interface FakeOllama {
  /** `http://127.0.0.1:PORT` (pass as `host` to `new Ollama(...)`). */
  readonly url: string;
  readonly port: number;
  /** Requests received so far, oldest first (a live read-only view). */
  readonly requests: readonly LoggedRequest[];
  /** The current behaviour (do not mutate; use configure). */
  readonly behaviour: Readonly<Behaviour>;
  /** Changes behaviour from now on (validated; throws BehaviourError on a bad option). */
  configure(patch: BehaviourPatch): void;
  /** Back to the start options: behaviour, empty request log, only `preload` models loaded. */
  reset(): void;
  /** Empties the request log only. */
  clearRequests(): void;
  /** The body /api/ps would return now. */
  loadedModels(): { models: Array<{ name: string; context_length: number; expires_at: string }> };
  /** Stops the server, ending every open response (stalled ones too) by destroying sockets. */
  close(): Promise<void>;
}

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const { port = 0, embedder = hashEmbedder, requestLogLimit = 10_000, ...behaviourOptions } = options;
  const initialPatch = validatePatch(behaviourOptions);
  let behaviour: Behaviour = applyPatch(defaultBehaviour(), initialPatch);
  const requests: LoggedRequest[] = [];
  const serverAbort = new AbortController();
  const loaded = new LoadedModels(serverAbort.signal);
  const sockets = new Set<Socket>();
  const inFlight = new Set<AbortController>();

  const applyPreload = (names: readonly string[]): void => {
    for (const name of names) {
      const model = findModel(behaviour, name);
      if (!model) throw new BehaviourError(`preload: unknown model '${name}'`);
      loaded.preload(model, allocatedContext(behaviour, model, undefined, behaviour.numCtx), behaviour.keepAliveMs);
    }
  };
  applyPreload(behaviour.preload);

  /** The failure that applies to this request, consuming it when `once`. */
  const takeFailure = (modelName: string, endpoint: FakeEndpoint, kinds?: readonly FailureKind[]): Failure | null => {
    const override = findOverride(behaviour, modelName);
    const fromModel = override?.failure !== undefined;
    const failure = fromModel ? (override?.failure ?? null) : behaviour.failure;
    if (!failure) return null;
    if (failure.endpoints && !failure.endpoints.includes(endpoint)) return null;
    if (kinds && !kinds.includes(failure.kind)) return null;
    if (failure.once) {
      if (fromModel && override) delete override.failure;
      else behaviour = { ...behaviour, failure: null };
    }
    return failure;
  };

  const ctx: EndpointContext = { behaviour: () => behaviour, loaded, embedder, takeFailure };

  // ---------------------------------------------------------------- handlers (the generative
  // and embedding endpoints are in chat-generate-endpoint.ts and embed-endpoint.ts)

  const handleShow = (raw: string, res: ServerResponse): void => {
    const decoded = decodeRequest(raw, 'ShowRequest', ['model', 'name']);
    if (!decoded.ok) return sendError(res, decoded.status, decoded.error);
    const name = decoded.value.model || decoded.value.name;
    const model = resolveModel(ctx, res, name);
    if (!model) return;
    sendJson(res, 200, showBody(behaviour, model));
  };

  const handleControl = async (method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (method === 'POST' && path === '/__fake/configure') {
      const raw = await readBody(req);
      try {
        fake.configure(JSON.parse(raw === '' ? '{}' : raw) as BehaviourPatch);
      } catch (err) {
        return sendError(res, 400, err instanceof Error ? err.message : String(err));
      }
      return sendJson(res, 200, behaviourToJson(behaviour));
    }
    if (method === 'POST' && path === '/__fake/reset') {
      await readBody(req);
      fake.reset();
      return sendJson(res, 200, behaviourToJson(behaviour));
    }
    if (method === 'GET' && path === '/__fake/requests') return sendJson(res, 200, requests);
    if (method === 'DELETE' && path === '/__fake/requests') {
      requests.length = 0;
      return sendJson(res, 200, requests);
    }
    if (method === 'GET' && path === '/__fake/behaviour') return sendJson(res, 200, behaviourToJson(behaviour));
    if (method === 'GET' && path === '/__fake/ps') return sendJson(res, 200, loaded.psBody());
    sendText(res, 404, '404 page not found');
  };

  const route = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path.startsWith('/__fake/')) return handleControl(method, path, req, res);

    const raw = await readBody(req);
    const startNs = monoNs();
    let logged: unknown;
    if (raw !== '') {
      try {
        logged = JSON.parse(raw) as unknown;
      } catch {
        logged = raw;
      }
    }
    requests.push({ method, path, body: logged, receivedAt: nowRfc3339() });
    if (requests.length > requestLogLimit) requests.splice(0, requests.length - requestLogLimit);

    const head = method === 'HEAD';
    const getLike = method === 'GET' || head;
    if (getLike && path === '/') return sendText(res, 200, 'Ollama is running', head);
    if (getLike && path === '/api/version') return sendJsonMaybeHead(res, { version: behaviour.version }, head);
    if (getLike && path === '/api/tags') return sendJsonMaybeHead(res, { models: behaviour.models.map(tagsEntry) }, head);
    if (method === 'GET' && path === '/api/ps') return sendJson(res, 200, loaded.psBody());
    if (method === 'POST') {
      switch (path) {
        case '/api/chat':
          return handleChatOrGenerate(ctx, 'chat', raw, res, signal, startNs);
        case '/api/generate':
          return handleChatOrGenerate(ctx, 'generate', raw, res, signal, startNs);
        case '/api/embed':
          return handleEmbed(ctx, false, raw, res, signal, startNs);
        case '/api/embeddings':
          return handleEmbed(ctx, true, raw, res, signal, startNs);
        case '/v1/embeddings':
          return handleOpenAiEmbed(ctx, raw, res, signal, startNs);
        case '/api/show':
          return handleShow(raw, res);
      }
    }
    sendText(res, 404, '404 page not found');
  };

  const server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    // 'close' fires when the response finished or the client went away.
    res.on('close', () => {
      controller.abort();
      inFlight.delete(controller);
    });
    if (serverAbort.signal.aborted) controller.abort();
    route(req, res, controller.signal).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;

  const fake: FakeOllama = {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    requests,
    get behaviour() {
      return behaviour;
    },
    configure(patch: BehaviourPatch) {
      const valid = validatePatch(patch);
      behaviour = applyPatch(behaviour, valid);
      if (valid.preload) applyPreload(valid.preload);
    },
    reset() {
      behaviour = applyPatch(defaultBehaviour(), initialPatch);
      requests.length = 0;
      loaded.clear();
      applyPreload(behaviour.preload);
    },
    clearRequests() {
      requests.length = 0;
    },
    loadedModels() {
      return loaded.psBody();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        serverAbort.abort();
        for (const controller of inFlight) controller.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
  return fake;
}

function sendJsonMaybeHead(res: ServerResponse, body: unknown, head: boolean): void {
  if (!head) return sendJson(res, 200, body);
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end();
}
