import { copyFile, link, open, rename, unlink } from 'node:fs/promises';
import { readJournalBytes } from './journal';

/**
 * The file operations the journal's reading and compaction need, passed in so a test can fail or
 * stop any one of them (a crash between writing the compacted file and renaming it, a full disk).
 */
export interface JournalFs {
  /** The whole file; empty when it does not exist. */
  readFile(path: string): Promise<Buffer>;
  /** Byte ranges of a file, read through one handle, in the order asked. */
  readRanges(path: string, ranges: readonly { offset: number; length: number }[]): Promise<Buffer[]>;
  /** Creates or truncates `path`, writes the chunks, fsyncs and closes it. */
  writeSynced(path: string, chunks: readonly Buffer[]): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  /** Removes a file; one that is not there is fine. */
  remove(path: string): Promise<void>;
  /** fsyncs a folder, so a rename in it survives a power cut (best effort where unsupported). */
  syncDir(path: string): Promise<void>;
}

// writev takes at most IOV_MAX (1024) buffers at a time.
const iovMax = 1024;

export const nodeJournalFs: JournalFs = {
  readFile: readJournalBytes,
  async readRanges(path, ranges) {
    const handle = await open(path, 'r');
    try {
      const out: Buffer[] = [];
      for (const { offset, length } of ranges) {
        const buffer = Buffer.allocUnsafe(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
          if (bytesRead === 0) throw new Error(`${path} ends before byte ${offset + length} (it was changed by something else)`);
          got += bytesRead;
        }
        out.push(buffer);
      }
      return out;
    } finally {
      await handle.close();
    }
  },
  async writeSynced(path, chunks) {
    const handle = await open(path, 'w', 0o600);
    try {
      for (let i = 0; i < chunks.length; i += iovMax) {
        const batch = chunks.slice(i, i + iovMax);
        const total = batch.reduce((n, b) => n + b.length, 0);
        let { bytesWritten } = await handle.writev(batch);
        // A short write (a signal, a nearly full disk) goes on from where it stopped.
        if (bytesWritten < total) {
          const rest = Buffer.concat(batch).subarray(bytesWritten);
          for (let done = 0; done < rest.length; ) {
            const n = (await handle.write(rest, done)).bytesWritten;
            if (n <= 0) throw new Error(`write to ${path} made no progress`);
            done += n;
          }
          bytesWritten = total;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename,
  link,
  copyFile,
  async remove(path) {
    try {
      await unlink(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  },
  async syncDir(path) {
    let handle: Awaited<ReturnType<typeof open>> | null = null;
    try {
      handle = await open(path, 'r');
      await handle.sync();
    } catch {
      // Some file systems cannot fsync a folder; the rename is still atomic there.
    } finally {
      await handle?.close().catch(() => {});
    }
  },
};
