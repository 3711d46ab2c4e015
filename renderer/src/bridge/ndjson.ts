/**
 * The wire handling of the headless transport, kept free of I/O so it can be tested with plain
 * strings and fake Responses: NDJSON line splitting, event-line validation, invoke envelopes.
 */
import type { EventLine } from '../../../core/common';
import { BridgeError, UNAUTHORIZED_HINT } from './errors';

export interface LineSplitter {
  /** Feeds decoded text; calls onLine for every complete, non-blank line. */
  push(chunk: string): void;
  /** The stream ended: a last line without a trailing newline still counts. */
  end(): void;
}

export function createLineSplitter(onLine: (line: string) => void): LineSplitter {
  let buffer = '';
  const emit = (raw: string) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() !== '') onLine(line);
  };
  return {
    push(chunk) {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        emit(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    },
    end() {
      const rest = buffer;
      buffer = '';
      emit(rest);
    },
  };
}

/** Parses one NDJSON line; returns null for anything that is not an EventLine (never throws). */
export function parseEventLine(line: string): EventLine | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.ping === 'number') return { ping: record.ping };
  if (typeof record.channel === 'string' && 'payload' in record) {
    return { channel: record.channel, payload: record.payload };
  }
  return null;
}

function errorFrom(value: unknown): { code: string; message: string } | null {
  if (!value || typeof value !== 'object') return null;
  const { code, message } = value as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && typeof message === 'string') return { code, message };
  return null;
}

/**
 * Reads the answer of `POST /api/v1/invoke/<channel>`: the result of an `{ok:true}` envelope,
 * else a BridgeError carrying the core's code and message. A 401 always says how to get the token.
 */
export async function readInvokeResponse<T>(response: Response, channel: string): Promise<T> {
  if (response.status === 401) throw new BridgeError('unauthorized', UNAUTHORIZED_HINT, 401);
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return unwrapEnvelope<T>(body, channel, response.status);
}

/**
 * The result of an invoke envelope, from HTTP or from the Electron preload (which resolves with
 * envelopes because contextBridge would strip the code off a rejected Error).
 */
export function unwrapEnvelope<T>(body: unknown, channel: string, status?: number): T {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (record.ok === true && 'result' in record) return record.result as T;
    const error = errorFrom(record.error);
    if (error) throw new BridgeError(error.code, error.message, status);
  }
  const how = status === undefined ? 'over IPC' : `with HTTP ${status}`;
  throw new BridgeError('transport', `Agent Bruno answered ${channel} ${how} and no readable result`, status);
}
