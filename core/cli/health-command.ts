import type { Core } from '../runtime';
import { exitCodes, type CliIo } from './io';

/** `agent-bruno health`: exit 0 when everything is up, 1 otherwise. */
export async function healthCommand(core: Core, io: CliIo, json: boolean): Promise<number> {
  const state = await core.handlers['health.get'](undefined);
  if (json) io.stdout.write(JSON.stringify(state) + '\n');
  else {
    const o = state.ollama;
    io.stdout.write(`status: ${state.status}\n`);
    io.stdout.write(o.reachable ? `ollama: ${o.url} (version ${o.version}), loaded: ${o.loadedModels.join(', ') || 'none'}\n` : `ollama: ${o.error}\n`);
    const e = state.export;
    io.stdout.write(e.status === 'off' ? 'otlp export: off (set OTEL_EXPORTER_OTLP_ENDPOINT to send traces, metrics and logs)\n' : `otlp export: ${e.status} to ${e.endpoint} (${e.protocol})${e.lastError ? `, last error: ${e.lastError}` : ''}\n`);
  }
  return state.status === 'ok' ? exitCodes.ok : exitCodes.failed;
}
