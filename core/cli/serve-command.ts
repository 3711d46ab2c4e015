import { fileURLToPath } from 'node:url';
import type { Settings } from '../config';
import { tokenFragmentKey } from '../common/http-api';
import type { Core } from '../runtime';
import { generateApiToken, startHttpServer, startMetricsServer, type MetricsServer } from '../server';
import type { CliIo } from './io';

/** The built renderer sits next to the built CLI (`out/main/cli.js` -> `out/renderer`). */
export const defaultStaticDir = fileURLToPath(new URL('../renderer/', import.meta.url));

/** `agent-bruno serve`: headless mode. Resolves when interrupted and shut down. */
export async function serveCommand(core: Core, settings: Settings, io: CliIo, staticDir = defaultStaticDir): Promise<number> {
  const token = settings.server.apiToken ?? generateApiToken();
  const server = await startHttpServer({ core, host: settings.server.host, port: settings.server.port, token, staticDir });
  io.stdout.write(`Agent Bruno is serving on ${server.url}/#${tokenFragmentKey}=${token}\n`);
  io.stdout.write(`API: POST ${server.url}/api/v1/chat with "Authorization: Bearer ${token}". Ollama: ${settings.ollamaHost}. Ctrl-C stops.\n`);
  let metrics: MetricsServer | null = null;
  try {
    metrics = await startMetricsServer({ registry: core.telemetry.registry, addr: settings.telemetry.metricsAddr, token: settings.telemetry.metricsToken, audit: core.audit });
    if (metrics) io.stdout.write(`Prometheus metrics: ${metrics.url}\n`);
  } catch (err) {
    // /metrics is an extra: the chat and the UI work without it.
    io.stderr.write(`warning: /metrics is off: ${(err as Error).message}\n`);
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(settings.server.host)) {
    io.stderr.write(`warning: listening on ${settings.server.host}, beyond loopback; anyone with the token can use it.\n`);
  }
  await new Promise<void>((resolve) => {
    const remove = io.onInterrupt(() => {
      remove();
      resolve();
    });
  });
  await Promise.all([server.close(), metrics?.close()]);
  return 0;
}
