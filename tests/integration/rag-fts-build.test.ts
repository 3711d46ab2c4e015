/**
 * LanceDB 0.31 deadlocks building a full-text index when Lance's CPU pool has one thread (any
 * host with 3 CPUs or fewer): docs/upstream/lancedb-fts-hang.md. The store's `lanceEnvDefaults`
 * avoid it. The build runs in a child process because Lance reads its environment once per
 * process, and `LANCE_CPU_THREADS=1` gives every host the small host's pool.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyLanceEnvDefaults, lanceEnvDefaults } from '../../core/rag/store';
import { repoRoot } from '../support/built-app';
import { tempDir } from '../support/core-harness';

const child = fileURLToPath(new URL('../support/rag-fts-build-child.ts', import.meta.url));

function buildIn(env: Record<string, string>, timeoutMs: number): Promise<{ out: string; timedOut: boolean }> {
  const dir = tempDir('bruno-fts-');
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', FTS_DIR: dir, LANCE_CPU_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  return new Promise<{ out: string; timedOut: boolean }>((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      resolve({ out, timedOut: true });
    }, timeoutMs);
    proc.on('exit', () => {
      clearTimeout(timer);
      resolve({ out, timedOut: false });
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('full-text index builds on a 1-thread Lance CPU pool', () => {
  it('ends (it hung forever with LanceDB 0.31 defaults)', async () => {
    const { out, timedOut } = await buildIn({ FTS_ROWS: '8000' }, 50_000);
    expect(timedOut, `the FTS build did not end within 50 s: ${out}`).toBe(false);
    expect(out).toMatch(/built 8000 in [\d.]+ s, 3 hits/);
  }, 60_000);

  it('keeps a value the user set', () => {
    const env: NodeJS.ProcessEnv = { LANCE_FTS_WRITE_QUEUE_SIZE: '8' };
    applyLanceEnvDefaults(env);
    expect(env).toEqual({ ...lanceEnvDefaults, LANCE_FTS_WRITE_QUEUE_SIZE: '8' });
    expect(env.LANCEDB_LOG).toBe('error');
    expect(lanceEnvDefaults.LANCE_FTS_WRITE_QUEUE_SIZE).toBe('65536');
    // A second Lance CPU thread on small hosts (a search runs beside a build), unless the user chose.
    expect(lanceEnvDefaults.LANCE_CPU_THREADS).toBe(availableParallelism() <= 3 ? '2' : undefined);
    // More async workers than CPUs: an optimize or build on them must not hold every query.
    expect(Number(lanceEnvDefaults.TOKIO_WORKER_THREADS)).toBeGreaterThanOrEqual(8);
    const chosen: NodeJS.ProcessEnv = { LANCE_CPU_THREADS: '6' };
    applyLanceEnvDefaults(chosen);
    expect(chosen.LANCE_CPU_THREADS).toBe('6');
  });
});
