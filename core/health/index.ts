export { probeOllama } from './probe-ollama';
export { createHealthMonitor, type HealthMonitor, type HealthMonitorDeps } from './health-monitor';
