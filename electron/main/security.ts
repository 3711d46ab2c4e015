/**
 * The window's defences, as plain functions over the small parts of Electron they touch:
 * CSP on every response, every permission denied, no navigation away from the app, no new
 * windows, and external links opened in the system browser only for allow-listed origins.
 */
import { rendererCsp } from '../../core/common/security';
import type { Log } from './log';

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy

export interface HeadersReceivedDetailsLike {
  responseHeaders?: Record<string, string[]>;
}
export interface HeadersReceivedResponseLike {
  responseHeaders?: Record<string, string | string[]>;
}
export interface SessionLike {
  webRequest: {
    onHeadersReceived(
      listener: (details: HeadersReceivedDetailsLike, callback: (response: HeadersReceivedResponseLike) => void) => void,
    ): void;
  };
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/**
 * Headers of a response with the app's CSP added. Other headers are kept as they are, and so is
 * a CSP the server already sent: several policies are all enforced, so adding ours can only
 * tighten. (A `file://` page gets no response headers in Electron; its CSP comes from the
 * page's `<meta http-equiv>`.)
 */
export function withCsp(headers: Record<string, string[]> | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const policies: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') policies.push(...value);
    else out[name] = value;
  }
  out['Content-Security-Policy'] = [...policies, csp];
  return out;
}

/**
 * The policy in development: the dev server's React Refresh preamble is an inline script and
 * Vite injects CSS as inline `<style>`, so those two directives allow inline. Never used for a
 * packaged app.
 */
export function devRendererCsp(csp: string = rendererCsp): string {
  return csp
    .split(';')
    .map((directive) => directive.trim())
    .map((directive) =>
      directive.startsWith('script-src ') || directive.startsWith('style-src ') ? `${directive} 'unsafe-inline'` : directive,
    )
    .join('; ');
}

export interface SessionSecurityOptions {
  csp: string;
  log: Log;
}

/** CSP on every response and every permission refused (requests and synchronous checks). */
export function applySessionSecurity(session: SessionLike, { csp, log }: SessionSecurityOptions): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) });
  });
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    log('security: denied a permission request', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

// ---------------------------------------------------------------------------------------------
// Navigation and new windows

export interface NavigationEventLike {
  readonly url: string;
  preventDefault(): void;
}
export interface GuardedWebContentsLike {
  on(event: 'will-navigate', listener: (event: NavigationEventLike) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface WindowGuardOptions {
  /** Origins (e.g. `http://grafana.local:3000`) whose links may open in the system browser, as configured now. */
  allowedExternalOrigins: () => readonly string[];
  openExternal: (url: string) => Promise<void>;
  log: Log;
  /** A refused link, for the audit log (the URL as `describeForLog` shows it: no query, no credentials). */
  onRefused?: (url: string, reason: string) => void;
}

/**
 * The app is one page: any navigation of the top frame is stopped (reloads and in-page hash
 * changes are not navigations here), and `window.open` / `target=_blank` never opens a window.
 * A link to an http(s) URL is handed to `openExternalIfAllowed` instead.
 */
export function guardWindow(webContents: GuardedWebContentsLike, { allowedExternalOrigins, openExternal, log, onRefused }: WindowGuardOptions): void {
  webContents.on('will-navigate', (event) => {
    event.preventDefault();
    openExternalIfAllowed(event.url, allowedExternalOrigins(), openExternal, log, onRefused);
  });
  webContents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('security: refused to attach a <webview>');
  });
  webContents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url, allowedExternalOrigins(), openExternal, log, onRefused);
    return { action: 'deny' };
  });
}

// ---------------------------------------------------------------------------------------------
// External links

export type ExternalUrlVerdict = { ok: true; url: string } | { ok: false; reason: string };

const maxUrlLength = 4096;

/**
 * Decides whether `raw` may be opened in the system browser: an absolute http(s) URL, no
 * credentials, no whitespace or control characters, whose exact origin (scheme, host, port) is
 * in the allow-list. Comparing parsed origins, never string prefixes, is what stops
 * `http://grafana.local.evil.com`, `http://grafana.local:3000@evil.com` and IDN look-alikes.
 */
export function checkExternalUrl(raw: unknown, allowedOrigins: readonly string[]): ExternalUrlVerdict {
  if (typeof raw !== 'string' || raw === '') return { ok: false, reason: 'not a URL' };
  if (raw.length > maxUrlLength) return { ok: false, reason: 'URL too long' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f-\u009f\u2028\u2029]/.test(raw)) return { ok: false, reason: 'whitespace or control characters' };
  let url: URL;
  try {
    url = new URL(raw); // no base: relative URLs throw
  } catch {
    return { ok: false, reason: 'not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `scheme ${url.protocol} not allowed` };
  // Also an empty user info (`http://:@host/`): the parser drops it, but it was meant to mislead.
  if (url.username !== '' || url.password !== '' || rawAuthority(raw).includes('@')) return { ok: false, reason: 'credentials in URL' };
  const allowed = new Set(allowedOrigins.map(originOf).filter((o): o is string => o !== null));
  if (!allowed.has(url.origin)) return { ok: false, reason: `origin ${url.origin} not in the allow-list` };
  return { ok: true, url: url.href };
}

/**
 * Opens `url` with `openExternal` when `checkExternalUrl` allows it; otherwise logs why not.
 * Returns whether it was opened. Opens the normalized URL, so the browser gets exactly what was
 * checked.
 */
export function openExternalIfAllowed(
  url: unknown,
  allowedOrigins: readonly string[],
  openExternal: (url: string) => Promise<void>,
  log: Log,
  onRefused?: (url: string, reason: string) => void,
): boolean {
  const verdict = checkExternalUrl(url, allowedOrigins);
  if (!verdict.ok) {
    log('security: refused to open a link', { url: describeForLog(url), reason: verdict.reason });
    onRefused?.(describeForLog(url), verdict.reason);
    return false;
  }
  openExternal(verdict.url).catch((err: unknown) => {
    log('security: the system browser could not open a link', {
      url: describeForLog(verdict.url),
      error: err instanceof Error ? err.message : String(err),
    });
  });
  return true;
}

/** The authority part of a URL string as written (before the parser normalizes it away). */
function rawAuthority(raw: string): string {
  return /^[a-z][a-z\d+.-]*:[/\\]*([^/\\?#]*)/i.exec(raw)?.[1] ?? '';
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Enough of a URL to diagnose a refusal, without query strings or credentials (tokens live there). */
function describeForLog(value: unknown): string {
  if (typeof value !== 'string') return `(${typeof value})`;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'file:') {
      return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200);
    }
    return `${url.protocol}…`;
  } catch {
    return JSON.stringify(value.slice(0, 80));
  }
}
