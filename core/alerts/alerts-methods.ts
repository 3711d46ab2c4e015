import type { MethodHandlers } from '../common/method';
import type { alertsMethods } from '../common/methods';
import type { AlertsService } from './alerts-service';

export function alertsHandlers(deps: { alerts: AlertsService }): MethodHandlers<typeof alertsMethods> {
  return {
    'alerts.list': () => deps.alerts.refresh(),
  };
}
