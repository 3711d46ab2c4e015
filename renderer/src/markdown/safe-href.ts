/** The link guard of the Markdown tree: only absolute http(s) URLs without credentials survive. */
export function safeHref(raw: string): string | null {
  const trimmed = raw.trim().replace(/^<|>$/g, '');
  if (!/^https?:\/\//i.test(trimmed)) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  return url.href;
}
