import { request } from 'node:http';
import { connect } from 'node:net';

/**
 * The status of a GET with a chosen Host header. fetch cannot send one (it is a forbidden header),
 * and the Host checks against DNS rebinding are exactly what a test must reach.
 */
export function statusWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { headers: { ...headers, host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends `requestText` as is on a new connection and resolves with the status line's code (0 when
 * the server closed without one). For request targets fetch would normalise or refuse (`//[`).
 */
export function rawStatus(url: string, requestText: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise<number>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(requestText));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      reply += d;
      const code = /^HTTP\/1\.1 (\d{3})/.exec(reply);
      if (code) {
        socket.destroy();
        resolve(Number(code[1]));
      }
    });
    socket.on('close', () => resolve(0));
    socket.on('error', reject);
  });
}
