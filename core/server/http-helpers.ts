import type { IncomingMessage, ServerResponse } from 'node:http';
import { BrunoError, toErrorInfo, type ErrorInfo } from '../common/errors';

const maxBodyBytes = 1024 * 1024;
/** No method takes input nested deeper; deeper bodies would only exhaust the validator's stack. */
export const maxJsonDepth = 64;

/**
 * The nesting depth of a parsed JSON value, up to `limit + 1` (iterative: a 100k-deep body must
 * not overflow the stack of the check meant to refuse it).
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The path of a request target, or null for one that is no URL (`//[`): such a request is refused. */
export function pathOf(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://x').pathname;
  } catch {
    return null;
  }
}

/** `decodeURIComponent` that answers a malformed escape (`%E0%A4%A`) with a 400, not a 500. */
export function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BrunoError('invalid_request', `The path has a malformed percent-encoding: ${part.slice(0, 100)}`);
  }
}

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
    case 'conflict':
      return 409;
    default:
      return 500;
  }
}

export function sendError(res: ServerResponse, err: unknown): void {
  const info = toErrorInfo(err);
  sendJson(res, statusForError(info), { error: info });
}

/** Reads a JSON body with a size cap; a bad body is a 400 with the reason, never a crash. */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      // The rest of the body is not read: the connection cannot carry another request after the
      // answer, and a client that reused it would see a reset.
      res.setHeader('connection', 'close');
      throw new BrunoError('invalid_request', `Request body is larger than ${maxBodyBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BrunoError('invalid_request', `Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (jsonDepthExceeds(value, maxJsonDepth)) throw new BrunoError('invalid_request', `Request body is nested deeper than ${maxJsonDepth} levels`);
  return value;
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
