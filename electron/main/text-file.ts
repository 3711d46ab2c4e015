/**
 * One small file in the data dir (window state, encrypted secrets): read whole, written whole
 * and atomically (temp file + rename), so a crash mid-write leaves the old content, never half.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TextFileLike {
  /** null when the file does not exist. */
  read(): string | null;
  write(text: string): void;
}

export function textFile(path: string, opts: { mode?: number } = {}): TextFileLike {
  const mode = opts.mode ?? 0o644;
  return {
    read() {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    write(text) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, text, { encoding: 'utf8', mode });
        // `mode` only applies when the file is created; a leftover temp file keeps its old one.
        chmodSync(tmp, mode);
        renameSync(tmp, path);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
    },
  };
}
