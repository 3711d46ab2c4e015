export { createTelemetry, type Telemetry, type TelemetryDeps } from './create-telemetry';
export { createInstrumentedEmbed } from './embed-telemetry';
export { tracesHandlers } from './traces-methods';
export { safely } from './safely';
