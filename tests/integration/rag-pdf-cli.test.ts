// `agent-bruno ingest` / `search` with PDFs, through the built app: the bundle loads the PDF reader
// (unpdf stays an external dependency, loaded in a worker thread) and the skips are told plainly.
import { tmpdir } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { assertBuilt, runCliProcess } from '../support/built-app';
import { tempDir } from '../support/core-harness';
import { makePdf } from '../support/make-pdf';

let fake: FakeOllama;
beforeAll(async () => {
  assertBuilt();
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake?.close();
});

describe('agent-bruno ingest with PDFs', () => {
  it('ingests a PDF, tells why the bad ones were skipped, and finds the page of a sentence', async () => {
    const dataDir = tempDir();
    const root = tempDir('bruno-cli-pdf-');
    writeFileSync(join(root, 'router.pdf'), makePdf([['Router guide'], ['Port 8 of the wombatrouter is the uplink to the ISP.']], { compress: true }));
    writeFileSync(join(root, 'scan.pdf'), makePdf([{ image: true }]));
    writeFileSync(join(root, 'broken.pdf'), makePdf([['cut']]).subarray(0, 90));
    writeFileSync(join(root, 'readme.md'), '# Readme\n\nThe lab has one router.\n');
    const env = { OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: dataDir, BRUNO_METRICS_ADDR: '', BRUNO_KB_ALLOWED_ROOTS: tmpdir() };

    const ingest = await runCliProcess(['ingest', root], env, 30_000);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/ingested 2 file\(s\) \(3 chunks\), 0 unchanged, 0 removed, 2 skipped/);
    expect(ingest.stdout).toContain(`skipped ${join(root, 'scan.pdf')}: empty (no text layer — OCR not supported)`);
    expect(ingest.stdout).toContain(`skipped ${join(root, 'broken.pdf')}: unreadable (corrupt PDF: `);

    const search = await runCliProcess(['search', 'wombatrouter uplink', '--mode', 'fts', '--json'], env, 30_000);
    expect(search.code).toBe(0);
    const hit = JSON.parse(search.stdout).hits[0];
    expect(hit).toMatchObject({ path: join(root, 'router.pdf'), heading: 'page 2', text: 'Port 8 of the wombatrouter is the uplink to the ISP.' });
  }, 60_000);
});
