/** Child-process entry of embed-server.ts: serves, says where over IPC, stops when told or orphaned. */
import { startEmbedServer, type FromEmbedChild, type ToEmbedChild } from './embed-server';

const send = (message: FromEmbedChild) => process.send?.(message);
let latencyMs = 0;

startEmbedServer(() => latencyMs)
  .then(({ url, server }) => {
    const stop = () => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    };
    process.on('message', (m: ToEmbedChild) => {
      if (m.type === 'latency') {
        latencyMs = m.ms;
        send({ type: 'latency', id: m.id });
      } else stop();
    });
    process.on('disconnect', stop);
    send({ type: 'ready', url });
  })
  .catch((err: unknown) => {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
