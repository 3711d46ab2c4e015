import { describe, expect, it, vi } from 'vitest';
import { rendererCsp } from '../../core/common/security';
import {
  applySessionSecurity,
  checkExternalUrl,
  devRendererCsp,
  guardWindow,
  openExternalIfAllowed,
  withCsp,
  type GuardedWebContentsLike,
  type HeadersReceivedDetailsLike,
  type HeadersReceivedResponseLike,
  type NavigationEventLike,
  type SessionLike,
} from '../../electron/main/security';

function fakeSession() {
  let onHeaders: ((d: HeadersReceivedDetailsLike, cb: (r: HeadersReceivedResponseLike) => void) => void) | undefined;
  let onRequest: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | undefined;
  let onCheck: ((wc: unknown, permission: string) => boolean) | undefined;
  const session: SessionLike = {
    webRequest: { onHeadersReceived: (listener) => void (onHeaders = listener) },
    setPermissionRequestHandler: (handler) => void (onRequest = handler),
    setPermissionCheckHandler: (handler) => void (onCheck = handler),
  };
  return {
    session,
    headers(responseHeaders?: Record<string, string[]>) {
      let out: HeadersReceivedResponseLike | undefined;
      onHeaders!({ responseHeaders }, (r) => void (out = r));
      return out!;
    },
    request(permission: string) {
      let granted: boolean | undefined;
      onRequest!({}, permission, (g) => void (granted = g));
      return granted;
    },
    check: (permission: string) => onCheck!({}, permission),
  };
}

function fakeWebContents() {
  const listeners = new Map<string, (event: NavigationEventLike) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const wc: GuardedWebContentsLike = {
    on: (event: string, listener: (event: NavigationEventLike) => void) => void listeners.set(event, listener),
    setWindowOpenHandler: (handler) => void (openHandler = handler),
  };
  return {
    wc,
    navigate(url: string) {
      const event = { url, preventDefault: vi.fn() };
      listeners.get('will-navigate')!(event);
      return event;
    },
    attachWebview() {
      const event = { url: '', preventDefault: vi.fn() };
      listeners.get('will-attach-webview')!(event);
      return event;
    },
    open: (url: string) => openHandler!({ url }),
  };
}

const allowed = ['http://grafana.local:3000'];

describe('session security', () => {
  it('adds the renderer CSP to every response and keeps the other headers', () => {
    const s = fakeSession();
    applySessionSecurity(s.session, { csp: rendererCsp, log: vi.fn() });
    const response = s.headers({ 'Content-Type': ['text/html'], 'Cache-Control': ['no-cache'] });
    expect(response.responseHeaders).toEqual({
      'Content-Type': ['text/html'],
      'Cache-Control': ['no-cache'],
      'Content-Security-Policy': [rendererCsp],
    });
    expect(s.headers(undefined).responseHeaders).toEqual({ 'Content-Security-Policy': [rendererCsp] });
  });

  it('keeps a CSP the server sent (policies add up) under one header name', () => {
    expect(withCsp({ 'content-security-policy': ["img-src 'none'"], 'X-A': ['1'] }, rendererCsp)).toEqual({
      'X-A': ['1'],
      'Content-Security-Policy': ["img-src 'none'", rendererCsp],
    });
  });

  it('relaxes only script-src and style-src to allow inline in the dev policy', () => {
    const dev = devRendererCsp(rendererCsp);
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
    expect(dev).toContain("style-src 'self' 'unsafe-inline'");
    expect(dev).toContain("connect-src 'self'");
    expect(dev).toContain("object-src 'none'");
    expect(dev).not.toContain('unsafe-eval');
    expect(rendererCsp).not.toContain('unsafe-inline');
  });

  it('denies every permission request and check, and logs requests', () => {
    const s = fakeSession();
    const log = vi.fn();
    applySessionSecurity(s.session, { csp: rendererCsp, log });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'unknown']) {
      expect(s.request(permission)).toBe(false);
      expect(s.check(permission)).toBe(false);
    }
    expect(log).toHaveBeenCalledWith('security: denied a permission request', { permission: 'media' });
  });
});

