import { writeSync } from 'node:fs';

/**
 * Writes all of `text` to `fd` synchronously and returns the bytes written. The string goes to
 * the kernel as it is; only a short write (rare: a full disk, a signal) copies it into a Buffer to
 * go on from where it stopped. Throws when a write fails or makes no progress; the error then
 * carries `bytesWritten`, what reached the file before it (for callers that count the file's size).
 */
export function writeWholeSync(fd: number, text: string): number {
  const length = Buffer.byteLength(text, 'utf8');
  let written = 0;
  try {
    written = writeSync(fd, text);
    if (written < length) {
      const bytes = Buffer.from(text, 'utf8');
      while (written < length) {
        const n = writeSync(fd, bytes, written, length - written);
        if (n <= 0) throw new Error(`write made no progress (${written} of ${length} bytes written)`);
        written += n;
      }
    }
    return written;
  } catch (err) {
    throw Object.assign(err instanceof Error ? err : new Error(String(err)), { bytesWritten: written });
  }
}

/** The bytes a failed `writeWholeSync` got into the file before it failed (0 for any other error). */
export function bytesWrittenBefore(err: unknown): number {
  const n = (err as { bytesWritten?: unknown } | null)?.bytesWritten;
  return typeof n === 'number' ? n : 0;
}
