import { describe, expect, it } from 'vitest';
import { buildTrayModel, fitTooltip, maxAlertItems, maxTooltipLength, trayIcons, type TrayIcon, type TrayInput, type TrayMenuItem } from '../../electron/main/tray-model';
import { alert, alerts, exportFailing, health, healthy, ollamaDown } from './electron-fixtures';

function input(patch: Partial<TrayInput> = {}): TrayInput {
  return {
    health: healthy(),
    alerts: alerts(),
    lastTurn: null,
    windowVisible: true,
    exportPaused: false,
    canPauseExport: true,
    grafanaConfigured: true,
    dashboardConfigured: true,
    defaultModel: 'llama3.1:8b',
    ...patch,
  };
}

const item = (menu: TrayMenuItem[], id: string) => {
  const found = menu.find((m) => m.kind !== 'separator' && m.id === id);
  if (!found || found.kind === 'separator') throw new Error(`no menu item ${id}`);
  return found;
};
const submenu = (menu: TrayMenuItem[], id: string) => {
  const found = item(menu, id);
  if (found.kind !== 'submenu') throw new Error(`${id} is not a submenu`);
  return found;
};
const labels = (items: TrayMenuItem[]) => items.map((m) => (m.kind === 'separator' ? '---' : m.label));

/** One input per icon state: every icon is reachable, and from the state it names. */
const inputFor: Record<TrayIcon, TrayInput> = {
  unknown: input({ health: null, alerts: null }),
  healthy: input(),
  degraded: input({ health: exportFailing() }),
  down: input({ health: ollamaDown() }),
  'alerting-warning': input({ alerts: alerts(alert('HighTTFT', 'warning')) }),
  'alerting-critical': input({ alerts: alerts(alert('OllamaErrors', 'critical')) }),
};

describe('tray icon per health and alert state', () => {
  it.each(trayIcons)('%s', (icon) => {
    expect(buildTrayModel(inputFor[icon]).icon).toBe(icon);
  });

  it('degraded for each reason, named in the tooltip', () => {
    const cases: [TrayInput, string][] = [
      [input({ health: exportFailing() }), 'OTLP export failing'],
      [input({ health: health({ status: 'degraded', prometheus: { url: 'http://p:9090', reachable: false, error: 'timeout' } }) }), 'Prometheus unreachable'],
      [input({ health: health({ status: 'degraded', alertmanager: { url: 'http://a:9093', reachable: false, error: 'timeout' } }) }), 'Alertmanager unreachable'],
      [input({ slowTokensPerSecond: 5, lastTurn: { model: 'm', tokensPerSecond: 1.5, ttftS: 2, traceId: null } }), 'slow (1.5 tok/s)'],
      [input({ health: health({ status: 'degraded' }) }), 'see the app'],
    ];
    for (const [state, reason] of cases) {
      const model = buildTrayModel(state);
      expect(model.icon).toBe('degraded');
      expect(model.tooltip.split('\n')[0]).toContain(reason);
    }
    // A reachable Prometheus, or a fast turn, is not a reason.
    expect(buildTrayModel(input({ health: health({ prometheus: { url: 'http://p:9090', reachable: true, error: null } }) })).icon).toBe('healthy');
    expect(buildTrayModel(input({ slowTokensPerSecond: 5, lastTurn: { model: 'm', tokensPerSecond: 30, ttftS: 1, traceId: null } })).icon).toBe('healthy');
    // Without a threshold, slow is never degraded.
    expect(buildTrayModel(input({ lastTurn: { model: 'm', tokensPerSecond: 0.5, ttftS: 1, traceId: null } })).icon).toBe('healthy');
  });

  it('alert severity: critical/high -> critical; warning/medium/low/none -> warning; info alone does not colour the tray', () => {
    const iconOf = (...list: ReturnType<typeof alert>[]) => buildTrayModel(input({ alerts: alerts(...list) })).icon;
    expect(iconOf(alert('A', 'high'))).toBe('alerting-critical');
    expect(iconOf(alert('A', 'medium'))).toBe('alerting-warning');
    expect(iconOf(alert('A', 'low'))).toBe('alerting-warning');
    expect(iconOf(alert('A', null))).toBe('alerting-warning');
    expect(iconOf(alert('A', 'info'))).toBe('healthy');
    expect(iconOf(alert('A', 'warning'), alert('B', 'critical'), alert('C', 'info'))).toBe('alerting-critical');
    // Pending alerts are listed but do not alert.
    expect(iconOf(alert('A', 'critical', { state: 'pending' }))).toBe('healthy');
  });

  it('Ollama down wins over firing alerts and over degraded export', () => {
    const model = buildTrayModel(input({ health: health({ ...ollamaDown(), export: { status: 'failing' } }), alerts: alerts(alert('X', 'critical')) }));
    expect(model.icon).toBe('down');
    expect(model.tooltip).toMatch(/^Agent Bruno: Ollama unreachable\nAlerts firing: 1/);
  });

  it('a firing alert wins over degraded', () => {
    expect(buildTrayModel(input({ health: exportFailing(), alerts: alerts(alert('X', 'warning')) })).icon).toBe('alerting-warning');
  });

  it('without an alert list, uses the counters of the health state', () => {
    const model = buildTrayModel(input({ alerts: null, health: health({ alerts: { firing: 2, pending: 1, highestSeverity: 'critical' } }) }));
    expect(model.icon).toBe('alerting-critical');
    expect(model.tooltip).toContain('Alerts firing: 2');
    expect(labels(submenu(model.menu, 'alerts').items)).toContain('No firing or pending alerts');
    expect(submenu(model.menu, 'alerts').label).toBe('Alerts (2)');
  });

  it('walks healthy -> degraded -> down -> alerting (warning, critical) -> back to healthy', () => {
    const steps: [Partial<TrayInput>, TrayIcon, string][] = [
      [{ health: healthy() }, 'healthy', 'Agent Bruno: healthy'],
      [{ health: exportFailing() }, 'degraded', 'Agent Bruno: degraded: OTLP export failing'],
      [{ health: ollamaDown() }, 'down', 'Agent Bruno: Ollama unreachable'],
      [{ health: healthy(), alerts: alerts(alert('HighTTFT', 'warning')) }, 'alerting-warning', 'Agent Bruno: 1 alert firing (warning)'],
      [{ health: healthy(), alerts: alerts(alert('HighTTFT', 'warning'), alert('OllamaErrors', 'critical')) }, 'alerting-critical', 'Agent Bruno: 2 alerts firing (critical)'],
      [{ health: healthy(), alerts: alerts() }, 'healthy', 'Agent Bruno: healthy'],
    ];
    let state = input();
    for (const [patch, icon, firstLine] of steps) {
      state = { ...state, ...patch };
      const model = buildTrayModel(state);
      expect(model.icon, firstLine).toBe(icon);
      expect(model.tooltip.split('\n')[0]).toBe(firstLine);
    }
  });
});

