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
import type { Behaviour, BehaviourPatch, FailureKind, FakeEndpoint, FakeModel, Failure } from './behaviour';
import {
  BehaviourError,
  applyPatch,
  behaviourForModel,
  behaviourToJson,
  defaultBehaviour,
  displayName,
  findOverride,
  validatePatch,
} from './behaviour';
import { allocatedContext, capabilities, embeddingLength, findModel, showBody, tagsEntry } from './catalog';
import { elapsedNs, monoNs, nowRfc3339, parseKeepAlive, sleep, untilAborted } from './clock';
import type { Embedder } from './embed';
import { hashEmbedder, truncateDimensions } from './embed';
import type { GenerationPlan } from './generation';
import { buildEvents, defaultHttpMessage, runGeneration } from './generation';
import { decodeRequest, readBody, sendError, sendJson, sendText } from './http-io';
import { LoadedModels } from './loaded-models';
import { countMessageTokens, countTokens, fakeTokenIds, listSequence, replySequence, splitIntoTokens, thinkingSequence } from './tokens';
import { answerFromTools, instructedCall, toolTurn } from './tool-turn';
import { structuredReply, wantsStructured } from './structured';

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

/** Kinds that make sense for /api/embed (no token stream there). */
const EMBED_FAILURE_KINDS: readonly FailureKind[] = ['http', 'midstream-error', 'drop', 'stall'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

  /** Finds the requested model or answers 400/404 like Ollama. */
  const resolveModel = (res: ServerResponse, name: unknown): FakeModel | undefined => {
    if (typeof name !== 'string' || name === '') {
      sendError(res, 400, 'model is required');
      return undefined;
    }
    const model = findModel(behaviour, name);
    if (!model) sendError(res, 404, `model "${name}" not found, try pulling it first`);
    return model;
  };

  // ---------------------------------------------------------------- handlers

  const handleGenerative = async (
    endpoint: 'chat' | 'generate',
    raw: string,
    res: ServerResponse,
    signal: AbortSignal,
    startNs: bigint,
  ): Promise<void> => {
    const decoded = decodeRequest(raw, endpoint === 'chat' ? 'ChatRequest' : 'GenerateRequest', ['model', 'prompt', 'system']);
    if (!decoded.ok) return sendError(res, decoded.status, decoded.error);
    const body = decoded.value;
    const model = resolveModel(res, body.model);
    if (!model) return;
    const modelName = body.model as string;
    if (model.embedding) return sendError(res, 400, `"${modelName}" does not support ${endpoint}`);
    const messages = body.messages ?? [];
    if (endpoint === 'chat' && !Array.isArray(messages)) {
      return sendError(res, 400, `json: cannot unmarshal ${typeof messages} into Go struct field ChatRequest.messages of type []api.Message`);
    }
    const messageList = (Array.isArray(messages) ? messages : []).filter(isRecord);
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    const system = typeof body.system === 'string' ? body.system : '';

    // Ollama refuses tools for a model without the capability (400, before loading it).
    if (endpoint === 'chat' && Array.isArray(body.tools) && body.tools.length > 0 && !capabilities(model).includes('tools')) {
      return sendError(res, 400, `registry.ollama.ai/library/${displayName(model)} does not support tools`);
    }
    const mb = behaviourForModel(behaviour, modelName);
    const failure = takeFailure(modelName, endpoint);
    if (failure?.kind === 'http') return sendError(res, failure.status, failure.message ?? defaultHttpMessage(failure.status));

    const options = isRecord(body.options) ? body.options : {};
    const keepAliveMs = parseKeepAlive(body.keep_alive) ?? behaviour.keepAliveMs;
    const contextLength = allocatedContext(behaviour, model, options.num_ctx, behaviour.numCtx);

    // An empty request only loads (or with keep_alive 0 unloads) the model.
    const empty = endpoint === 'chat' ? messageList.length === 0 : prompt === '' && !Array.isArray(body.images);
    if (empty) {
      if (keepAliveMs === 0) {
        loaded.unload(model);
        return sendJson(res, 200, emptyAnswer(endpoint, modelName, 'unload'));
      }
      if (!(await loaded.acquire(model, contextLength, mb.loadMs, keepAliveMs, signal))) return;
      loaded.release(model, keepAliveMs);
      return sendJson(res, 200, emptyAnswer(endpoint, modelName, 'load'));
    }

    if (!(await loaded.acquire(model, contextLength, mb.loadMs, keepAliveMs, signal))) return;
    try {
      const loadNs = elapsedNs(startNs);
      const previousContext = Array.isArray(body.context) ? body.context.filter((n): n is number => typeof n === 'number') : [];
      const promptTokens =
        endpoint === 'chat'
          ? countMessageTokens(messageList)
          : previousContext.length + countTokens(system) + countTokens(prompt);

      const withTools = endpoint === 'chat' && Array.isArray(body.tools) && body.tools.length > 0;
      const numPredict = typeof options.num_predict === 'number' ? options.num_predict : -1;
      const turn = endpoint === 'chat' ? toolTurn(messageList) : { rounds: 0, results: [], lastResults: [] };
      // A round of tool calls streams only the calls; the round after answers from the results.
      // A gullible model follows an instruction in the last tool results, round limit or not.
      const obeyed = withTools && mb.obeysToolResults ? instructedCall(turn.lastResults) : null;
      const calls = obeyed ? [obeyed] : withTools && turn.rounds < mb.toolRounds ? mb.toolCalls : [];
      const callsTools = calls.length > 0;
      const reply = callsTools
        ? listSequence([])
        : wantsStructured(body.format)
          ? listSequence(splitIntoTokens(structuredReply(body.format, mb.structured)))
          : turn.results.length > 0
            ? listSequence(splitIntoTokens(answerFromTools(turn.results)))
            : replySequence(mb);
      const { events, cut } = buildEvents(
        body.think === false ? listSequence([]) : thinkingSequence(mb),
        reply,
        calls,
        numPredict,
      );
      const plan: GenerationPlan = {
        endpoint,
        model: modelName,
        stream: body.stream !== false,
        behaviour: mb,
        failure,
        events,
        doneReason: cut ? 'length' : 'stop',
        promptEvalCount: Math.min(promptTokens, contextLength),
        startNs,
        loadNs,
        contextLimit: contextLength,
        ...(endpoint === 'generate' && body.raw !== true
          ? { contextPrefix: [...previousContext, ...fakeTokenIds(`${system} ${prompt}`)] }
          : {}),
      };
      await runGeneration(plan, res, signal);
    } finally {
      loaded.release(model, keepAliveMs);
    }
  };

  const handleEmbed = async (legacy: boolean, raw: string, res: ServerResponse, signal: AbortSignal, startNs: bigint): Promise<void> => {
    const decoded = decodeRequest(raw, legacy ? 'EmbeddingRequest' : 'EmbedRequest', legacy ? ['model', 'prompt'] : ['model']);
    if (!decoded.ok) return sendError(res, decoded.status, decoded.error);
    const body = decoded.value;
    const model = resolveModel(res, body.model);
    if (!model) return;
    const modelName = body.model as string;

    let inputs: string[];
    if (legacy) {
      inputs = typeof body.prompt === 'string' && body.prompt !== '' ? [body.prompt] : [];
      if (inputs.length === 0) return sendJson(res, 200, { embedding: [] });
    } else {
      const input = body.input;
      if (input === undefined || input === null) inputs = [];
      else if (typeof input === 'string') inputs = input === '' ? [] : [input];
      else if (Array.isArray(input) && input.every((s) => typeof s === 'string')) inputs = input as string[];
      else return sendError(res, 400, 'invalid input type');
      if (inputs.length === 0) return sendJson(res, 200, { model: modelName, embeddings: [] });
    }

    const mb = behaviourForModel(behaviour, modelName);
    const failure = takeFailure(modelName, 'embed', EMBED_FAILURE_KINDS);
    if (failure?.kind === 'http') return sendError(res, failure.status, failure.message ?? defaultHttpMessage(failure.status));
    const options = isRecord(body.options) ? body.options : {};
    const keepAliveMs = parseKeepAlive(body.keep_alive) ?? behaviour.keepAliveMs;
    const contextLength = allocatedContext(behaviour, model, options.num_ctx, behaviour.numCtx);

    if (!(await loaded.acquire(model, contextLength, mb.loadMs, keepAliveMs, signal))) return;
    try {
      const loadNs = elapsedNs(startNs);
      let promptEvalCount = 0;
      const texts: string[] = [];
      for (const text of inputs) {
        const count = countTokens(text);
        if (count > contextLength) {
          if (body.truncate === false) return sendError(res, 400, 'input length exceeds maximum context length');
          texts.push(truncateToTokens(text, contextLength));
          promptEvalCount += contextLength;
        } else {
          texts.push(text);
          promptEvalCount += count;
        }
      }
      if (!(await sleep(mb.promptEvalMs, signal))) return;
      if (failure) {
        if (failure.kind === 'midstream-error') return sendError(res, 500, failure.message ?? 'failed to generate embedding');
        if (failure.kind === 'drop') {
          res.socket?.destroy();
          return;
        }
        if (failure.kind === 'stall') {
          await untilAborted(signal);
          return;
        }
      }
      const dims = embeddingLength(model);
      const requestedDims = typeof body.dimensions === 'number' ? body.dimensions : undefined;
      const embeddings: number[][] = [];
      for (const text of texts) {
        const vector = await embedder({ text, model: modelName, dimensions: dims });
        if (vector.length !== dims || vector.some((x) => !Number.isFinite(x))) {
          return sendError(res, 500, `embedder returned ${vector.length} values, expected ${dims} finite numbers`);
        }
        embeddings.push(legacy ? vector : truncateDimensions(vector, requestedDims));
      }
      if (legacy) return sendJson(res, 200, { embedding: embeddings[0] ?? [] });
      return sendJson(res, 200, {
        model: modelName,
        embeddings,
        total_duration: elapsedNs(startNs),
        load_duration: loadNs,
        prompt_eval_count: promptEvalCount,
      });
    } finally {
      loaded.release(model, keepAliveMs);
    }
  };

  const handleShow = (raw: string, res: ServerResponse): void => {
    const decoded = decodeRequest(raw, 'ShowRequest', ['model', 'name']);
    if (!decoded.ok) return sendError(res, decoded.status, decoded.error);
    const name = decoded.value.model || decoded.value.name;
    const model = resolveModel(res, name);
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
          return handleGenerative('chat', raw, res, signal, startNs);
        case '/api/generate':
          return handleGenerative('generate', raw, res, signal, startNs);
        case '/api/embed':
          return handleEmbed(false, raw, res, signal, startNs);
        case '/api/embeddings':
          return handleEmbed(true, raw, res, signal, startNs);
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

function emptyAnswer(endpoint: 'chat' | 'generate', model: string, reason: 'load' | 'unload'): unknown {
  const created_at = nowRfc3339();
  if (endpoint === 'generate') return { model, created_at, response: '', done: true, done_reason: reason };
  return { model, created_at, message: { role: 'assistant', content: '' }, done_reason: reason, done: true };
}

/** The prefix of `text` holding its first `limit` tokens (as countTokens counts them). */
function truncateToTokens(text: string, limit: number): string {
  const re = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
  let end = 0;
  for (let i = 0; i < limit; i++) {
    const match = re.exec(text);
    if (!match) return text;
    end = match.index + match[0].length;
  }
  return text.slice(0, end);
}
