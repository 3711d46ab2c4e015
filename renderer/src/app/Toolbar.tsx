import { useApp } from '../shared/context';
import { selectFiringCount } from '../features/observability/selectors';
import { selectSetView, selectView, viewNames, type ViewName } from '../shared/state';
import { ModelPicker } from '../features/models/View';
import { HealthStrip } from '../features/observability/HealthStrip';

const labels: Record<ViewName, string> = {
  chat: 'Chat',
  observability: 'Observability',
  knowledge: 'Knowledge',
  memory: 'Memory',
  settings: 'Settings',
};

export function Toolbar() {
  const view = useApp(selectView);
  const setView = useApp(selectSetView);
  const firing = useApp(selectFiringCount);
  return (
    <header className="toolbar">
      <h1 className="title">Agent Bruno</h1>
      <nav className="tabs" aria-label="Views">
        {viewNames.map((name) => (
          <button
            key={name}
            type="button"
            className={`tab${view === name ? ' active' : ''}`}
            aria-current={view === name ? 'page' : undefined}
            data-testid={`tab-${name}`}
            onClick={() => setView(name)}
          >
            {labels[name]}
            {name === 'observability' && firing > 0 && (
              <span className="badge state-firing" data-testid="firing-badge" aria-label={`${firing} firing alerts`}>
                {firing}
              </span>
            )}
          </button>
        ))}
      </nav>
      <div className="toolbar-items">
        <ModelPicker />
      </div>
      <HealthStrip />
    </header>
  );
}
