export * from './errors';
export * from './turn';
export * from './health';
export * from './contract';
export * from './emitter';
export * from './http-api';
export * from './security';
