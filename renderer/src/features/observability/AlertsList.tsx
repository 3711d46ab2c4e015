import { alertRuleSearchUrl } from '../../../../core/common/links';
import { severityRank } from '../../../../core/common/alerts';
import type { AlertInfo } from '../../../../core/common';
import { useApp, useActions } from '../../shared/context';
import { formatSince } from '../../shared/format';
import { selectAlertsError, selectAlertsState } from './selectors';
import { selectSettings } from '../settings/selectors';

/** Firing first, then pending; by severity within each. */
function order(alerts: AlertInfo[]): AlertInfo[] {
  return [...alerts].sort((a, b) => (a.state === b.state ? severityRank(a.severity) - severityRank(b.severity) : a.state === 'firing' ? -1 : 1));
}

export function AlertsList() {
  const state = useApp(selectAlertsState);
  const error = useApp(selectAlertsError);
  const settings = useApp(selectSettings);
  const controller = useActions();
  const grafana = settings.view?.values.grafana as { url?: string | null; orgId?: number } | undefined;
  const alerts = state ? order(state.alerts) : [];
  return (
    <section className="card" aria-label="Alerts" data-testid="alerts">
      <header className="card-header">
        <h2>Alerts</h2>
        <span className="muted">
          {state ? (state.mode === 'remote' ? 'from Prometheus / Alertmanager' : 'evaluated in the app') : ''}
          {state?.updatedAt ? ` · updated ${formatSince(state.updatedAt)}` : ''}
        </span>
        <button type="button" className="button button-small" onClick={() => void controller.refreshAlerts()}>
          Refresh
        </button>
      </header>
      {(error || state?.error) && (
        <p className="field-error" role="alert" data-testid="alerts-error">
          {error ?? state?.error} (the list may be incomplete)
        </p>
      )}
      {state && alerts.length === 0 && !state.error && <p className="muted" data-testid="alerts-empty">No firing or pending alerts.</p>}
      {alerts.length > 0 && (
        <ul className="alert-list">
          {alerts.map((a) => {
            const link = a.generatorUrl && /^https?:\/\//.test(a.generatorUrl) ? a.generatorUrl : null;
            const grafanaLink = grafana?.url ? alertRuleSearchUrl({ grafanaUrl: grafana.url, orgId: grafana.orgId, ruleName: a.name }) : null;
            return (
              <li key={`${a.source}:${a.id}`} className={`alert alert-${a.state}`} data-testid="alert-item" data-name={a.name} data-state={a.state}>
                <div className="alert-head">
                  <span className={`badge severity-${a.severity ?? 'none'}`}>{a.severity ?? 'no severity'}</span>
                  <strong>{a.name}</strong>
                  <span className={`badge state-${a.state}`}>{a.state}</span>
                  <span className="muted">
                    since {formatSince(a.activeSince)} · {a.source}
                  </span>
                </div>
                {a.summary && <div className="alert-summary">{a.summary}</div>}
                {a.description && <div className="muted alert-description">{a.description}</div>}
                <div className="alert-links">
                  {grafanaLink && (
                    <a href={grafanaLink} target="_blank" rel="noopener noreferrer">
                      Rule in Grafana ↗
                    </a>
                  )}
                  {link && (
                    <a href={link} target="_blank" rel="noopener noreferrer">
                      Source graph ↗
                    </a>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {state && state.mode === 'local' && state.needsPrometheus.length > 0 && (
        <p className="muted">Only a real Prometheus evaluates: {state.needsPrometheus.join(', ')}.</p>
      )}
    </section>
  );
}
