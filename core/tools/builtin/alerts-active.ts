import type { Tool } from '../tool';
import { failed, formatValue, ok, table } from './compact-text';
import type { BuiltinToolDeps } from './deps';

export function alertsActiveTool(deps: BuiltinToolDeps): Tool {
  return {
    name: 'alerts_active',
    description: 'The alerts that are firing or pending now (from the app\'s own rules, or Prometheus/Alertmanager when configured), with severity and summary.',
    parameters: { type: 'object', properties: {} },
    readOnly: true,
    source: 'builtin',
    unavailable: () => (deps.alerts ? null : 'the alert service is not running'),
    async run() {
      if (!deps.alerts) return failed('the alert service is not running');
      const state = deps.alerts.state();
      const note = state.error ? `\nnote: the list may be incomplete: ${state.error}` : '';
      const where = state.mode === 'local' ? 'local rules' : 'Prometheus/Alertmanager';
      if (state.alerts.length === 0) return ok(`no active alerts (${where}${state.updatedAt ? `, checked ${state.updatedAt}` : ''})${note}`);
      const rows = state.alerts.map((a) => [
        a.name,
        a.state,
        a.severity ?? '',
        a.activeSince ?? '',
        a.value === null ? '' : formatValue(a.value),
        a.summary ?? a.description ?? Object.entries(a.labels).filter(([k]) => k !== 'alertname' && k !== 'severity').map(([k, v]) => `${k}=${v}`).join(' '),
      ]);
      return ok(`${state.alerts.length} active alerts (${where})\n${table(['alert', 'state', 'severity', 'since', 'value', 'summary'], rows)}${note}`);
    },
  };
}
