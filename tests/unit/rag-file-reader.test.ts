// A job's file reads in a worker thread (issue 18): the worker must answer what the thread pool's
// reader (read-file.ts) answers for every kind of file, and a worker that fails or is closed must
// lose no read.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPoolReader, createWorkerReader, fileReaderFor, readAheadFiles, workerReadMinFiles, type FileReader } from '../../core/rag/file-reader';
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

const readOne = (reader: FileReader, path: string, maxBytes: number) => reader.stream([path], maxBytes).next();

/** A reader once its worker runs (reads before that go through the pool). */
async function online(reader: FileReader): Promise<FileReader> {
  for (let i = 0; i < 200 && reader.mode() === 'starting'; i++) await new Promise((r) => setTimeout(r, 10));
  expect(reader.mode()).toBe('worker');
  return reader;
}
const onlineWorkerReader = () => {
  const reader = createWorkerReader();
  readers.push(reader);
  return online(reader);
};

/** Every answer a reader gives for the fixture files (one stream a limit), as comparable values. */
async function answers(reader: FileReader) {
  const read = async (name: string, maxBytes: number) => {
    const r = await readOne(reader, name.startsWith('/') ? name : join(dir, name), maxBytes);
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
    const viaWorker = await answers(worker);
    expect(worker.answered).toEqual({ worker: 10, pool: 0 });
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
    // A worker that takes the first stream and exits without answering it.
    const dying = await online(createWorkerReader(`require('node:worker_threads').parentPort.on('message', () => process.exit(3));`));
    readers.push(dying);
    const owed = dying.stream(Array(5).fill(join(dir, 'small.md')), 100);
    const texts = [];
    for (let i = 0; i < 5; i++) texts.push(((await owed.next()) as Buffer).toString('utf8'));
    expect(texts).toEqual(Array(5).fill('päivää 👋'));
    expect(dying.mode()).toBe('pool');
    expect(dying.answered).toEqual({ worker: 0, pool: 5 });

    // Closed with reads owed: each is answered (`unreadable`), and later streams read through the pool.
    const worker = await onlineWorkerReader();
    const stream = worker.stream(Array(20).fill(join(dir, 'big.md')), 5_000_000);
    const first = await stream.next();
    expect((first as Buffer).length).toBe(big.length);
    const owedAtClose = Array.from({ length: 19 }, () => stream.next());
    await worker.close();
    for (const r of await Promise.all(owedAtClose)) {
      if (Buffer.isBuffer(r)) expect(r.length).toBe(big.length);
      else expect(r).toMatchObject({ reason: 'unreadable', detail: 'the ingestion ended before this file was read' });
    }
    expect(((await readOne(worker, join(dir, 'small.md'), 100)) as Buffer).toString('utf8')).toBe('päivää 👋');
  });

  it('closes at once while its worker is blocked in a read (a hung share), answering the reads it owed', async () => {
    // A worker stuck in a system call: opening a FIFO for reading blocks until a writer comes.
    const hang = join(dir, 'hang.fifo');
    execFileSync('mkfifo', [hang]);
    const stuck = await online(createWorkerReader(`require('node:worker_threads').parentPort.on('message', () => require('node:fs').openSync(${JSON.stringify(hang)}, 'r'));`));
    const owed = stuck.stream([join(dir, 'small.md')], 100).next();
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await stuck.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await owed).toMatchObject({ reason: 'unreadable', detail: 'the ingestion ended before this file was read' });
    // A cancelled job's read blocked there is answered at once too (the job then stops).
    const again = await online(createWorkerReader(`require('node:worker_threads').parentPort.on('message', () => require('node:fs').openSync(${JSON.stringify(hang)}, 'r'));`));
    readers.push(again);
    const cancel = new AbortController();
    const blocked = again.stream([join(dir, 'small.md')], 100, cancel.signal).next();
    setTimeout(() => cancel.abort(), 50);
    expect(await blocked).toMatchObject({ reason: 'unreadable', detail: 'the ingestion was cancelled' });
    // And a stream over a signal already aborted answers at once.
    expect(await createPoolReader().stream([join(dir, 'small.md')], 100, cancel.signal).next()).toMatchObject({ detail: 'the ingestion was cancelled' });
    // Let the stuck threads go (a writer's open releases every reader blocked opening the FIFO).
    closeSync(openSync(hang, constants.O_WRONLY | constants.O_NONBLOCK));
  });

  it('reads a long stream in order with at most a few files ahead, handing over from the pool to the worker', async () => {
    const many = Array.from({ length: 300 }, (_, i) => {
      const path = join(dir, `n-${i}.md`);
      writeFileSync(path, `file ${i}`);
      return path;
    });
    // Started before its worker runs: the first files through the pool, the rest through the worker.
    const reader = createWorkerReader();
    readers.push(reader);
    const stream = reader.stream(many, 100);
    const got: string[] = [];
    for (let i = 0; i < many.length; i++) {
      got.push(((await stream.next()) as Buffer).toString('utf8'));
      if (i === 0) await online(reader);
    }
    expect(got).toEqual(many.map((_, i) => `file ${i}`));
    expect(reader.answered.pool).toBeGreaterThan(0);
    expect(reader.answered.pool).toBeLessThanOrEqual(readAheadFiles + 1);
    expect(reader.answered.worker + reader.answered.pool).toBe(many.length);
    // Taking no more files: the worker stops a few files ahead (its credit), not at the end.
    const held = reader.stream(many, 100);
    await held.next();
    await new Promise((r) => setTimeout(r, 200));
    expect(reader.answered.worker + reader.answered.pool - many.length).toBeLessThanOrEqual(readAheadFiles + 1);
  });

  it('a job of fewer than workerReadMinFiles files reads on the thread pool, a larger one in a worker', async () => {
    const small = fileReaderFor(workerReadMinFiles - 1);
    await readOne(small, join(dir, 'small.md'), 100);
    expect(small.answered).toEqual({ worker: 0, pool: 1 });
    expect(small.mode()).toBe('pool');
    const large = fileReaderFor(workerReadMinFiles);
    readers.push(large);
    await online(large);
    await readOne(large, join(dir, 'small.md'), 100);
    expect(large.answered).toEqual({ worker: 1, pool: 0 });
  });
});
