import { describe, expect, it, vi } from 'vitest';
import type { AlertsState } from '../../core/common/alerts';
import { createEventHub } from '../../core/common/emitter';
import type { HealthState } from '../../core/common/health';
import { feedShellFromCore } from '../../electron/main/shell-feed';
import { createTrayController, toTemplate, type MenuTemplateItem, type TrayLike } from '../../electron/main/tray-controller';
import type { TrayAction, TrayIcon } from '../../electron/main/tray-model';
import { alert, alerts, exportFailing, healthy, ollamaDown, sample, stats } from './electron-fixtures';

/** A fake Tray recording what the controller did to it; images are icon names, menus are templates. */
function fakeTray() {
  const calls = { setImage: [] as TrayIcon[], setToolTip: [] as string[], setContextMenu: [] as (MenuTemplateItem[] | null)[], destroy: 0 };
  let click: (() => void) | undefined;
  const tray: TrayLike<TrayIcon, MenuTemplateItem[]> = {
    setImage: (image) => void calls.setImage.push(image),
    setToolTip: (text) => void calls.setToolTip.push(text),
    setContextMenu: (menu) => void calls.setContextMenu.push(menu),
    on: (_event, listener) => void (click = listener),
    destroy: () => void calls.destroy++,
  };
  return { tray, calls, click: () => click!() };
}

function setup(platform: NodeJS.Platform = 'linux') {
  const fake = fakeTray();
  const dispatch = vi.fn<(action: TrayAction) => void>();
  const controller = createTrayController({
    tray: fake.tray,
    image: (icon) => icon,
    buildMenu: (template) => template,
    dispatch,
    platform,
    options: { canPauseExport: true, grafanaConfigured: true, dashboardConfigured: true, defaultModel: 'llama3.1:8b' },
  });
  const lastMenu = () => fake.calls.setContextMenu.at(-1)!;
  const find = (id: string, menu: MenuTemplateItem[] = lastMenu()): MenuTemplateItem | undefined => {
    for (const m of menu) {
      if (m.id === id) return m;
      const inner = m.submenu && find(id, m.submenu);
      if (inner) return inner;
    }
    return undefined;
  };
  return { ...fake, dispatch, controller, lastMenu, find };
}

const counts = (calls: ReturnType<typeof fakeTray>['calls']) => ({
  image: calls.setImage.length,
  tooltip: calls.setToolTip.length,
  menu: calls.setContextMenu.length,
});

