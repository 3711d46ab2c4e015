// A job's file reads in a worker thread (issue 18): the worker must answer what the thread pool's
// reader (read-file.ts) answers for every kind of file, and a worker that fails or is closed must
// lose no read.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPoolReader, createWorkerReader, fileReaderFor, workerReadMinFiles, type FileReader } from '../../core/rag/file-reader';
import { tempDir } from '../support/core-harness';

const dir = realpathSync(tempDir('bruno-reader-'));
const big = Buffer.alloc(3_000_000, 'abcdefghij');
big.write('the end', big.length - 7);
writeFileSync(join(dir, 'big.md'), big);
writeFileSync(join(dir, 'empty.md'), '');
writeFileSync(join(dir, 'small.md'), 'päivää 👋');
const outside = tempDir('bruno-reader-outside-');
writeFileSync(join(outside, 'secret.md'), 'secret');
symlinkSync(join(outside, 'secret.md'), join(dir, 'swapped.md'));
execFileSync('mkfifo', [join(dir, 'pipe.md')]);

const readers: FileReader[] = [];
afterAll(async () => {
  await Promise.all(readers.map((r) => r.close()));
});

/** A worker reader once its worker answers (reads before that go through the pool). */
async function onlineWorkerReader(): Promise<FileReader> {
  const reader = createWorkerReader();
  readers.push(reader);
  for (let i = 0; i < 200 && reader.answered.worker === 0; i++) {
    await reader.read(join(dir, 'small.md'), 100);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(reader.answered.worker).toBeGreaterThan(0);
  return reader;
}

/** Every answer a reader gives for the fixture files, as comparable values. */
async function answers(reader: FileReader) {
  const read = async (name: string, maxBytes: number) => {
    const r = await reader.read(name.startsWith('/') ? name : join(dir, name), maxBytes);
    return Buffer.isBuffer(r) ? { bytes: r.length, sha: r.toString('base64').slice(-16), text: r.length < 100 ? r.toString('utf8') : '' } : r;
  };
  return {
    big: await read('big.md', 5_000_000),
    bigTooLarge: await read('big.md', 1000),
    empty: await read('empty.md', 10),
    small: await read('small.md', 100),
    link: await read('swapped.md', 100),
    fifo: await read('pipe.md', 100),
    directory: await read(dir, 100),
    missing: await read('gone.md', 100),
    // fstat says 0 bytes: read to the end (procfs), and refused past the limit.
    proc: await read('/proc/self/cmdline', 1_000_000),
    procTooLarge: await read('/proc/self/maps', 10),
  };
}

describe('file readers', () => {
  it('the worker answers what the thread pool answers, for every kind of file', async () => {
    const pool = await answers(createPoolReader());
    const worker = await onlineWorkerReader();
    const before = worker.answered.worker;
    const viaWorker = await answers(worker);
    expect(worker.answered.worker - before).toBe(10);
    // The same, but for how far past the limit a file of unknown size was read (the worker stops there).
    expect({ ...viaWorker, procTooLarge: null }).toEqual({ ...pool, procTooLarge: null });
    expect(viaWorker.procTooLarge).toMatchObject({ reason: 'too_large', detail: expect.stringMatching(/^\d+ bytes > 10$/) });
    expect(viaWorker.proc).toMatchObject({ bytes: readFileSync('/proc/self/cmdline').length });
    expect(pool.big).toMatchObject({ bytes: big.length, sha: big.toString('base64').slice(-16) });
    expect(pool.bigTooLarge).toEqual({ path: join(dir, 'big.md'), reason: 'too_large', detail: '3000000 bytes > 1000' });
    expect(pool.empty).toEqual({ bytes: 0, sha: '', text: '' });
    expect(pool.small).toMatchObject({ text: 'päivää 👋' });
    expect(pool.link).toMatchObject({ reason: 'unreadable', detail: 'ELOOP' });
    expect(pool.fifo).toMatchObject({ reason: 'special_file', detail: 'a FIFO (named pipe)' });
    expect(pool.directory).toMatchObject({ reason: 'special_file', detail: 'not a regular file' });
    expect(pool.missing).toMatchObject({ reason: 'unreadable', detail: 'ENOENT' });
    expect(pool.procTooLarge).toMatchObject({ reason: 'too_large' });
  });

  it('reads owed by a worker that dies go through the thread pool; a closed reader answers every read', async () => {
    // A worker that takes the first read and exits without answering it.
    const dying = createWorkerReader(`require('node:worker_threads').parentPort.on('message', () => process.exit(3));`);
    readers.push(dying);
    for (let i = 0; i < 200 && dying.mode() === 'starting'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(dying.mode()).toBe('worker');
    const owed = await Promise.all(Array.from({ length: 5 }, () => dying.read(join(dir, 'small.md'), 100)));
    expect(owed.map((r) => (r as Buffer).toString('utf8'))).toEqual(Array(5).fill('päivää 👋'));
    expect(dying.mode()).toBe('pool');
    expect(dying.answered).toEqual({ worker: 0, pool: 5 });

    const worker = await onlineWorkerReader();
    const reads = Array.from({ length: 20 }, () => worker.read(join(dir, 'big.md'), 5_000_000));
    await worker.close();
    const settled = await Promise.all(reads);
    for (const r of settled) expect(Buffer.isBuffer(r) ? r.length : r).toEqual(Buffer.isBuffer(r) ? big.length : expect.objectContaining({ reason: 'unreadable' }));
    // After close, reads still work (through the pool).
    expect(((await worker.read(join(dir, 'small.md'), 100)) as Buffer).toString('utf8')).toBe('päivää 👋');
  });

  it('a job of fewer than workerReadMinFiles files reads on the thread pool, a larger one in a worker', async () => {
    const small = fileReaderFor(workerReadMinFiles - 1);
    await small.read(join(dir, 'small.md'), 100);
    expect(small.answered).toEqual({ worker: 0, pool: 1 });
    const large = fileReaderFor(workerReadMinFiles);
    readers.push(large);
    for (let i = 0; i < 200 && large.answered.worker === 0; i++) {
      await large.read(join(dir, 'small.md'), 100);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(large.answered.worker).toBeGreaterThan(0);
  });
});
