import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 (port 0 = a free one) and resolves to the bound port; rejects on a bind error. */
export async function listenOnLoopback(server: { listen(port: number, host: string, cb: () => void): unknown; once(event: 'error', cb: (err: Error) => void): unknown; off(event: 'error', cb: (err: Error) => void): unknown; address(): unknown }, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