describe('tray controller', () => {
  it('starts as "unknown" with a tooltip and a menu', () => {
    const { calls } = setup();
    expect(calls.setImage).toEqual(['unknown']);
    expect(calls.setToolTip[0]).toMatch(/^Agent Bruno: checking…/);
    expect(calls.setContextMenu).toHaveLength(1);
  });

  it('follows health and alerts through every state', () => {
    const { controller, calls } = setup();
    controller.setHealth(healthy());
    controller.setHealth(exportFailing());
    controller.setHealth(ollamaDown());
    controller.setHealth(healthy());
    controller.setAlerts(alerts(alert('HighTTFT', 'warning')));
    controller.setAlerts(alerts(alert('HighTTFT', 'warning'), alert('OllamaErrors', 'critical')));
    controller.setAlerts(alerts());
    expect(calls.setImage).toEqual(['unknown', 'healthy', 'degraded', 'down', 'healthy', 'alerting-warning', 'alerting-critical', 'healthy']);
    expect(controller.model().icon).toBe('healthy');
  });

  it('touches the tray only for what changed (no menu rebuild on every poll)', () => {
    const { controller, calls } = setup();
    controller.setHealth(healthy());
    const before = counts(calls);
    // The next poll: new timestamp, same state.
    controller.setHealth({ ...healthy(), checkedAt: '2025-01-01T00:00:15.000Z' });
    controller.setAlerts(alerts());
    controller.setAlerts({ ...alerts(), updatedAt: '2025-01-01T00:01:00.000Z' });
    expect(counts(calls)).toEqual(before);

    // A finished turn changes the tooltip only (the menu has no trace id from a sample).
    controller.setSample(sample());
    expect(counts(calls)).toEqual({ ...before, tooltip: before.tooltip + 1 });
    expect(calls.setToolTip.at(-1)).toContain('Last: 42.1 tok/s, TTFT 350 ms');
  });

  it('ignores samples of a turn still streaming (10 per second must not churn the tray)', () => {
    const { controller, calls } = setup();
    const before = counts(calls);
    for (let i = 0; i < 20; i++) controller.setSample(sample({ final: false, tokensPerSecond: i }));
    expect(counts(calls)).toEqual(before);
    expect(controller.input().lastTurn).toBeNull();
  });

  it('a finished turn (done stats) sets the server-truth numbers and the last trace id', () => {
    const { controller, find } = setup();
    controller.setSample(sample());
    controller.setTurnDone(stats({ trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736' }));
    expect(controller.lastTraceId()).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(controller.model().tooltip).toContain('Last: 38.5 tok/s, TTFT 400 ms');
    expect(find('open-trace')).toMatchObject({ enabled: true, label: 'Open last trace in Grafana' });
    // A turn without a (valid) trace id keeps the previous one.
    controller.setTurnDone(stats({ trace_id: null }));
    controller.setTurnDone(stats({ trace_id: 'not-a-trace' }));
    expect(controller.lastTraceId()).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('menu clicks dispatch the item action; a click on the icon toggles the window', () => {
    const { controller, find, dispatch, click } = setup();
    controller.setAlerts(alerts(alert('OllamaErrors', 'critical')));
    find('new-chat')!.click!();
    find('quit')!.click!();
    find('alert:OllamaErrors{severity="critical"}')!.click!();
    find('export')!.click!();
    click();
    expect(dispatch.mock.calls.map((c) => c[0])).toEqual([
      { type: 'new-chat' },
      { type: 'quit' },
      { type: 'open-alert', alertId: 'OllamaErrors{severity="critical"}' },
      { type: 'set-export-paused', paused: true },
      { type: 'toggle-window' },
    ]);
    expect(controller.alert('OllamaErrors{severity="critical"}')?.name).toBe('OllamaErrors');
    expect(controller.alert('nope')).toBeNull();
  });

  it('on macOS a click opens the menu only (no window toggle)', () => {
    const fake = fakeTray();
    const on = vi.spyOn(fake.tray, 'on');
    createTrayController({ tray: fake.tray, image: (i) => i, buildMenu: (t) => t, dispatch: vi.fn(), platform: 'darwin', options: { canPauseExport: false, grafanaConfigured: false, dashboardConfigured: false } });
    expect(on).not.toHaveBeenCalled();
  });

  it('window visibility and export pause flip their menu labels', () => {
    const { controller, find } = setup();
    controller.setHealth(healthy());
    controller.setWindowVisible(true);
    expect(find('toggle-window')!.label).toBe('Hide Agent Bruno');
    controller.setWindowVisible(false);
    expect(find('toggle-window')!.label).toBe('Show Agent Bruno');
    controller.setExportPaused(true);
    expect(find('export')!.label).toBe('Resume telemetry export');
  });

  it('escapes & in labels on Windows/Linux (mnemonics), not on macOS', () => {
    const menu = [{ kind: 'action' as const, id: 'a', label: 'errors & timeouts', enabled: true, action: { type: 'quit' as const } }];
    expect(toTemplate(menu, vi.fn(), 'win32')[0]!.label).toBe('errors && timeouts');
    expect(toTemplate(menu, vi.fn(), 'linux')[0]!.label).toBe('errors && timeouts');
    expect(toTemplate(menu, vi.fn(), 'darwin')[0]!.label).toBe('errors & timeouts');
  });

  it('destroy removes the tray once; later updates are ignored', () => {
    const { controller, calls } = setup();
    controller.destroy();
    controller.destroy();
    controller.setHealth(ollamaDown());
    expect(calls.destroy).toBe(1);
    expect(calls.setImage).toEqual(['unknown']);
  });
});

describe('core events -> tray and notifier', () => {
  function feed(seed: { health?: Promise<HealthState>; alerts?: Promise<AlertsState> } = {}) {
    const events = createEventHub();
    const tray = { setHealth: vi.fn(), setAlerts: vi.fn(), setSample: vi.fn(), setTurnDone: vi.fn() };
    const notifier = { onHealth: vi.fn(), onAlerts: vi.fn() };
    const log = vi.fn();
    const handlers = {
      'health.get': vi.fn(() => seed.health ?? Promise.resolve(healthy())),
      'alerts.list': vi.fn(() => seed.alerts ?? Promise.resolve(alerts())),
    };
    const stop = feedShellFromCore({ events, handlers, tray, notifier, log });
    return { events, tray, notifier, log, stop };
  }

  it('seeds both with the current health and alerts', async () => {
    const { tray, notifier } = feed();
    await vi.waitFor(() => expect(tray.setHealth).toHaveBeenCalledWith(healthy()));
    await vi.waitFor(() => expect(notifier.onAlerts).toHaveBeenCalledWith(alerts()));
    expect(notifier.onHealth).toHaveBeenCalledWith(healthy());
    expect(tray.setAlerts).toHaveBeenCalledWith(alerts());
  });

  it('forwards health, alerts, samples and finished turns', () => {
    const { events, tray, notifier } = feed({ health: new Promise(() => {}), alerts: new Promise(() => {}) });
    events.emit('health', ollamaDown());
    events.emit('alerts', alerts(alert('A', 'warning')));
    events.emit('turn.sample', sample());
    events.emit('chat.event', { turnId: 't1', conversationId: 'c1', events: [{ type: 'token', text: 'x' }] });
    events.emit('chat.event', {
      turnId: 't1',
      conversationId: 'c1',
      events: [{ type: 'token', text: 'y' }, { type: 'done', conversationId: 'c1', messageId: 'm1', stats: stats(), sources: [] }],
    });
    expect(tray.setHealth).toHaveBeenCalledWith(ollamaDown());
    expect(notifier.onHealth).toHaveBeenCalledWith(ollamaDown());
    expect(tray.setAlerts).toHaveBeenCalledWith(alerts(alert('A', 'warning')));
    expect(notifier.onAlerts).toHaveBeenCalledTimes(1);
    expect(tray.setSample).toHaveBeenCalledWith(sample());
    expect(tray.setTurnDone).toHaveBeenCalledTimes(1);
    expect(tray.setTurnDone).toHaveBeenCalledWith(stats());
  });

  it('drops a seed answer that arrives after a newer event', async () => {
    let answer!: (h: HealthState) => void;
    const { events, tray } = feed({ health: new Promise((r) => (answer = r)) });
    events.emit('health', ollamaDown());
    answer(healthy());
    await new Promise((r) => setTimeout(r, 0));
    expect(tray.setHealth.mock.calls).toEqual([[ollamaDown()]]);
  });

  it('logs a failing seed and goes on', async () => {
    const { log } = feed({ health: Promise.reject(new Error('probe crashed')) });
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith('tray: first health check failed', { error: 'probe crashed' }));
  });

  it('stop unsubscribes from every event', () => {
    const { events, tray, stop } = feed({ health: new Promise(() => {}), alerts: new Promise(() => {}) });
    stop();
    events.emit('health', healthy());
    events.emit('turn.sample', sample());
    expect(tray.setHealth).not.toHaveBeenCalled();
    expect(tray.setSample).not.toHaveBeenCalled();
  });
});
