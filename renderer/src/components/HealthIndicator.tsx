import { useApp } from '../app/context';
import { describeHealth } from '../format';
import { selectHealth } from '../store';

export function HealthIndicator() {
  const health = useApp(selectHealth);
  const { tone, label, title } = describeHealth(health);
  return (
    <span className={`health health-${tone}`} data-testid="health" data-tone={tone} title={title} role="status" aria-label={`Health: ${label}`}>
      <span className="health-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
