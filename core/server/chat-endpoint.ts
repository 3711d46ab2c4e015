import type { IncomingMessage, ServerResponse } from 'node:http';
import { chatSendInput } from '../common/contract';
import { BrunoError } from '../common/errors';
import { refuseForbiddenKeys } from '../common/hostile-keys';
import type { TraceCarrier } from '../common/telemetry';
import type { Agent } from '../agent';
import { createEventBatcher } from '../agent';
import { readJsonBody, startNdjson } from './http-helpers';

/**
 * `POST /api/v1/chat`: the public, documented endpoint. Body `{message, conversationId?, model?}`;
 * answer `application/x-ndjson`: `{"type":"token","text"}`..., then one `done` or `error` line.
 * A client that hangs up stops the turn, so an abandoned request does not keep Ollama busy.
 */
export async function handleChat(req: IncomingMessage, res: ServerResponse, agent: Agent, trace?: TraceCarrier): Promise<void> {
  const body = await readJsonBody(req, res);
  refuseForbiddenKeys(body, 'Invalid chat request');
  const parsed = chatSendInput.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new BrunoError('invalid_request', `Invalid chat request: ${fields}. Expected {"message": "...", "conversationId"?: "...", "model"?: "..."}`);
  }
  // A taken turn id is answered before any header: once the 200 is out, only a reset could say it.
  if (parsed.data.turnId && agent.isRunning(parsed.data.turnId)) {
    throw new BrunoError('conflict', `Turn ${parsed.data.turnId} is already running: wait for its end or stop it, or send without a turnId`);
  }
  const write = startNdjson(res);
  const batcher = createEventBatcher((events) => {
    for (const event of events) write(event);
  });
  // The turn's root span is a child of this request's server span (and so of the caller's trace).
  const turn = agent.startTurn({ ...parsed.data, ...(trace ? { trace } : {}) }, (event) => batcher.push(event));
  const onClose = () => {
    if (!res.writableEnded) agent.stop(turn.turnId);
  };
  res.on('close', onClose);
  await turn.finished;
  batcher.drain();
  res.off('close', onClose);
  res.end();
}
