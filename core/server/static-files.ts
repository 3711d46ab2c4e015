import { constants, createReadStream } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { rendererCsp } from '../common/security';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export const securityHeaders = {
  'content-security-policy': rendererCsp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

const isInside = (root: string, path: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Opens a file of the UI folder, or null. Containment is checked on the real path (a symlink in
 * the folder that points outside it is refused), and the size comes from the open handle, so a
 * file replaced or removed after the check is never read in part.
 */
async function openInside(realRoot: string, path: string): Promise<{ handle: FileHandle; size: number; path: string } | null> {
  const real = await realpath(path).catch(() => null);
  if (!real || !isInside(realRoot, real)) return null;
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, holding a thread
  // of libuv's small pool for good; regular files ignore the flag.
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
  if (!handle) return null;
  const info = await handle.stat().catch(() => null);
  if (!info?.isFile()) {
    await handle.close().catch(() => {});
    return null;
  }
  return { handle, size: info.size, path: real };
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/**
 * Serves the built renderer; unknown paths get index.html; nothing outside `root` is reachable.
 * The root's real path is resolved once it exists (not on every request); until the UI is built
 * each request says so.
 */
export function createStaticFiles(root: string): (urlPath: string, res: ServerResponse) => Promise<void> {
  let realRoot: string | null = null;
  return async (urlPath, res) => {
    realRoot ??= await realpath(root).catch(() => null);
    return serveStatic(root, realRoot ?? root, urlPath, res);
  };
}

async function serveStatic(root: string, realRoot: string, urlPath: string, res: ServerResponse): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return plain(res, 400, 'The path has a malformed percent-encoding.');
  }
  const candidate = normalize(join(root, decoded));
  const file = (isInside(root, candidate) ? await openInside(realRoot, candidate) : null) ?? (await openInside(realRoot, join(root, 'index.html')));
  if (!file) {
    return plain(res, 503, `The UI is not built (${root} has no index.html). Run \`npm run build\`; the API under /api/v1 works without it.`);
  }
  const immutable = file.path.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': contentTypes[extname(file.path)] ?? 'application/octet-stream',
    'content-length': file.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  const stream = createReadStream('', { fd: file.handle, autoClose: true });
  // A read that fails after the headers went out can only end the response; it must never
  // become an unhandled 'error' event (which ends the process).
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
