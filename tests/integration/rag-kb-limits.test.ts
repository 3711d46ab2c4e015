// The knowledge base against hostile or odd input (issue 15): an ingestion that skips thousands
// of files stays a bounded stream of events; FIFOs and devices get a skip reason and never block;
// ingest roots are limited to knowledge.allowedRoots on real paths, never the data folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { skipSampleSize, type IngestSummary, type KbProgressEvent } from '../../core/common';
import type { Core } from '../../core/runtime';
import { startHttpServer, type RunningHttpServer } from '../../core/server';
import { runCli } from '../../core/cli/run-cli';
import type { CliIo } from '../../core/cli/io';
import { createCore } from '../../core/runtime';
import { tempDir, testCore } from '../support/core-harness';

let fake: FakeOllama;
const cores: Core[] = [];
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0 });
});
afterAll(async () => {
  await Promise.all(cores.map((c) => c.close()));
  await fake?.close();
});
function kbCore(env: Record<string, string> = {}): Core {
  const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', ...env });
  cores.push(core);
  return core;
}

/** Runs kb.ingest as the UI does and collects the job's events until done or error. */
async function ingestJob(core: Core, paths: string[]): Promise<{ events: KbProgressEvent[]; end: KbProgressEvent }> {
  const events: KbProgressEvent[] = [];
  let jobId: string | null = null;
  let settle: (e: KbProgressEvent) => void = () => {};
  const ended = new Promise<KbProgressEvent>((r) => (settle = r));
  const off = core.events.on('kb.progress', (e) => {
    events.push(e);
    if ((e.type === 'done' || e.type === 'error') && (jobId === null || e.jobId === jobId)) settle(e);
  });
  jobId = (await core.handlers['kb.ingest']({ paths })).jobId;
  const end = await ended;
  off();
  return { events: events.filter((e) => e.jobId === jobId), end };
}

