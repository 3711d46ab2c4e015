/**
 * Reading a file the walk found: on the open descriptor (type and size checked there, not on the
 * path the walk saw), in as few file-system calls as that allows.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { SkippedFile } from '../common/knowledge';
import { specialKind } from './walk';

/**
 * Reads a file the walk found, or answers why not. Opened non-blocking and checked on the open
 * descriptor: a path swapped for a FIFO after the walk would otherwise block the job for ever.
 * Not through a link (O_NOFOLLOW where the platform has it): the path is a real path, so a link
 * there now was swapped in after the walk checked where the path leads.
 */
export async function readRegular(path: string, maxBytes: number): Promise<Buffer | SkippedFile> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    return { path, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { path, reason: 'special_file', detail: specialKind(info) };
    if (info.size > maxBytes) return { path, reason: 'too_large', detail: `${info.size} bytes > ${maxBytes}` };
    const bytes = info.size > 0 ? await readSized(handle, info.size) : await handle.readFile();
    return bytes.length > maxBytes ? { path, reason: 'too_large', detail: `${bytes.length} bytes > ${maxBytes}` } : bytes;
  } catch (err) {
    return { path, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * The file's bytes, as many as its open descriptor's fstat reported (a file written meanwhile is
 * read as it was then; its changed mtime re-ingests it next time): `FileHandle.readFile` costs
 * another fstat and a read that finds the end, per file (docs/benchmarks.md "Scale, fourth pass").
 */
async function readSized(handle: FileHandle, size: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(size);
  let length = 0;
  while (length < size) {
    const { bytesRead } = await handle.read(buffer, length, size - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}
