import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function generateApiToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison of the bearer token (hashing first makes lengths equal). */
export function hasValidBearer(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) return false;
  const given = createHash('sha256').update(match[1].trim()).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}

export const unauthorizedMessage =
  'Missing or wrong bearer token - send "Authorization: Bearer <token>" with the token printed by `agent-bruno serve` (or set BRUNO_API_TOKEN).';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * When the server listens on loopback only, a page on another site can still reach it through
 * DNS rebinding; refusing foreign Host headers closes that door.
 */
export function isAllowedHost(req: IncomingMessage, boundHost: string): boolean {
  if (!loopbackHosts.has(boundHost) && boundHost !== '::1') return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  return loopbackHosts.has(host);
}