describe('an ingestion that skips many files', () => {
  it('tells the first skips one by one and counts the rest per reason (events, summary, sources)', async () => {
    const root = tempDir('bruno-kb-skips-');
    for (let i = 0; i < 600; i++) writeFileSync(join(root, `blob-${i}.xyz`), 'x');
    for (let i = 0; i < 30; i++) writeFileSync(join(root, `empty-${i}.md`), '   \n');
    writeFileSync(join(root, 'real.md'), '# Real\n\nThe one file with text in it.');
    const core = kbCore();
    const { events, end } = await ingestJob(core, [root]);
    expect(end.type).toBe('done');
    const summary = (end as { summary: IngestSummary }).summary;
    expect(summary.filesIngested).toBe(1);
    expect(summary.skippedTotal).toBe(630);
    expect(summary.skippedByReason).toEqual({ unsupported_type: 600, empty: 30 });
    expect(summary.skipped).toHaveLength(skipSampleSize);
    expect(events.filter((e) => e.type === 'skipped')).toHaveLength(skipSampleSize);
    // Every event stays small whatever the walk met.
    for (const e of events) expect(JSON.stringify(e).length).toBeLessThan(10_000);
    const last = events.filter((e) => e.type === 'progress').at(-1) as { skipped: number };
    expect(last.skipped).toBe(630);
    const [source] = await core.handlers['kb.sources'](undefined);
    expect(source!.skipped).toBe(630);
  });

  it('the CLI summary lists the first skips and counts all per reason; --json holds the sample only', async () => {
    const root = tempDir('bruno-kb-cli-skips-');
    for (let i = 0; i < 300; i++) writeFileSync(join(root, `empty-${i}.md`), '\n');
    writeFileSync(join(root, 'real.md'), '# Real\n\nText.');
    const run = async (args: string[]) => {
      let stdout = '';
      const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: { OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: tempDir(), BRUNO_METRICS_ADDR: '', BRUNO_KB_ALLOWED_ROOTS: root }, onInterrupt: () => () => {} };
      const code = await runCli(args, { io, createCore: (settings) => createCore({ settings, logging: { file: false }, buildAnnIndex: false }) });
      return { code, stdout };
    };
    const plain = await run(['ingest', root]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/300 skipped in/);
    expect(plain.stdout.match(/^ {2}skipped \//gm)).toHaveLength(skipSampleSize);
    expect(plain.stdout).toContain(`skipped by reason: 300 empty (the first ${skipSampleSize} listed above or in --json)`);
    const json = await run(['ingest', root, '--json']);
    const summary = JSON.parse(json.stdout) as IngestSummary;
    expect(summary.skippedTotal).toBe(300);
    expect(summary.skipped).toHaveLength(skipSampleSize);
    expect(json.stdout.length).toBeLessThan(10_000);
  }, 30_000);
});

describe('FIFOs and devices', () => {
  it('a FIFO given as the root, or met in the walk, is skipped with its reason and never opened', async () => {
    const root = tempDir('bruno-kb-fifo-');
    writeFileSync(join(root, 'notes.md'), '# Notes\n\nThe router is at 10.0.0.1.');
    execFileSync('mkfifo', [join(root, 'pipe.md')]);
    const lone = join(tempDir('bruno-kb-fifo-root-'), 'queue');
    execFileSync('mkfifo', [lone]);
    const core = kbCore();
    // Opening a FIFO for reading blocks until a writer comes: a hang here would time the test out.
    const { end } = await ingestJob(core, [root, lone]);
    expect(end.type).toBe('done');
    const summary = (end as { summary: IngestSummary }).summary;
    expect(summary.filesIngested).toBe(1);
    const byPath = Object.fromEntries(summary.skipped.map((s) => [s.path, s]));
    expect(byPath[join(root, 'pipe.md')]).toMatchObject({ reason: 'special_file', detail: expect.stringMatching(/FIFO/) });
    expect(byPath[lone]).toMatchObject({ reason: 'special_file', detail: expect.stringMatching(/FIFO/) });
  }, 20_000);

  it('/dev/null as a root is a special file, not silence', async () => {
    const core = kbCore({ BRUNO_KB_ALLOWED_ROOTS: '/dev' });
    const { end } = await ingestJob(core, ['/dev/null']);
    expect((end as { summary: IngestSummary }).summary.skipped).toEqual([{ path: '/dev/null', reason: 'special_file', detail: 'a character device' }]);
  });
});

describe('ingest roots are limited to knowledge.allowedRoots', () => {
  const token = 'test-token-0123456789abcdef';
  let allowed: string;
  let outside: string;
  let dataDir: string;
  let core: Core;
  let server: RunningHttpServer;
  beforeAll(async () => {
    allowed = tempDir('bruno-kb-allowed-');
    outside = tempDir('bruno-kb-outside-');
    dataDir = join(allowed, 'app-data');
    mkdirSync(dataDir);
    writeFileSync(join(outside, 'secret.env'), 'API_KEY=hunter2');
    writeFileSync(join(outside, 'secret.md'), '# Secret\n\nAPI_KEY=hunter2');
    writeFileSync(join(allowed, 'notes.md'), '# Notes\n\nThe router is at 10.0.0.1.');
    writeFileSync(join(dataDir, 'settings.md'), '# Settings\n\napiToken hunter2');
    symlinkSync(outside, join(allowed, 'link-out'));
    core = kbCore({ BRUNO_KB_ALLOWED_ROOTS: allowed, BRUNO_DATA_DIR: dataDir });
    server = await startHttpServer({ core, host: '127.0.0.1', port: 0, token, staticDir: tempDir('bruno-static-') });
  });
  afterAll(async () => {
    await server?.close();
  });

  const invoke = (method: string, input: unknown) =>
    fetch(`${server.url}/api/v1/invoke/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });

  it('over the HTTP API a root outside is refused with an error that names the setting to change', async () => {
    // The contract over HTTP answers an envelope ({ ok: false, error }), as for every refused input.
    const res = await invoke('kb.ingest', { paths: [outside] });
    const { ok, error } = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(ok).toBe(false);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('knowledge.allowedRoots');
    expect(error.message).toContain('BRUNO_KB_ALLOWED_ROOTS');
    await expect(core.handlers['kb.ingest']({ paths: ['/etc'] })).rejects.toThrow(/outside the folders/);
  });

  it('containment is checked on the real path: a symlink inside that leads out is refused', async () => {
    await expect(core.handlers['kb.ingest']({ paths: [join(allowed, 'link-out')] })).rejects.toThrow(/outside the folders.*knowledge\.allowedRoots/s);
    await expect(core.knowledge.ingest([join(allowed, 'link-out', 'secret.md')])).rejects.toThrow(/knowledge\.allowedRoots/);
  });

  it('the data folder itself is refused; a root around it ingests everything else and leaves it out', async () => {
    const res = await invoke('kb.ingest', { paths: [dataDir] });
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(/data folder/) } });
    const { end } = await ingestJob(core, [allowed]);
    const summary = (end as { summary: IngestSummary }).summary;
    expect(summary.skipped).toContainEqual(expect.objectContaining({ path: dataDir, reason: 'excluded' }));
    expect(summary.skipped).toContainEqual(expect.objectContaining({ path: join(allowed, 'link-out'), reason: 'outside_roots' }));
    const hits = await core.handlers['kb.search']({ query: 'hunter2 apiToken', mode: 'fts' });
    expect(hits.hits.map((h) => h.path)).toEqual([]);
    expect((await core.handlers['kb.search']({ query: 'router', mode: 'fts' })).hits.map((h) => h.path)).toEqual([join(allowed, 'notes.md')]);
  });

  it('by default only the home folder is allowed', async () => {
    const home = kbCore({ BRUNO_KB_ALLOWED_ROOTS: '~' });
    await expect(home.handlers['kb.ingest']({ paths: [allowed] })).rejects.toThrow(/knowledge\.allowedRoots: ~/);
  });
});