describe('window guard', () => {
  it('stops every navigation and hands http(s) links to the external-link guard', () => {
    const w = fakeWebContents();
    const openExternal = vi.fn(async () => {});
    const log = vi.fn();
    guardWindow(w.wc, { allowedExternalOrigins: () => allowed, openExternal, log });

    const toGrafana = w.navigate('http://grafana.local:3000/d/abc');
    expect(toGrafana.preventDefault).toHaveBeenCalled();
    expect(openExternal).toHaveBeenCalledWith('http://grafana.local:3000/d/abc');

    const toEvil = w.navigate('https://evil.example/phish');
    expect(toEvil.preventDefault).toHaveBeenCalled();
    expect(openExternal).toHaveBeenCalledTimes(1);

    const toFile = w.navigate('file:///etc/passwd');
    expect(toFile.preventDefault).toHaveBeenCalled();
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('denies window.open, opening only allow-listed links externally', () => {
    const w = fakeWebContents();
    const openExternal = vi.fn(async () => {});
    guardWindow(w.wc, { allowedExternalOrigins: () => allowed, openExternal, log: vi.fn() });
    expect(w.open('http://grafana.local:3000/explore')).toEqual({ action: 'deny' });
    expect(w.open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(w.open('about:blank')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(openExternal).toHaveBeenCalledWith('http://grafana.local:3000/explore');
  });

  it('with the default empty allow-list opens nothing', () => {
    const w = fakeWebContents();
    const openExternal = vi.fn(async () => {});
    guardWindow(w.wc, { allowedExternalOrigins: () => [], openExternal, log: vi.fn() });
    expect(w.open('https://grafana.com/')).toEqual({ action: 'deny' });
    w.navigate('https://grafana.com/');
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('refuses to attach a <webview>', () => {
    const w = fakeWebContents();
    guardWindow(w.wc, { allowedExternalOrigins: () => [], openExternal: vi.fn(), log: vi.fn() });
    expect(w.attachWebview().preventDefault).toHaveBeenCalled();
  });
});

describe('external-link guard', () => {
  const hostile: [string, unknown][] = [
    ['javascript: URL', 'javascript:alert(1)'],
    ['upper-case javascript: URL', 'JAVASCRIPT:alert(document.cookie)'],
    ['javascript: with a tab inside', 'java\tscript:alert(1)'],
    ['javascript: with leading space', ' javascript:alert(1)'],
    ['file: URL', 'file:///etc/passwd'],
    ['data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript: URL', 'vbscript:msgbox(1)'],
    ['custom scheme', 'ms-settings:privacy'],
    ['look-alike host (allowed host as subdomain prefix)', 'http://grafana.local.evil.com'],
    ['look-alike host with the allowed port', 'http://grafana.local.evil.com:3000/'],
    ['allowed host as user info', 'http://grafana.local:3000@evil.com/'],
    ['credentials in URL', 'http://user:pass@grafana.local:3000/'],
    ['user name only', 'http://admin@grafana.local:3000/'],
    ['IDN look-alike (Cyrillic a)', 'http://gr\u0430fana.local:3000/'],
    ['other port', 'http://grafana.local:3001/'],
    ['other scheme for the same host', 'https://grafana.local:3000/'],
    ['relative URL', '/d/abc'],
    ['protocol-relative URL', '//grafana.local:3000/d/abc'],
    ['bare host', 'grafana.local:3000'],
    ['empty string', ''],
    ['not a string', { href: 'http://grafana.local:3000/' }],
    ['newline smuggling', 'http://grafana.local:3000/\nSet-Cookie: a'],
    ['very long URL', `http://grafana.local:3000/${'a'.repeat(5000)}`],
  ];

  it.each(hostile)('refuses %s', (_name, url) => {
    expect(checkExternalUrl(url, allowed).ok).toBe(false);
    const openExternal = vi.fn(async () => {});
    const log = vi.fn();
    expect(openExternalIfAllowed(url, allowed, openExternal, log)).toBe(false);
    expect(openExternal).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('security: refused to open a link', expect.objectContaining({ reason: expect.any(String) }));
  });

  it('allows an http(s) URL of an allowed origin, and opens the normalized URL', () => {
    const openExternal = vi.fn(async () => {});
    const log = vi.fn();
    expect(openExternalIfAllowed('http://grafana.local:3000/d/abc?orgId=1#panel', allowed, openExternal, log)).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('http://grafana.local:3000/d/abc?orgId=1#panel');
    expect(checkExternalUrl('HTTP://GRAFANA.LOCAL:3000', allowed)).toEqual({ ok: true, url: 'http://grafana.local:3000/' });
    expect(checkExternalUrl('https://tempo.lan/x', ['https://tempo.lan:443'])).toEqual({ ok: true, url: 'https://tempo.lan/x' });
    expect(log).not.toHaveBeenCalled();
  });

  it('ignores invalid or non-http entries of the allow-list', () => {
    expect(checkExternalUrl('http://grafana.local:3000/', ['not a url', 'file:///', 'javascript:alert(1)']).ok).toBe(false);
  });

  it('does not log query strings or credentials of refused links', () => {
    const log = vi.fn();
    openExternalIfAllowed('http://user:secret@evil.com/path?token=abc', allowed, vi.fn(), log);
    const logged = JSON.stringify(log.mock.calls);
    expect(logged).not.toContain('secret');
    expect(logged).not.toContain('token=abc');
    expect(logged).toContain('evil.com/path');
  });

  it('tells the audit hook about a refused link once, without query or credentials; an allowed one not at all', () => {
    const onRefused = vi.fn();
    openExternalIfAllowed('http://user:secret@evil.com/path?token=abc', allowed, vi.fn(), vi.fn(), onRefused);
    expect(onRefused).toHaveBeenCalledTimes(1);
    expect(onRefused).toHaveBeenCalledWith('http://evil.com/path', 'credentials in URL');
    openExternalIfAllowed('http://grafana.local:3000/d/abc', allowed, () => Promise.resolve(), vi.fn(), onRefused);
    expect(onRefused).toHaveBeenCalledTimes(1);
  });

    it('logs, and does not throw, when the system browser fails', async () => {
    const log = vi.fn();
    const opened = openExternalIfAllowed('http://grafana.local:3000/', allowed, () => Promise.reject(new Error('no browser')), log);
    expect(opened).toBe(true);
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith(expect.stringContaining('could not open'), expect.objectContaining({ error: 'no browser' })));
  });
});
