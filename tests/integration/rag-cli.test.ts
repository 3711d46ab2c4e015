// `agent-bruno ingest` / `agent-bruno search` as a user runs them (the built app), including a
// kill -9 in the middle of an ingestion and a store the user cannot write to.
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { assertBuilt, cliBin, runCliProcess } from '../support/built-app';
import { tempDir } from '../support/core-harness';

let fake: FakeOllama;
beforeAll(async () => {
  assertBuilt();
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake?.close();
});

const envFor = (dataDir: string, extra: Record<string, string> = {}) => ({ OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: dataDir, BRUNO_METRICS_ADDR: '', BRUNO_KB_ALLOWED_ROOTS: tmpdir(), ...extra });

function corpus(files: number): string {
  const root = tempDir('bruno-cli-kb-');
  for (let i = 0; i < files; i++) {
    const body = Array.from({ length: 6 }, (_, p) => `Note ${i} paragraph ${p}: host${i} runs service${p} with a fairly long explanation that fills a chunk.`).join('\n\n');
    writeFileSync(join(root, `note-${String(i).padStart(2, '0')}.md`), `# Note ${i}\n\n${body}\n`);
  }
  return root;
}

/** Rows and distinct ids of the chunk table, and the files' commit markers, read straight from LanceDB. */
async function storeCounts(store: string): Promise<{ rows: number; ids: number; files: number; fileChunks: number }> {
  const lancedb = await import('@lancedb/lancedb');
  const db = await lancedb.connect(store);
  const names = await db.tableNames();
  const chunkTable = names.find((n) => n.startsWith('kb_chunks__'));
  const rows = chunkTable ? ((await (await db.openTable(chunkTable)).query().select(['id']).toArray()) as { id: string }[]) : [];
  const files = names.includes('kb_files') ? ((await (await db.openTable('kb_files')).query().select(['chunks']).toArray()) as { chunks: number }[]) : [];
  db.close();
  return { rows: rows.length, ids: new Set(rows.map((r) => r.id)).size, files: files.length, fileChunks: files.reduce((s, f) => s + Number(f.chunks), 0) };
}

