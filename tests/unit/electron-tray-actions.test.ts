import { describe, expect, it, vi } from 'vitest';
import type { AppCommand } from '../../core/common/app-commands';
import { linkTargetsFromSettings, allowedOrigins, type LinkTargets } from '../../electron/main/link-targets';
import { openExternalIfAllowed } from '../../electron/main/security';
import { createTrayActionHandler, type ExportControl } from '../../electron/main/tray-actions';
import { createWindowControl, type ToggleableWindowLike } from '../../electron/main/window-control';
import { alert, linkSettings } from './electron-fixtures';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const configured = linkTargetsFromSettings(
  linkSettings({
    grafana: { url: 'http://grafana.lan:3000', tempoDatasourceUid: 'tempo', orgId: 1, dashboards: { overview: 'bruno-overview', ollama: 'bruno-ollama', rag: 'bruno-rag' } },
    prometheusUrl: 'http://prometheus.lan:9090',
  }),
);
const unconfigured = linkTargetsFromSettings(linkSettings());

function setup(opts: { links?: LinkTargets; exportControl?: ExportControl; lastTraceId?: string | null } = {}) {
  const links = opts.links ?? configured;
  const opened: string[] = [];
  const log = vi.fn();
  const commands: AppCommand[] = [];
  const window = { toggle: vi.fn(), reveal: vi.fn() };
  const state = {
    lastTraceId: () => opts.lastTraceId ?? null,
    alert: (id: string) => [alert('OllamaErrors', 'critical'), alert('Local', 'warning', { generatorUrl: null })].find((a) => a.id === id) ?? null,
    setExportPaused: vi.fn(),
  };
  const quit = vi.fn();
  const handle = createTrayActionHandler({
    window,
    sendCommand: (c) => void commands.push(c),
    // The real guard with the configured origins, a fake system browser.
    openExternal: (url) => openExternalIfAllowed(url, allowedOrigins(links), async (u) => void opened.push(u), log),
    links: () => links,
    state,
    exportControl: opts.exportControl ?? { setExportPaused: vi.fn() },
    quit,
    log,
  });
  return { handle, opened, commands, window, state, quit, log };
}

