/**
 * HTTP plumbing shared by the endpoints: reading and decoding request bodies
 * the way Ollama's Go server reports problems, writing JSON answers with
 * Gin's headers, and an NDJSON writer that honours socket backpressure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Gin's c.JSON: `application/json; charset=utf-8`, compact JSON, no trailing newline. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

export function sendText(res: ServerResponse, status: number, text: string, headOnly = false): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(headOnly ? undefined : text);
}

export type DecodeResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; status: number; error: string };

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // string | number | object
}

/**
 * Decodes a JSON request body like Ollama's `c.ShouldBindJSON(&req)`:
 * empty body -> "missing request body"; syntax errors -> Go's encoding/json
 * style messages; a non-object -> "json: cannot unmarshal array into Go value
 * of type api.ChatRequest"; wrongly typed string fields likewise. All 400.
 */
export function decodeRequest(raw: string, goType: string, stringFields: readonly string[] = ['model']): DecodeResult {
  if (raw.trim() === '') return { ok: false, status: 400, error: 'missing request body' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, status: 400, error: goSyntaxError(raw) };
  }
  if (value === null) return { ok: true, value: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, status: 400, error: `json: cannot unmarshal ${goTypeName(value)} into Go value of type api.${goType}` };
  }
  const record = value as Record<string, unknown>;
  for (const field of stringFields) {
    const v = record[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return {
        ok: false,
        status: 400,
        error: `json: cannot unmarshal ${goTypeName(v)} into Go struct field ${goType}.${field} of type string`,
      };
    }
  }
  return { ok: true, value: record };
}

/**
 * An approximation of Go's encoding/json syntax error text for `raw`, built
 * from where V8's JSON.parse gave up ("invalid character 'x' looking for
 * beginning of value", "... after top-level value", "unexpected EOF").
 */
function goSyntaxError(raw: string): string {
  const first = raw.trimStart()[0] ?? '';
  if (!'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
  let message = '';
  try {
    JSON.parse(raw);
  } catch (err) {
    message = err instanceof Error ? err.message : '';
  }
  if (/end of JSON input|Unterminated/i.test(message)) return 'unexpected EOF';
  const position = /position (\d+)/.exec(message);
  const token = /Unexpected token '(.)'/.exec(message);
  const ch = position ? raw[Number(position[1])] : token?.[1];
  if (ch === undefined) return 'unexpected EOF';
  if (/after JSON/.test(message)) return `invalid character '${ch}' after top-level value`;
  if (/property name/.test(message)) return `invalid character '${ch}' looking for beginning of object key string`;
  return `invalid character '${ch}' looking for beginning of value`;
}

/**
 * Writes NDJSON lines. Headers go out with the first line (as with Ollama,
 * whose status and headers reach the client only with the first chunk).
 * `write` resolves after the data was accepted, waiting for 'drain' when the
 * socket buffer is full; it resolves false when the response closed.
 */
export class NdjsonWriter {
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly closed: Promise<void>;

  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
  ) {
    this.closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  }

  get started(): boolean {
    return this.res.headersSent;
  }

  /** Sends status and headers now, before any line (used when stalling at 0 tokens). */
  flushHeaders(): void {
    this.ensureHeaders();
    this.res.flushHeaders();
  }

  /** Writes objects, one JSON line each, in one socket write. */
  writeObjects(objects: readonly unknown[]): Promise<boolean> {
    return this.writeRaw(objects.map((o) => `${JSON.stringify(o)}\n`).join(''));
  }

  async writeRaw(text: string): Promise<boolean> {
    if (this.signal.aborted || this.res.destroyed) return false;
    this.ensureHeaders();
    let accepted = false;
    const written = new Promise<void>((resolve) => {
      accepted = this.res.write(text, () => resolve());
    });
    // If the socket dies the write callback may never run: do not wait for it forever.
    this.lastWrite = Promise.race([written, this.closed]);
    if (accepted) return true;
    return new Promise<boolean>((resolve) => {
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const done = (ok: boolean): void => {
        this.res.off('drain', onDrain);
        this.res.off('close', onClose);
        this.signal.removeEventListener('abort', onClose);
        resolve(ok);
      };
      this.res.on('drain', onDrain);
      this.res.on('close', onClose);
      this.signal.addEventListener('abort', onClose, { once: true });
    });
  }

  /** Resolves once everything written so far has been handed to the OS. */
  flushed(): Promise<void> {
    return this.lastWrite;
  }

  end(): void {
    if (this.res.destroyed) return;
    this.ensureHeaders();
    this.res.end();
  }

  private ensureHeaders(): void {
    if (this.res.headersSent) return;
    this.res.statusCode = 200;
    this.res.setHeader('Content-Type', 'application/x-ndjson');
  }
}
