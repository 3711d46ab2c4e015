export { createAlertsService, type AlertsService, type AlertsServiceDeps } from './alerts-service';
export { loadAlertRules, localImplementations } from './local-rules';
export { parseAlertRules, shippedRuleFiles, normalizeExpr, type ShippedAlertRule } from './shipped-rules';
export { alertsHandlers } from './alerts-methods';
