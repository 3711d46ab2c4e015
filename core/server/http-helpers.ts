import type { IncomingMessage, ServerResponse } from 'node:http';
import { BrunoError, toErrorInfo, type ErrorInfo } from '../common/errors';

const maxBodyBytes = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function statusForError(info: ErrorInfo): number {
  switch (info.code) {
    case 'invalid_request':
      return 400;
    case 'unauthorized':
      return 401;
    case 'unknown_channel':
    case 'not_found':
      return 404;
    default:
      return 500;
  }
}

export function sendError(res: ServerResponse, err: unknown): void {
  const info = toErrorInfo(err);
  sendJson(res, statusForError(info), { error: info });
}

/** Reads a JSON body with a size cap; a bad body is a 400 with the reason, never a crash. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new BrunoError('invalid_request', `Request body is larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BrunoError('invalid_request', `Request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Starts an NDJSON response and returns a writer that reports whether the client still listens. */
export function startNdjson(res: ServerResponse) {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  return (value: unknown): boolean => {
    if (res.destroyed || res.writableEnded) return false;
    res.write(JSON.stringify(value) + '\n');
    return true;
  };
}
