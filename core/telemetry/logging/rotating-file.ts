import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';

export interface RotatingFileOptions {
  path: string;
  /** Rotate before a line would take the file past this size. */
  maxBytes: number;
  /** Rotated files kept next to the live one: `<path>.1` (newest) .. `<path>.<maxFiles>`. */
  maxFiles: number;
  /** Asynchronous stream errors and failed rotations; the file keeps going where it can. */
  onError: (err: unknown) => void;
}

export interface RotatingFile {
  readonly path: string;
  write(line: string): void;
  flush(): void;
  close(): Promise<void>;
}

/**
 * A size-rotated log file on top of `pino.destination` (SonicBoom). No rotation package is
 * installed (no pino-roll, no rotating-file-stream), and pino-roll would also move writing into a
 * worker thread. Here the destination is synchronous, so size accounting is exact, rotation
 * (rename the chain, then `reopen()`) happens between two lines, and a crash loses nothing; one
 * write per line is cheap at a desktop agent's log rate. A single process writes the file: two
 * processes rotating the same path would each rename the other's file away.
 *
 * Throws when the directory or the file cannot be created or opened, so the caller can say so
 * once and carry on without a file.
 */
export function openRotatingFile(options: RotatingFileOptions): RotatingFile {
  const { path, maxBytes, maxFiles, onError } = options;
  mkdirSync(dirname(path), { recursive: true });
  // Open once ourselves: SonicBoom reports a failed open only later, as an event.
  const probe = openSync(path, 'a');
  let size: number;
  try {
    size = fstatSync(probe).size;
  } finally {
    closeSync(probe);
  }

  const destination = pino.destination({ dest: path, sync: true, append: true, mkdir: false });
  destination.on('error', onError);
  let closed = false;

  function rotate(): void {
    try {
      destination.flushSync();
      if (maxFiles > 0) {
        rmSync(`${path}.${maxFiles}`, { force: true });
        for (let i = maxFiles - 1; i >= 1; i--) {
          if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
        }
        renameSync(path, `${path}.1`);
      } else {
        rmSync(path, { force: true });
      }
      destination.reopen();
    } catch (err) {
      onError(err);
    }
    // Also after a failure: the next attempt comes after another maxBytes, not on every line.
    size = 0;
  }

  return {
    path,
    write(line) {
      if (closed) return;
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) rotate();
      destination.write(line);
      size += bytes;
    },
    flush() {
      if (!closed) destination.flushSync();
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((resolve) => {
        destination.once('close', () => resolve());
        destination.once('error', () => resolve());
        destination.end();
      });
    },
  };
}
