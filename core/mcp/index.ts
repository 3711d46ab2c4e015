export { createBrunoMcp, type BrunoMcp, type BrunoMcpDeps } from './bruno-mcp-server';
export { handleMcpPost, refuseMcpMethod } from './http-transport';
export { serveMcpOverStdio } from './stdio-transport';
