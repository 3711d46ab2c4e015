/**
 * What a file's bytes are. Text: no NUL byte in the first 8 KiB and valid UTF-8 (images, archives,
 * databases and UTF-16 files are not text the knowledge base can read). PDF: the `%PDF-` header,
 * whatever the name says, and a file named .pdf without it is not read as anything else.
 */
import type { SkipReason } from '../common/knowledge';
import type { FileKind } from './file-kinds';

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

const pdfMagic = Buffer.from('%PDF-', 'latin1');

/** Where the `%PDF-` header starts within the first KiB (PDF readers accept junk before it), or -1. */
export function pdfHeaderAt(bytes: Uint8Array): number {
  // Buffer's native search: a byte-by-byte loop here was 2-4% of a Markdown job's main thread
  // (every text file scanned its first KiB), docs/benchmarks.md "Scale, session 9".
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 1024)).indexOf(pdfMagic);
}

export type Sniffed = { ok: true; as: 'pdf' } | { ok: true; as: 'text'; text: string } | { ok: false; reason: SkipReason; detail: string };

/** Reads the bytes of a file whose name suggested `kind`. */
export function sniff(kind: FileKind, bytes: Uint8Array): Sniffed {
  const header = pdfHeaderAt(bytes);
  // A PDF under another name counts only with the header at byte 0, so a text that merely
  // mentions "%PDF-" near its start stays text.
  if (header === 0 || (kind === 'pdf' && header > 0)) return { ok: true, as: 'pdf' };
  if (kind === 'pdf') return { ok: false, reason: 'unreadable', detail: 'not a PDF: no %PDF- header' };
  const decoded = decodeText(bytes);
  return decoded.ok ? { ok: true, as: 'text', text: decoded.text } : { ok: false, reason: 'binary', detail: decoded.detail };
}
