export { startHttpServer, type HttpServerOptions, type RunningHttpServer } from './http-server';
export { generateApiToken } from './auth';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server';
