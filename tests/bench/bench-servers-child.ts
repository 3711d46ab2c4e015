/**
 * Child-process entry of bench-servers.ts: starts the servers, says where they listen over IPC,
 * answers count requests, and stops when told to or when the parent goes away.
 */
import { startServersHere, type FromChild, type ToChild } from './bench-servers';

const send = (message: FromChild) => process.send?.(message);

async function main(): Promise<void> {
  const replyTokens = Number(process.argv[2] ?? '2000');
  const servers = await startServersHere({ replyTokens });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await servers.close();
    process.disconnect?.();
    process.exit(0);
  };
  process.on('message', (message: ToChild) => {
    if (message.type === 'counts') void servers.counts().then((counts) => send({ type: 'counts', id: message.id, counts }));
    else if (message.type === 'close') void stop();
  });
  process.on('disconnect', () => void stop());
  send({ type: 'ready', ollamaUrl: servers.ollamaUrl, okCollectorUrl: servers.okCollectorUrl, hangCollectorUrl: servers.hangCollectorUrl });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