describe('tray actions', () => {
  it('show/hide toggles the window; quit quits; new chat goes to the renderer', () => {
    const { handle, window, quit, commands } = setup();
    handle({ type: 'toggle-window' });
    handle({ type: 'new-chat' });
    handle({ type: 'quit' });
    expect(window.toggle).toHaveBeenCalledTimes(1);
    expect(commands).toEqual([{ type: 'new-chat' }]);
    expect(quit).toHaveBeenCalledTimes(1);
  });

  it('opens the overview dashboard in Grafana', () => {
    const { handle, opened } = setup();
    handle({ type: 'open-dashboard' });
    expect(opened).toEqual(['http://grafana.lan:3000/d/bruno-overview?orgId=1&from=now-6h&to=now']);
  });

  it('without Grafana, the dashboard item shows the window and says why', () => {
    const { handle, opened, window, log } = setup({ links: unconfigured });
    handle({ type: 'open-dashboard' });
    expect(opened).toEqual([]);
    expect(window.reveal).toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('no Grafana dashboard'));
  });

  it('opens the last trace in Grafana Explore (Tempo)', () => {
    const { handle, opened } = setup();
    handle({ type: 'open-trace', traceId });
    expect(opened).toHaveLength(1);
    const url = new URL(opened[0]!);
    expect(url.origin + url.pathname).toBe('http://grafana.lan:3000/explore');
    const panes = JSON.parse(url.searchParams.get('panes')!);
    expect(Object.values(panes)[0]).toMatchObject({ datasource: 'tempo', queries: [{ queryType: 'traceql', query: traceId, datasource: { type: 'tempo', uid: 'tempo' } }] });
  });

  it('without Grafana, shows the trace in the app instead', () => {
    const { handle, opened, commands } = setup({ links: unconfigured, lastTraceId: traceId });
    handle({ type: 'open-trace', traceId });
    expect(opened).toEqual([]);
    expect(commands).toEqual([{ type: 'show-trace', traceId }]);
  });

  it('open-trace with no trace at all only shows the window', () => {
    const { handle, commands, window } = setup();
    handle({ type: 'open-trace', traceId: '' });
    expect(commands).toEqual([]);
    expect(window.reveal).toHaveBeenCalled();
  });

  it('opens an alert in Grafana; without Grafana its generator URL (if allowed), else the app', () => {
    const grafana = setup();
    grafana.handle({ type: 'open-alert', alertId: 'OllamaErrors{severity="critical"}' });
    expect(grafana.opened).toEqual(['http://grafana.lan:3000/alerting/list?orgId=1&search=rule%3A%22OllamaErrors%22']);

    const prometheusOnly = linkTargetsFromSettings(linkSettings({ prometheusUrl: 'http://prometheus.lan:9090' }));
    const prom = setup({ links: prometheusOnly });
    prom.handle({ type: 'open-alert', alertId: 'OllamaErrors{severity="critical"}' });
    expect(prom.opened).toEqual(['http://prometheus.lan:9090/graph?g0.expr=OllamaErrors']);

    // Generator URL of a host nobody configured: refused and logged, the app's list shown.
    const none = setup({ links: unconfigured });
    none.handle({ type: 'open-alert', alertId: 'OllamaErrors{severity="critical"}' });
    expect(none.opened).toEqual([]);
    expect(none.commands).toEqual([{ type: 'show-alerts' }]);
    expect(none.log).toHaveBeenCalledWith('security: refused to open a link', expect.objectContaining({ reason: expect.stringContaining('allow-list') }));

    // An alert that resolved since the menu was built.
    const gone = setup();
    gone.handle({ type: 'open-alert', alertId: 'gone' });
    expect(gone.commands).toEqual([{ type: 'show-alerts' }]);
  });

  it('pauses and resumes the export through the injected switch, then updates the tray', async () => {
    const setExportPaused = vi.fn(async () => {});
    const { handle, state } = setup({ exportControl: { setExportPaused } });
    handle({ type: 'set-export-paused', paused: true });
    await vi.waitFor(() => expect(state.setExportPaused).toHaveBeenCalledWith(true));
    expect(setExportPaused).toHaveBeenCalledWith(true);
    handle({ type: 'set-export-paused', paused: false });
    await vi.waitFor(() => expect(state.setExportPaused).toHaveBeenLastCalledWith(false));
  });

  it('a failing switch leaves the tray as it was and is logged', async () => {
    const failing = setup({ exportControl: { setExportPaused: () => Promise.reject(new Error('exporter busy')) } });
    failing.handle({ type: 'set-export-paused', paused: true });
    await vi.waitFor(() => expect(failing.log).toHaveBeenCalledWith('tray: could not change the telemetry export', { paused: true, error: 'exporter busy' }));
    expect(failing.state.setExportPaused).not.toHaveBeenCalled();
  });
});

describe('window control', () => {
  function fakeWindow(state: { visible: boolean; minimized?: boolean; destroyed?: boolean }) {
    const win: ToggleableWindowLike & { calls: string[] } = {
      calls: [],
      isDestroyed: () => state.destroyed ?? false,
      isVisible: () => state.visible,
      isMinimized: () => state.minimized ?? false,
      show: () => void (win.calls.push('show'), (state.visible = true)),
      hide: () => void (win.calls.push('hide'), (state.visible = false)),
      focus: () => void win.calls.push('focus'),
      restore: () => void (win.calls.push('restore'), (state.minimized = false)),
    };
    return win;
  }

  it('toggle hides a visible window and reveals a hidden or minimized one', () => {
    const win = fakeWindow({ visible: true });
    const control = createWindowControl({ current: () => win, create: () => fakeWindow({ visible: false }) });
    control.toggle();
    expect(win.calls).toEqual(['hide']);
    control.toggle();
    expect(win.calls).toEqual(['hide', 'show', 'focus']);

    const minimized = fakeWindow({ visible: true, minimized: true });
    createWindowControl({ current: () => minimized, create: () => minimized }).toggle();
    expect(minimized.calls).toEqual(['restore', 'focus']);
  });

  it('reveal creates the window when there is none (or it was destroyed)', () => {
    const fresh = fakeWindow({ visible: false });
    const create = vi.fn(() => fresh);
    expect(createWindowControl({ current: () => undefined, create }).reveal()).toBe(fresh);
    const destroyed = fakeWindow({ visible: true, destroyed: true });
    createWindowControl({ current: () => destroyed, create }).reveal();
    expect(create).toHaveBeenCalledTimes(2);
    expect(destroyed.calls).toEqual([]);
    expect(fresh.calls).toEqual(['show', 'focus', 'focus']);
  });
});