describe('agent-bruno ingest / search', () => {
  it('ingests with plain progress lines, searches in each mode, and exits with the right codes', async () => {
    const dataDir = tempDir();
    const root = corpus(3);
    writeFileSync(join(root, 'blob.txt'), Buffer.from([1, 0, 2]));
    const ingest = await runCliProcess(['ingest', root], envFor(dataDir), 30_000);
    expect(ingest.stderr).toMatch(/files 4\/4/);
    expect(ingest.stdout).toMatch(/ingested 3 file\(s\) \(\d+ chunks\), 0 unchanged, 0 removed, 1 skipped/);
    expect(ingest.stdout).toContain(`skipped ${join(root, 'blob.txt')}: binary`);
    expect(ingest.code).toBe(0);

    const again = await runCliProcess(['ingest', root, '--json'], envFor(dataDir), 30_000);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ filesIngested: 0, filesUnchanged: 3, embeddingVersion: 'nomic-embed-text@768' });

    const search = await runCliProcess(['search', 'host1 service2', '-k', '2'], envFor(dataDir), 30_000);
    expect(search.code).toBe(0);
    expect(search.stdout).toMatch(/^1\. .*note-01\.md - Note 1 {2}\[fused -?[\d.]+ \| vector [\d.]+ #\d+ \| fts [\d.]+ #1\]/);
    expect(search.stdout).toMatch(/\(hybrid, convex fusion, 2 of k=2, \d+ ms\)/);
    // Reciprocal rank fusion on request: the file's score is 1/(60+1) from each list.
    const rrf = await runCliProcess(['search', 'host1 service2', '-k', '2', '--fusion', 'rrf', '--json'], envFor(dataDir), 30_000);
    expect(JSON.parse(rrf.stdout)).toMatchObject({ mode: 'hybrid', fusion: 'rrf', hits: [{ path: join(root, 'note-01.md'), score: expect.closeTo(2 / 61, 9) }, {}] });
    const badFusion = await runCliProcess(['search', 'host1', '--fusion', 'borda'], envFor(dataDir));
    expect(badFusion.code).toBe(2);
    expect(badFusion.stderr).toMatch(/knowledge\.fusion: must be 'convex' or 'rrf'/);

    const json = await runCliProcess(['search', 'host2', '--mode', 'fts', '--json'], envFor(dataDir), 30_000);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ mode: 'fts', k: 8 });
    expect(result.hits[0].path).toBe(join(root, 'note-02.md'));
    expect(result.hits[0].scores.fts).toBeGreaterThan(0);

    expect((await runCliProcess(['search', 'nothing-like-this', '--mode', 'fts'], envFor(dataDir))).stdout).toMatch(/no matches/);
    expect((await runCliProcess(['search'], envFor(dataDir))).code).toBe(2);
    expect((await runCliProcess(['search', 'x', '--mode', 'semantic'], envFor(dataDir))).code).toBe(2);
    expect((await runCliProcess(['search', 'x', '-k', '0'], envFor(dataDir))).code).toBe(2);
    expect((await runCliProcess(['ingest'], envFor(dataDir))).code).toBe(2);
    const missing = await runCliProcess(['ingest', join(root, 'missing')], envFor(dataDir));
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('No such file or folder') });
    const noModel = await runCliProcess(['ingest', root], envFor(dataDir, { BRUNO_EMBED_MODEL: 'bge-m3' }));
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain('run `ollama pull bge-m3`');
  }, 60_000);

  it('resumes after kill -9 in the middle of an ingestion without duplicate chunks', async () => {
    const dataDir = tempDir();
    // Small commits and slow embeddings, so the kill lands between commits.
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ knowledge: { writeBatchChunks: 4, embedBatchSize: 4 } }));
    // Many more files than the kill waits for: the pipelined ingestion writes ahead of its progress
    // line. At least file-reader.ts workerReadMinFiles, so the built CLI reads them in its worker.
    const files = 80;
    const root = corpus(files);
    await fake.configure({ promptEvalMs: 100 });
    try {
      const child = spawn(process.execPath, [cliBin, 'ingest', root], { env: { PATH: process.env.PATH ?? '', ...envFor(dataDir) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? -1 : code)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no progress: ${err}`)), 20_000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const done = [...err.matchAll(new RegExp(`files (\\d+)/${files}`, 'g'))].map((m) => Number(m[1]));
          if (done.some((n) => n >= 8)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      child.kill('SIGKILL');
      expect(await exited).toBe(-1);
    } finally {
      await fake.configure({ promptEvalMs: 0 });
    }
    const store = join(dataDir, 'lancedb');
    const partial = await storeCounts(store);
    expect(partial.files).toBeGreaterThan(0);
    expect(partial.files).toBeLessThan(files);

    const resumed = await runCliProcess(['ingest', root, '--json'], envFor(dataDir), 60_000);
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.filesUnchanged).toBe(partial.files);
    expect(summary.filesIngested).toBe(files - partial.files);

    const after = await storeCounts(store);
    expect(after.files).toBe(files);
    expect(after.ids).toBe(after.rows);
    expect(after.rows).toBe(after.fileChunks);
    // the same corpus ingested in one go has exactly as many chunks
    const fresh = await runCliProcess(['ingest', root, '--json'], envFor(tempDir()), 60_000);
    expect(JSON.parse(fresh.stdout).chunksAdded).toBe(after.rows);
  }, 90_000);

  it('a read-only store: ingest fails naming the store, search still answers', async () => {
    const dataDir = tempDir();
    const root = corpus(2);
    const store = join(dataDir, 'lancedb');
    expect((await runCliProcess(['ingest', root], envFor(dataDir), 30_000)).code).toBe(0);
    const asRoot = process.getuid?.() === 0;
    // root writes through permission bits: run the CLI as nobody against a root-owned store.
    const userDir = tempDir('bruno-user-');
    for (const dir of [dataDir, root, userDir]) chmodSync(dir, asRoot ? 0o755 : 0o555);
    chmodSync(userDir, 0o777);
    // readable by everyone (Lance writes some files 0600), writable by nobody but root
    if (asRoot) chmodTree(store, 0o644, 0o755);
    else chmodTree(store, 0o444, 0o555);
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [cliBin, ...args], {
          env: { PATH: process.env.PATH ?? '', ...envFor(userDir, { BRUNO_STORE_URI: store, HOME: userDir }) },
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    writeFileSync(join(root, 'note-00.md'), '# Changed\n\nchanged text so ingest has to write');
    const ingest = await run(['ingest', root]);
    expect(ingest.code).toBe(1);
    expect(ingest.stderr).toContain(`Knowledge base store ${store} is not writable`);
    expect(ingest.stderr).toContain('BRUNO_STORE_URI');
    const search = await run(['search', 'host1', '--mode', 'fts']);
    expect(search.stderr).toBe('');
    expect(search.code).toBe(0);
    expect(search.stdout).toContain('note-01.md');
  }, 60_000);
});

function chmodTree(dir: string, fileMode: number, dirMode: number): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) chmodTree(path, fileMode, dirMode);
    else chmodSync(path, fileMode);
  }
  chmodSync(dir, dirMode);
}
