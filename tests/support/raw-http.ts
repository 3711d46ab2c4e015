import { request } from 'node:http';

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
