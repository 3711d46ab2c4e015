/**
 * Binary sniffing: a NUL byte in the first 8 KiB, or bytes that are not UTF-8, mean the file is
 * not text the knowledge base can read (images, archives, databases, UTF-16 files).
 */
const decoder = new TextDecoder('utf-8', { fatal: true });

export type Decoded = { ok: true; text: string } | { ok: false; detail: string };

export function decodeText(bytes: Uint8Array): Decoded {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return { ok: false, detail: 'contains NUL bytes' };
  try {
    const text = decoder.decode(bytes);
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { ok: false, detail: 'not valid UTF-8' };
  }
}
