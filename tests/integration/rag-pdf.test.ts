// PDFs in the knowledge base over a real LanceDB store and the fake Ollama: a manual is found by a
// sentence of its second page (with "page 2" as the heading), every bad PDF is one skip with a
// reason, and the files around them are ingested all the same.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import type { Core } from '../../core/runtime';
import { tempDir, testCore } from '../support/core-harness';
import { makePdf } from '../support/make-pdf';

let fake: FakeOllama;
let core: Core;
beforeAll(async () => {
  fake = await startFakeOllama();
  core = testCore({ OLLAMA_HOST: fake.url });
});
afterAll(async () => {
  await core?.close();
  await fake?.close();
});

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), body);
  }
}

describe('PDF ingestion', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir('bruno-kb-pdf-');
    write(root, {
      'ups-manual.pdf': makePdf(
        [
          ['UPS manual', 'The UPS keeps the rack running for twenty minutes.'],
          ['Battery care', 'Replace the quokkabattery cells every three years to keep the runtime.'],
          ['Warranty', 'Two years from the date of purchase.'],
        ],
        { compress: true },
      ),
      'scan.pdf': makePdf([{ image: true }]),
      'locked.pdf': makePdf([['the root password']], { encrypted: true }),
      'broken.pdf': makePdf([['cut short']]).subarray(0, 100),
      'notes.pdf': 'These are notes saved under the wrong name.\n',
      'docs/network.md': '# Network\n\nThe quokkaswitch connects the rack.',
    });
  });

  it('ingests the PDF page by page and skips the bad ones with their reasons, losing nothing else', async () => {
    const summary = await core.knowledge.ingest([root]);
    const skipped = Object.fromEntries(summary.skipped.map((s) => [s.path.slice(root.length + 1), `${s.reason}: ${s.detail ?? ''}`]));
    expect(skipped).toEqual({
      'scan.pdf': 'empty: no text layer — OCR not supported',
      'locked.pdf': 'unreadable: encrypted PDF: it needs a password',
      'broken.pdf': expect.stringMatching(/^unreadable: corrupt PDF: /),
      'notes.pdf': 'unreadable: not a PDF: no %PDF- header',
    });
    expect(summary).toMatchObject({ filesSeen: 6, filesIngested: 2, chunksAdded: 4 });
  });

  it('finds a sentence from the PDF, and the hit names its page', async () => {
    for (const mode of ['fts', 'hybrid'] as const) {
      const result = await core.knowledge.search('quokkabattery cells', { mode, k: 3 });
      expect(result.hits[0]).toMatchObject({ path: join(root, 'ups-manual.pdf'), heading: 'page 2', position: 1 });
      expect(result.hits[0]!.text).toContain('Replace the quokkabattery cells every three years');
    }
    const md = await core.knowledge.search('quokkaswitch', { mode: 'fts', k: 3 });
    expect(md.hits[0]!.path).toBe(join(root, 'docs', 'network.md'));
  });

  it('puts the page into the sources of a chat turn', async () => {
    const result = await core.knowledge.retrieve('quokkabattery cells', { k: 2, tokenBudget: 500 });
    expect(result.promptBlock).toContain('page 2');
    expect(result.sources[0]).toMatchObject({ path: join(root, 'ups-manual.pdf'), heading: 'page 2' });
  });

  it('leaves an unchanged PDF alone on the next run, and re-reads it once it changes', async () => {
    const again = await core.knowledge.ingest([root]);
    expect(again).toMatchObject({ filesIngested: 0, filesUnchanged: 2, embeddedTexts: 0 });
    write(root, { 'ups-manual.pdf': makePdf([['UPS manual, second edition'], ['The quokkabattery now lasts five years.']]) });
    const third = await core.knowledge.ingest([root]);
    expect(third).toMatchObject({ filesIngested: 1, filesUnchanged: 1, chunksAdded: 2, chunksRemoved: 3 });
    const hit = (await core.knowledge.search('quokkabattery', { mode: 'fts', k: 1 })).hits[0];
    expect(hit).toMatchObject({ heading: 'page 2', text: 'The quokkabattery now lasts five years.' });
  });
});
