/**
 * Where a chat turn's TTFT goes (rag-chat-ttft.ts), measured from outside the core so the code
 * path is the app's own: the turn's retrieval (kb.retrieve wrapped on the core's knowledge base,
 * which the turn calls through), its query embedding (the one-text /api/embed whose text is the
 * turn's message) and the chat request, both seen by a wrapper of http.request (the core posts
 * both over node:http), and the main thread's event loop delay while the turn prepares. Install
 * before the core is created.
 */
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Core } from '../../core/runtime';

export interface TurnParts {
  /** Turn start to the end of its retrieval. */
  retrievalEndMs: number;
  /** The query's /api/embed request, sent to answered. */
  embedMs: number;
  /** The retrieval minus its query embedding (the store's part, and the event loop's). */
  storeMs: number;
  /** Of the embed: time the server reports (total_duration); the rest is queueing and transport. */
  embedServerMs: number;
  /** Job embed requests in flight when the query's was sent, and sent while it was pending. */
  jobInFlightAtSend: number;
  jobSentDuring: number;
  /** Retrieval end to the chat request on the wire. */
  toChatMs: number;
  /** The chat request on the wire to the first token (TTFT minus the above). */
  chatToFirstMs: number;
  /** Event loop delay of this process during the turn's preparation: max and mean (ms). */
  loopMaxMs: number;
  loopMeanMs: number;
}

export function installTurnProbes() {
  let message: string | null = null;
  let turnStart = 0;
  let embedSent = 0;
  let embedDone = 0;
  let embedServerMs = 0;
  let chatSent = 0;
  let jobInFlight = 0;
  let atSend = 0;
  let sentDuring = 0;
  let queryPending = false;
  /** The job's embed requests (texts, sent to answered): `takeJobRequests()` empties it. */
  let jobRequests: { texts: number; ms: number }[] = [];
  // The embed and chat requests go over node:http (core/llm/http-post.ts, http-chat-transport.ts):
  // http.request is wrapped (and the ESM bindings of node:http synced, so the core's
  // `import { request }` sees the wrapper), and each embed request's body read from `end(payload)`.
  const base = http.request;
  const wrapped = function (this: unknown, ...args: Parameters<typeof http.request>) {
    const req = base.apply(this, args);
    const end = req.end;
    req.end = function (this: ClientRequest, ...endArgs: unknown[]) {
      if (req.path === '/api/embed' || req.path === '/v1/embeddings') watchEmbed(req, typeof endArgs[0] === 'string' ? endArgs[0] : '');
      else if (req.path === '/api/chat' && message !== null && chatSent === 0) chatSent = performance.now();
      return (end as (...a: unknown[]) => ClientRequest).apply(this, endArgs);
    } as typeof req.end;
    return req;
  };
  http.request = wrapped as typeof http.request;
  syncBuiltinESMExports();

  /** Times one embed request; the query's (one text, the turn's message) also gives the fake's total_duration. */
  function watchEmbed(req: ClientRequest, payload: string): void {
    let texts: string[] = [];
    try {
      const input = (JSON.parse(payload) as { input?: unknown }).input;
      texts = Array.isArray(input) ? (input as string[]) : [String(input)];
    } catch {
      return;
    }
    const isQuery = message !== null && texts.length === 1 && texts[0] === message;
    const sent = performance.now();
    if (!isQuery) {
      jobInFlight++;
      if (queryPending) sentDuring++;
      let counted = false;
      const done = () => {
        if (counted) return;
        counted = true;
        jobInFlight--;
        jobRequests.push({ texts: texts.length, ms: performance.now() - sent });
      };
      req.once('response', (res: IncomingMessage) => res.once('end', done));
      req.once('close', done);
      return;
    }
    embedSent = sent;
    atSend = jobInFlight;
    sentDuring = 0;
    queryPending = true;
    req.once('response', (res: IncomingMessage) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.once('end', () => {
        embedDone = performance.now();
        queryPending = false;
        try {
          embedServerMs = ((JSON.parse(Buffer.concat(parts).toString()) as { total_duration?: number }).total_duration ?? 0) / 1e6;
        } catch {
          embedServerMs = NaN;
        }
      });
    });
  }
  const loop = monitorEventLoopDelay({ resolution: 1 });

  return {
    takeJobRequests() {
      const taken = jobRequests;
      jobRequests = [];
      return taken;
    },
    /** Wraps the knowledge base's retrieve (after the core is made). */
    attach(core: Core) {
      const retrieve = core.knowledge.retrieve.bind(core.knowledge);
      let retrievalEnd = 0;
      core.knowledge.retrieve = async (q, o) => {
        try {
          return await retrieve(q, o);
        } finally {
          retrievalEnd = performance.now();
        }
      };
      return {
        /** Call right before the turn starts. */
        begin(msg: string) {
          message = msg;
          turnStart = performance.now();
          chatSent = 0;
          embedSent = embedDone = 0;
          retrievalEnd = 0;
          loop.reset();
          loop.enable();
        },
        /** After the turn, with its TTFT (ms). */
        end(ttftMs: number): TurnParts | null {
          loop.disable();
          message = null;
          if (!chatSent || !embedDone || !retrievalEnd) return null;
          const retrievalMs = retrievalEnd - turnStart;
          return {
            retrievalEndMs: retrievalMs,
            embedMs: embedDone - embedSent,
            storeMs: retrievalEnd - turnStart - (embedDone - embedSent),
            embedServerMs,
            jobInFlightAtSend: atSend,
            jobSentDuring: sentDuring,
            toChatMs: chatSent - retrievalEnd,
            chatToFirstMs: ttftMs - (chatSent - turnStart),
            loopMaxMs: loop.max / 1e6,
            loopMeanMs: loop.mean / 1e6,
          };
        },
      };
    },
  };
}
