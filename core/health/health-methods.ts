import type { MethodHandlers } from '../common/method';
import type { healthMethods } from '../common/methods';
import type { HealthMonitor } from './health-monitor';

export function healthHandlers(deps: { health: HealthMonitor }): MethodHandlers<typeof healthMethods> {
  return {
    'health.get': () => deps.health.check(),
  };
}
