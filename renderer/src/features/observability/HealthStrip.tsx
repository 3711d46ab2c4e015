import { useApp } from '../../shared/context';
import { describeHealth, describeServices } from '../../shared/format';
import { selectHealth } from './selectors';

/** Ollama, OTLP export, Prometheus, Alertmanager, alerts: the same health state the tray shows. */
export function HealthStrip({ detailed = false }: { detailed?: boolean }) {
  const health = useApp(selectHealth);
  const ollama = describeHealth(health);
  const services = describeServices(health);
  const loaded = health?.ollama.loadedModels ?? [];
  return (
    <div className="health-strip" data-testid={detailed ? 'health-strip-detailed' : 'health-strip'} role="group" aria-label="Stack health">
      <span className={`health health-${ollama.tone}`} data-testid="health" data-tone={ollama.tone} title={ollama.title} role="status" aria-label={`Health: ${ollama.label}`}>
        <span className="health-dot" aria-hidden="true" />
        {ollama.label}
        {detailed && loaded.length > 0 && <span className="muted"> · loaded: {loaded.join(', ')}</span>}
      </span>
      {services.map((s) => (
        <span key={s.key} className={`pill tone-${s.tone}`} data-testid={`health-${s.key}`} data-tone={s.tone} title={s.title}>
          <span className="health-dot" aria-hidden="true" />
          {s.label}
          {detailed && s.key === 'export' && health?.export.lastSuccessAt && <span className="muted"> · last ok {new Date(health.export.lastSuccessAt).toLocaleTimeString()}</span>}
          {detailed && s.tone === 'down' && <span className="muted"> · {s.title}</span>}
        </span>
      ))}
    </div>
  );
}
