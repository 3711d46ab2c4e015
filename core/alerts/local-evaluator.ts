import type { AlertInfo } from '../common/alerts';
import { parseDuration, renderTemplate } from './alert-template';
import type { LocalAlertRule } from './local-rule';
import { seriesKey, type MetricHistory } from './metric-history';

interface Active {
  activeAt: number;
  firing: boolean;
}

export interface LocalEvaluator {
  /** Samples the registry, evaluates every rule, returns the active alerts. */
  tick(): Promise<AlertInfo[]>;
}

/**
 * Prometheus's alert state machine for the rules the app can compute itself: a condition that
 * holds is pending, becomes firing once it has held for `for`, and is gone when it stops holding.
 */
export function createLocalEvaluator(deps: { rules: LocalAlertRule[]; history: MetricHistory; now?: () => number }): LocalEvaluator {
  const now = deps.now ?? Date.now;
  const active = new Map<string, Active>();
  const forMs = new Map(deps.rules.map((r) => [r.name, parseDuration(r.for)]));
  return {
    async tick() {
      const t = now();
      await deps.history.sample(t);
      const alerts: AlertInfo[] = [];
      const seen = new Set<string>();
      for (const rule of deps.rules) {
        let points;
        try {
          points = rule.evaluate(deps.history);
        } catch {
          continue;
        }
        for (const point of points) {
          const labels = { ...point.labels, ...rule.labels, alertname: rule.name };
          const id = `${rule.name}{${seriesKey(labels)}}`;
          seen.add(id);
          let state = active.get(id);
          if (!state) active.set(id, (state = { activeAt: t, firing: false }));
          if (!state.firing && t - state.activeAt >= (forMs.get(rule.name) ?? 0)) state.firing = true;
          const annotations: Record<string, string> = {};
          for (const [k, v] of Object.entries(rule.annotations)) annotations[k] = renderTemplate(v, labels, point.value);
          alerts.push({
            id,
            name: rule.name,
            state: state.firing ? 'firing' : 'pending',
            severity: rule.labels.severity,
            summary: annotations.summary ?? null,
            description: annotations.description ?? null,
            labels,
            annotations,
            activeSince: new Date(state.activeAt).toISOString(),
            value: point.value,
            source: 'local',
            generatorUrl: null,
          });
        }
      }
      for (const id of [...active.keys()]) if (!seen.has(id)) active.delete(id);
      return alerts;
    },
  };
}
