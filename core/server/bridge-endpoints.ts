import type { IncomingMessage, ServerResponse } from 'node:http';
import { invokeMethod, type ContractHandlers } from '../common/contract';
import type { EventHub } from '../common/emitter';
import { BrunoError, toErrorInfo } from '../common/errors';
import type { EventLine, InvokeEnvelope } from '../common/http-api';
import { ForbiddenKeyError } from '../common/hostile-keys';
import type { TraceCarrier } from '../common/telemetry';
import { readJsonBody, sendJson, startNdjson, statusForError } from './http-helpers';

/** Aborted when the client hangs up before the answer is sent (a search it no longer waits for). */
function requestSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new BrunoError('cancelled', 'The client closed the request'));
  });
  req.once('aborted', () => controller.abort(new BrunoError('cancelled', 'The client closed the request')));
  return controller.signal;
}

export interface InvokeOptions {
  /** The request's server span as W3C fields: a method that starts work (chat.send) joins it. */
  trace?: TraceCarrier | undefined;
  /** Told when the input had a key that reaches a prototype (the transport audits it). */
  onForbiddenKey?: (err: ForbiddenKeyError) => void;
}

/** `POST /api/v1/invoke/<channel>`: the contract over HTTP, answered with an envelope. */
export async function handleInvoke(req: IncomingMessage, res: ServerResponse, channel: string, handlers: ContractHandlers, options: InvokeOptions = {}): Promise<void> {
  // A body that cannot be read (not JSON, too large, too deep) is the request's fault, not the
  // method's: a 400, still in the envelope shape the bridge reads.
  let input: unknown;
  try {
    input = await readJsonBody(req, res);
  } catch (err) {
    const error = toErrorInfo(err);
    return sendJson(res, statusForError(error), { ok: false, error } satisfies InvokeEnvelope<unknown>);
  }
  let envelope: InvokeEnvelope<unknown>;
  try {
    envelope = { ok: true, result: await invokeMethod(handlers, channel, input, { signal: requestSignal(req, res), origin: 'http', ...(options.trace ? { trace: options.trace } : {}) }) };
  } catch (err) {
    if (err instanceof ForbiddenKeyError) options.onForbiddenKey?.(err);
    envelope = { ok: false, error: toErrorInfo(err) };
  }
  sendJson(res, 200, envelope);
}

/** A slow reader that falls this far behind is dropped; the bridge reconnects. */
const maxBufferedBytes = 8 * 1024 * 1024;

/** `GET /api/v1/events`: every core event as NDJSON lines, with a ping to keep it open. */
export function handleEvents(res: ServerResponse, events: EventHub, pingMs = 15_000): void {
  const write = startNdjson(res);
  let pings = 0;
  const send = (line: EventLine) => {
    if (res.writableLength > maxBufferedBytes) return res.destroy();
    write(line);
  };
  const unsubscribe = events.onAny((channel, payload) => send({ channel, payload }));
  const timer = setInterval(() => send({ ping: ++pings }), pingMs);
  send({ ping: 0 });
  res.on('close', () => {
    clearInterval(timer);
    unsubscribe();
  });
}
