/**
 * Where the renderer comes from, and the test that a frame URL is that renderer. IPC senders and
 * navigations are judged by it, so it is deliberately strict: one directory of built files, or
 * one dev-server origin.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type RendererSource =
  /** Built files: `indexFile` inside `dir` (out/renderer). */
  | { kind: 'file'; dir: string; indexFile: string }
  /** electron-vite's dev server (`ELECTRON_RENDERER_URL`), development only. */
  | { kind: 'dev'; url: string; origin: string };

/**
 * Dev server when electron-vite says so and the app is not packaged (an environment variable must
 * not be able to point a packaged app at a remote page); otherwise the built renderer next to
 * the main bundle (`<out>/main` -> `<out>/renderer`).
 */
export function resolveRendererSource(opts: {
  devUrl: string | undefined;
  isPackaged: boolean;
  mainDir: string;
}): RendererSource {
  if (opts.devUrl && !opts.isPackaged) {
    const url = new URL(opts.devUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`ELECTRON_RENDERER_URL must be an http(s) URL, got '${opts.devUrl}'`);
    }
    return { kind: 'dev', url: url.href, origin: url.origin };
  }
  const dir = resolve(opts.mainDir, '../renderer');
  return { kind: 'file', dir, indexFile: join(dir, 'index.html') };
}

/** True when `frameUrl` is a page of the app's own renderer (hash and query ignored). */
export function isAppRendererUrl(frameUrl: string | undefined | null, source: RendererSource): boolean {
  if (typeof frameUrl !== 'string' || frameUrl === '') return false;
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (source.kind === 'dev') {
    return url.origin !== 'null' && url.origin === source.origin;
  }
  // file:// only, no host (a UNC share `file://server/...` is somebody else's file).
  if (url.protocol !== 'file:' || url.host !== '') return false;
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return false;
  }
  const rel = relative(source.dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
