/**
 * Where a chat turn's TTFT goes (rag-chat-ttft.ts), measured from outside the core so the code
 * path is the app's own: the turn's retrieval (kb.retrieve wrapped on the core's knowledge base,
 * which the turn calls through), its query embedding (the one-text /api/embed whose text is the
 * turn's message, seen by a wrapper of globalThis.fetch, which ollama-js uses), the chat request
 * (node:http's `http.client.request.start` channel: the chat goes over node:http, not fetch) and
 * the main thread's event loop delay while the turn prepares. Install before the core is created.
 */
import { subscribe } from 'node:diagnostics_channel';
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
  const base = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith('/api/embed') || typeof init?.body !== 'string') return base(input, init);
    const texts = (JSON.parse(init.body) as { input: string[] }).input;
    const isQuery = message !== null && texts.length === 1 && texts[0] === message;
    if (!isQuery) {
      jobInFlight++;
      if (queryPending) sentDuring++;
      const sent = performance.now();
      try {
        return await base(input, init);
      } finally {
        jobInFlight--;
        jobRequests.push({ texts: texts.length, ms: performance.now() - sent });
      }
    }
    embedSent = performance.now();
    atSend = jobInFlight;
    sentDuring = 0;
    queryPending = true;
    const res = await base(input, init);
    const body = (await res.clone().json()) as { total_duration?: number };
    embedDone = performance.now();
    queryPending = false;
    embedServerMs = (body.total_duration ?? 0) / 1e6;
    return res;
  };
  subscribe('http.client.request.start', (m) => {
    const { request } = m as { request: { path: string } };
    if (request.path === '/api/chat' && message !== null && chatSent === 0) chatSent = performance.now();
  });
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
