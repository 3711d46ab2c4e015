/**
 * OLLAMA_HOST follows Ollama's own forms: `host`, `host:port`, `:port`, `0.0.0.0`, with or without
 * a scheme. The server side may bind 0.0.0.0; a client must dial a real address, so that becomes
 * 127.0.0.1. The result is always `scheme://host:port` so error messages show one clear URL.
 */
export function normalizeOllamaHost(raw: string): string {
  let value = raw.trim();
  if (!value) return 'http://127.0.0.1:11434';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = `http://${value.startsWith(':') ? `127.0.0.1${value}` : value}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return raw.trim(); // left for the schema to reject with a clear message
  }
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  if (!url.port) url.port = url.protocol === 'https:' ? '443' : '11434';
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
