import { createServer, type Server, type ServerResponse } from 'node:http';

/**
 * A tiny loopback HTTP server whose answer each test sets, once the request body has been read
 * (handed the request's path, for servers that answer routes differently); it counts the
 * connections it accepted (for keep-alive checks). The caller closes `server`.
 */
export async function answerServer(answer: (res: ServerResponse, path: string) => void): Promise<{ url: string; connections: () => number; server: Server }> {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res, req.url ?? ''));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections, server };
}