describe('tray tooltip', () => {
  it('shows the model, last tokens/sec and TTFT, and the firing alerts count', () => {
    const model = buildTrayModel(
      input({ lastTurn: { model: 'qwen2.5:7b', tokensPerSecond: 42.13, ttftS: 0.35, traceId: null }, alerts: alerts(alert('A', 'warning'), alert('B', 'info')) }),
    );
    expect(model.tooltip).toBe('Agent Bruno: 2 alerts firing (warning)\nAlerts firing: 2\nModel: qwen2.5:7b\nLast: 42.1 tok/s, TTFT 350 ms');
  });

  it('before any turn: the loaded model, else the default; no "Last" line', () => {
    expect(buildTrayModel(input()).tooltip).toBe('Agent Bruno: healthy\nAlerts firing: 0\nModel: llama3.1:8b');
    const noneLoaded = buildTrayModel(input({ health: health({ ollama: { loadedModels: [] } }), defaultModel: 'mistral:7b' }));
    expect(noneLoaded.tooltip).toContain('Model: mistral:7b');
    expect(buildTrayModel(input({ health: null, alerts: null })).tooltip).toMatch(/^Agent Bruno: checking…/);
  });

  it('formats slow and fast numbers', () => {
    const t = (tokensPerSecond: number | null, ttftS: number | null) =>
      buildTrayModel(input({ lastTurn: { model: 'm', tokensPerSecond, ttftS, traceId: null } })).tooltip.split('\n').at(-1);
    expect(t(123.4, 2.345)).toBe('Last: 123 tok/s, TTFT 2.35 s');
    expect(t(null, 12.34)).toBe('Last: TTFT 12.3 s');
    expect(t(7, null)).toBe('Last: 7.0 tok/s');
  });

  it('says when the export is paused', () => {
    expect(buildTrayModel(input({ exportPaused: true })).tooltip).toContain('Telemetry export paused');
    expect(buildTrayModel(input({ health: health({ export: { status: 'paused' } }) })).tooltip).toContain('Telemetry export paused');
  });

  it('stays within 127 characters (the Windows limit), keeping the status and the alert count', () => {
    const model = buildTrayModel(
      input({
        health: health({ status: 'degraded', export: { status: 'failing' }, prometheus: { url: 'x', reachable: false, error: null }, alertmanager: { url: 'y', reachable: false, error: null } }),
        lastTurn: { model: `hf.co/some-org/${'very-long-model-name-'.repeat(5)}:Q4_K_M`, tokensPerSecond: 12, ttftS: 0.5, traceId: null },
        exportPaused: true,
      }),
    );
    expect(model.tooltip.length).toBeLessThanOrEqual(maxTooltipLength);
    expect(model.tooltip.split('\n')[1]).toBe('Alerts firing: 0');
    expect(fitTooltip(['x'.repeat(500)]).length).toBeLessThanOrEqual(maxTooltipLength);
  });
});

