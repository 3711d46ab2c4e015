import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { bytesWrittenBefore, writeWholeSync } from '../../fs/write-whole';

export interface RotatingFileOptions {
  path: string;
  /** Rotate before a line would take the file past this size. */
  maxBytes: number;
  /** Rotated files kept next to the live one: `<path>.1` (newest) .. `<path>.<maxFiles>`. */
  maxFiles: number;
  /** A rotation that failed; the line is still written, to the file as it is. */
  onRotateError: (err: unknown) => void;
}

/** The destination pino writes its lines into. */
export interface RotatingFile {
  readonly path: string;
  /** Throws when the line cannot be written; the caller counts it. Nothing is kept for later. */
  write(line: string): void;
  close(): void;
}

/**
 * A size-rotated log file. No rotation package is installed (no pino-roll, no
 * rotating-file-stream), so this is the small version: a descriptor, `writeSync` per line, and
 * between two lines, rotation (close, rename the chain, open a new file). Synchronous, so size
 * accounting is exact and a crash loses nothing; a write per line is cheap at a desktop agent's
 * log rate.
 *
 * Not `pino.destination` (SonicBoom), though it is what pino writes to by default: in sync mode a
 * failed write stays in its buffer and is retried, so with a full disk the buffer grows without
 * bound, and its `flushSync()` then retries forever with 100 ms sleeps (tried with /dev/full) -
 * a hang inside a log call. Here a line that cannot be written is dropped and counted.
 *
 * One process per file: two processes rotating the same path would rename each other's file away.
 * Throws when the directory or the file cannot be created or opened.
 */
export function openRotatingFile(options: RotatingFileOptions): RotatingFile {
  const { path, maxBytes, maxFiles, onRotateError } = options;
  mkdirSync(dirname(path), { recursive: true });
  let fd: number | null = openSync(path, 'a');
  let size = fstatSync(fd).size;
  let closed = false;

  function shiftChain(): void {
    if (maxFiles <= 0) {
      rmSync(path, { force: true });
      return;
    }
    rmSync(`${path}.${maxFiles}`, { force: true });
    for (let i = maxFiles - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    renameSync(path, `${path}.1`);
  }

  function rotate(): void {
    // Closed before renaming: Windows refuses to rename a file that is open elsewhere.
    closeQuietly();
    try {
      shiftChain();
    } catch (err) {
      onRotateError(err);
    }
    // Also after a failure: the next attempt comes after another maxBytes, not on every line.
    size = 0;
  }

  function closeQuietly(): void {
    if (fd === null) return;
    try {
      closeSync(fd);
    } catch {
      // Already gone; nothing to release.
    }
    fd = null;
  }

  return {
    path,
    write(line) {
      if (closed) return;
      if (size > 0 && size + Buffer.byteLength(line, 'utf8') > maxBytes) rotate();
      // Reopened lazily, so a file that vanished or a failed rotation heals on the next line.
      fd ??= openSync(path, 'a');
      try {
        size += writeWholeSync(fd, line);
      } catch (err) {
        size += bytesWrittenBefore(err);
        closeQuietly();
        throw err;
      }
    },
    close() {
      closed = true;
      closeQuietly();
    },
  };
}
