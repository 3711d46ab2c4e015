import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The kernel decides how much one write takes: this lets a test make it take less (or nothing).
const limit = vi.hoisted(() => ({ perCall: Infinity }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = (fd: number, data: string | Buffer, offset?: number, length?: number): number => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const start = typeof data === 'string' ? 0 : (offset ?? 0);
    const want = typeof data === 'string' ? bytes.length : (length ?? bytes.length - start);
    const take = Math.min(want, limit.perCall);
    return take === 0 ? 0 : fs.writeSync(fd, bytes, start, take);
  };
  return { ...fs, writeSync, default: { ...fs, writeSync } };
});

const { bytesWrittenBefore, writeWholeSync } = await import('../../core/fs/write-whole');

function tempFile(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'write-whole-')), 'f');
  return { path, fd: openSync(path, 'a') };
}

afterEach(() => {
  limit.perCall = Infinity;
});

describe('writeWholeSync', () => {
  it('writes the whole text in one call and returns its bytes (UTF-8, not characters)', () => {
    const { path, fd } = tempFile();
    expect(writeWholeSync(fd, 'héllo ✓\n')).toBe(Buffer.byteLength('héllo ✓\n'));
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('héllo ✓\n');
  });

  it('goes on after short writes until everything is in the file', () => {
    const { path, fd } = tempFile();
    limit.perCall = 3;
    const text = 'a line longer than three bytes, ✓ included\n';
    expect(writeWholeSync(fd, text)).toBe(Buffer.byteLength(text));
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('throws when a write makes no progress, saying how much got in, instead of looping', () => {
    const { fd } = tempFile();
    limit.perCall = 0;
    let caught: unknown;
    try {
      writeWholeSync(fd, 'never written\n');
    } catch (err) {
      caught = err;
    }
    closeSync(fd);
    expect((caught as Error).message).toMatch(/no progress \(0 of 14 bytes/);
    expect(bytesWrittenBefore(caught)).toBe(0);
  });

  it('passes a failed write on with the bytes it wrote before failing', () => {
    const full = openSync('/dev/full', 'w');
    let caught: unknown;
    try {
      writeWholeSync(full, 'x'.repeat(10));
    } catch (err) {
      caught = err;
    }
    closeSync(full);
    expect((caught as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(bytesWrittenBefore(caught)).toBe(0);
    expect(bytesWrittenBefore(new Error('other'))).toBe(0);
  });
});
