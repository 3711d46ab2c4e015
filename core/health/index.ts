export { probeOllama } from './probe-ollama';
export { createHealthMonitor, overallStatus, type HealthMonitor, type HealthMonitorDeps } from './health-monitor';
export { healthHandlers } from './health-methods';
