import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, logFilePath, type EmitOtlp, type LogLine } from '../../core/telemetry/logging';

const service = { name: 'agent-bruno', version: '1.2.3', environment: 'test', instanceId: 'desk-1' };
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bruno-logfile-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function readLines(path: string): LogLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
}

describe('log file location', () => {
  it('is <dataDir>/logs/agent-bruno.log, the logs directory created when missing', async () => {
    const dataDir = join(tempDir(), 'fresh', 'data');
    const logger = createLogger({ service, dataDir, report: () => {} });
    logger.info('hello');
    await logger.close();
    const path = join(dataDir, 'logs', 'agent-bruno.log');
    expect(logFilePath(dataDir)).toBe(path);
    expect(logger.stats().filePath).toBe(path);
    expect(readLines(path).map((l) => l.message)).toEqual(['hello']);
  });

  it('appends to the file a previous run left', async () => {
    const dataDir = tempDir();
    for (const message of ['first run', 'second run']) {
      const logger = createLogger({ service, dataDir, report: () => {} });
      logger.info(message);
      await logger.close();
    }
    expect(readLines(logFilePath(dataDir)).map((l) => l.message)).toEqual(['first run', 'second run']);
  });
});

describe('rotation by size', () => {
  it('rotates before the size limit and keeps the N newest files', async () => {
    const dataDir = tempDir();
    const maxBytes = 2_000;
    const maxFiles = 3;
    const logger = createLogger({ service, dataDir, report: () => {}, file: { maxBytes, maxFiles } });
    const total = 100;
    for (let i = 0; i < total; i++) logger.info(`line ${i}`, { i, padding: 'x'.repeat(100) });
    await logger.close();

    const path = logFilePath(dataDir);
    const files = readdirSync(join(dataDir, 'logs')).sort();
    expect(files).toEqual(['agent-bruno.log', 'agent-bruno.log.1', 'agent-bruno.log.2', 'agent-bruno.log.3']);
    for (const name of files) expect(statSync(join(dataDir, 'logs', name)).size).toBeLessThanOrEqual(maxBytes);

    // Oldest to newest: .3, .2, .1, live; together they are the last lines, none missing, none twice.
    const kept = [`${path}.3`, `${path}.2`, `${path}.1`, path].flatMap((p) => readLines(p).map((l) => l.context.i as number));
    expect(kept.at(-1)).toBe(total - 1);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => total - kept.length + k));
    expect(kept.length).toBeLessThan(total);
  });

  it('counts the size of a file a previous run left', async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    writeFileSync(logFilePath(dataDir), `${'{}'.padEnd(900, ' ')}\n`);
    const logger = createLogger({ service, dataDir, report: () => {}, file: { maxBytes: 1_000, maxFiles: 2 } });
    logger.info('this line does not fit next to the old ones', { padding: 'x'.repeat(100) });
    await logger.close();
    expect(readLines(logFilePath(dataDir)).map((l) => l.message)).toEqual(['this line does not fit next to the old ones']);
    expect(existsSync(`${logFilePath(dataDir)}.1`)).toBe(true);
  });
});

describe('a data dir that cannot hold logs', () => {
  it('gives one clear line, keeps running without a file, and still feeds the other sinks', async () => {
    const parent = tempDir();
    // A file where the data dir should be: mkdir fails even for root, unlike a chmod.
    const dataDir = join(parent, 'not-a-dir');
    writeFileSync(dataDir, 'x');
    const reports: string[] = [];
    const records: Parameters<EmitOtlp>[0][] = [];
    const logger = createLogger({
      service,
      dataDir,
      report: (line) => reports.push(line),
      emitOtlp: (r) => records.push(r),
    });

    expect(() => logger.error('still works')).not.toThrow();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^agent-bruno: cannot write the log file .*not-a-dir.*logs.*agent-bruno\.log \(.*\); logging to a file is off$/);
    expect(reports[0]).not.toContain('\n');
    expect(logger.stats()).toMatchObject({ filePath: null, fileProblem: reports[0] });
    expect(records.map((r) => r.body)).toEqual(['still works']);
    logger.flush();
    await logger.close();
  });
});

describe('a disk that fails writes', () => {
  // /dev/full answers every write with ENOSPC; pino's own destination would hang on it.
  it.skipIf(!existsSync('/dev/full'))('drops and counts the lines instead of hanging or throwing', async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'logs'));
    symlinkSync('/dev/full', logFilePath(dataDir));
    const reports: string[] = [];
    const logger = createLogger({ service, dataDir, report: (line) => reports.push(line) });
    const start = Date.now();
    for (let i = 0; i < 5; i++) expect(() => logger.info(`line ${i}`)).not.toThrow();
    logger.flush();
    await logger.close();
    expect(Date.now() - start).toBeLessThan(1_000);
    expect(logger.stats().dropped.file).toBe(5);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/lost at "file" \(ENOSPC/);
  });
});

describe('close', () => {
  it('is idempotent and later lines are ignored by the file, not thrown', async () => {
    const dataDir = tempDir();
    const logger = createLogger({ service, dataDir, report: () => {} });
    logger.info('before');
    await logger.close();
    await logger.close();
    expect(() => logger.info('after')).not.toThrow();
    expect(readLines(logFilePath(dataDir)).map((l) => l.message)).toEqual(['before']);
  });
});
