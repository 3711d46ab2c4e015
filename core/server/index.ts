export { startHttpServer, type HttpServerOptions, type RunningHttpServer } from './http-server';
export { generateApiToken } from './auth';