describe('tray menu', () => {
  it('has the items in order: show/hide, new chat, dashboard, last trace, alerts, export, quit', () => {
    const model = buildTrayModel(input({ lastTurn: { model: 'm', tokensPerSecond: 1, ttftS: 1, traceId: 'a'.repeat(32) } }));
    expect(labels(model.menu)).toEqual([
      'Hide Agent Bruno',
      'New chat',
      '---',
      'Open Grafana dashboard',
      'Open last trace in Grafana',
      'Alerts (0)',
      '---',
      'Pause telemetry export',
      '---',
      'Quit Agent Bruno',
    ]);
    expect(item(model.menu, 'toggle-window')).toMatchObject({ enabled: true, action: { type: 'toggle-window' } });
    expect(item(model.menu, 'new-chat')).toMatchObject({ enabled: true, action: { type: 'new-chat' } });
    expect(item(model.menu, 'open-trace')).toMatchObject({ enabled: true, action: { type: 'open-trace', traceId: 'a'.repeat(32) } });
    expect(item(model.menu, 'quit')).toMatchObject({ enabled: true, action: { type: 'quit' } });
  });

  it('offers Show when the window is hidden', () => {
    expect(item(buildTrayModel(input({ windowVisible: false })).menu, 'toggle-window').label).toBe('Show Agent Bruno');
  });

  it('disables the dashboard without Grafana or a dashboard uid, saying which', () => {
    const noGrafana = item(buildTrayModel(input({ grafanaConfigured: false, dashboardConfigured: false })).menu, 'open-dashboard');
    expect(noGrafana).toMatchObject({ enabled: false, label: 'Open Grafana dashboard (Grafana not configured)' });
    const noUid = item(buildTrayModel(input({ dashboardConfigured: false })).menu, 'open-dashboard');
    expect(noUid).toMatchObject({ enabled: false, label: 'Open Grafana dashboard (no dashboard configured)' });
  });

  it('last trace: disabled before any turn; shown in the app without Grafana', () => {
    expect(item(buildTrayModel(input()).menu, 'open-trace')).toMatchObject({ enabled: false, label: 'Open last trace (none yet)' });
    const local = item(buildTrayModel(input({ grafanaConfigured: false, lastTurn: { model: 'm', tokensPerSecond: 1, ttftS: 1, traceId: 'b'.repeat(32) } })).menu, 'open-trace');
    expect(local).toMatchObject({ enabled: true, label: 'Show last trace' });
  });

  it('lists alerts: firing by severity then pending, each opening its alert', () => {
    const model = buildTrayModel(
      input({
        alerts: alerts(
          alert('SlowRag', 'warning'),
          alert('Pending', 'critical', { state: 'pending', summary: null }),
          alert('OllamaErrors', 'critical', { summary: 'errors & timeouts' }),
          alert('NoSeverity', null, { summary: null }),
        ),
      }),
    );
    const alertsMenu = submenu(model.menu, 'alerts');
    expect(alertsMenu.label).toBe('Alerts (3)');
    expect(labels(alertsMenu.items)).toEqual([
      '[critical] OllamaErrors: errors & timeouts',
      '[warning] SlowRag: SlowRag summary',
      'NoSeverity',
      '[critical] Pending (pending)',
      '---',
      'Show alerts in Agent Bruno',
    ]);
    expect(alertsMenu.items[0]).toMatchObject({ enabled: true, action: { type: 'open-alert', alertId: 'OllamaErrors{severity="critical"}' } });
    expect(alertsMenu.items.at(-1)).toMatchObject({ action: { type: 'show-alerts' } });
  });

  it(`caps the alert list at ${maxAlertItems} with a "More…" item`, () => {
    const many = Array.from({ length: maxAlertItems + 4 }, (_, i) => alert(`A${String(i).padStart(2, '0')}`, 'warning'));
    const items = submenu(buildTrayModel(input({ alerts: alerts(...many) })).menu, 'alerts').items;
    expect(items.filter((m) => m.kind === 'action' && m.action.type === 'open-alert')).toHaveLength(maxAlertItems);
    expect(labels(items)).toContain('More… (4)');
  });

  it('export switch: pause, resume, off, or not available', () => {
    const exportItem = (patch: Partial<TrayInput>) => item(buildTrayModel(input(patch)).menu, 'export');
    expect(exportItem({})).toMatchObject({ label: 'Pause telemetry export', enabled: true, action: { type: 'set-export-paused', paused: true } });
    expect(exportItem({ exportPaused: true })).toMatchObject({ label: 'Resume telemetry export', enabled: true, action: { type: 'set-export-paused', paused: false } });
    expect(exportItem({ health: health({ export: { status: 'paused' } }) })).toMatchObject({ label: 'Resume telemetry export', action: { paused: false } });
    expect(exportItem({ health: health({ export: { status: 'off', endpoint: null } }) })).toMatchObject({ label: 'Telemetry export is off', enabled: false });
    expect(exportItem({ canPauseExport: false })).toMatchObject({ label: 'Pause telemetry export (not available)', enabled: false });
  });

  it('is plain data (serializable, no functions)', () => {
    const model = buildTrayModel(input({ alerts: alerts(alert('A', 'warning')) }));
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});
