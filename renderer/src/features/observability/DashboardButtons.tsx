import { dashboardUrl } from '../../../../core/common/links';
import { useApp } from '../../shared/context';
import { selectCurrentModel } from '../models/selectors';
import { selectSettings } from '../settings/selectors';

const DASHBOARDS = [
  { key: 'ollama', title: 'Ollama' },
  { key: 'rag', title: 'RAG' },
  { key: 'overview', title: 'Overview' },
] as const;

/** The shipped Grafana dashboards, opened with the current model as `var-model`. */
export function DashboardButtons() {
  const settings = useApp(selectSettings);
  const model = useApp(selectCurrentModel);
  const grafana = settings.view?.values.grafana as { url?: string | null; orgId?: number; dashboards?: Record<string, string> } | undefined;
  if (!grafana?.url) {
    return (
      <p className="muted" data-testid="dashboards-off">
        Set the Grafana URL in Settings to open the shipped dashboards.
      </p>
    );
  }
  return (
    <div className="dashboards" data-testid="dashboards">
      {DASHBOARDS.map((d) => {
        const href = dashboardUrl({ grafanaUrl: grafana.url, orgId: grafana.orgId, uid: grafana.dashboards?.[d.key], slug: `agent bruno ${d.title}`, vars: model ? { model } : {} });
        return href ? (
          <a key={d.key} className="button" href={href} target="_blank" rel="noopener noreferrer" data-testid={`dashboard-${d.key}`}>
            {d.title} dashboard ↗
          </a>
        ) : null;
      })}
    </div>
  );
}
