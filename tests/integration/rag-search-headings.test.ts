// Full-text search over the heading trail (a second FTS index next to the text's), files-first
// results in every mode, and a store from before the heading index: still searched (on the text),
// and given the index by its next ingestion.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKbStore } from '../../core/rag/store';
import type { Core } from '../../core/runtime';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { tempDir, testCore } from '../support/core-harness';

let fake: FakeOllama;
let core: Core;
let root: string;
const long = (topic: string) => Array.from({ length: 30 }, (_, i) => `Paragraph ${i} about ${topic}, long enough that the section needs more than one chunk of text here.`).join('\n\n');

beforeAll(async () => {
  fake = await startFakeOllama();
  root = tempDir('bruno-headings-');
  mkdirSync(root, { recursive: true });
  // "quorum" is only in a heading: the chunks under it never say it.
  writeFileSync(join(root, 'cluster.md'), `# Cluster\n\n## Quorum\n\n${long('votes of the members')}\n`);
  writeFileSync(join(root, 'backup.md'), `# Backup\n\n${long('restic snapshots of the members')}\n`);
  core = testCore({ OLLAMA_HOST: fake.url });
  await core.knowledge.ingest([root]);
});
afterAll(async () => {
  await core?.close();
  await fake?.close();
});

async function chunkTable() {
  const store = createKbStore(core.knowledge.storeUri);
  const found = (await store.findChunksTable(core.knowledge.embedModel))!;
  return { store, table: found.table };
}

describe('full-text search over headings', () => {
  it('finds every chunk of a section by a word of its heading, and lists each file once first', async () => {
    const fts = await core.knowledge.search('quorum', { mode: 'fts', k: 20 });
    expect(fts.hits.length).toBeGreaterThan(2);
    expect(fts.hits.every((h) => h.path.endsWith('cluster.md') && h.heading === 'Cluster > Quorum')).toBe(true);

    for (const mode of ['vector', 'fts', 'hybrid'] as const) {
      const paths = (await core.knowledge.search('members', { mode, k: 6 })).hits.map((h) => h.path);
      // both files share the word; neither comes twice before the other came once
      expect(new Set(paths.slice(0, 2)).size).toBe(2);
    }
  });

  it('searches a store without the heading index on the text, and the next ingestion builds it', async () => {
    const fts0 = (await core.knowledge.search('quorum', { mode: 'fts', k: 20 })).hits.map((h) => h.position).sort((a, b) => a - b)[0];
    const { store, table } = await chunkTable();
    try {
      const heading = (await table.listIndices()).find((i) => i.columns.includes('heading'));
      expect(heading?.indexType).toMatch(/FTS/i);
      await table.dropIndex(heading!.name);
    } finally {
      store.close();
    }
    // The knowledge base's own table handle sees other connections' changes within a second.
    await new Promise((r) => setTimeout(r, 1100));
    const before = await core.knowledge.search('quorum', { mode: 'fts', k: 20 });
    // only the section's first chunk, which starts with the heading line itself
    expect(before.hits.map((h) => h.position)).toEqual([fts0]);
    expect((await core.knowledge.search('restic', { mode: 'hybrid' })).hits[0]!.path).toMatch(/backup\.md$/);

    const again = await core.knowledge.ingest([root]);
    expect(again.filesUnchanged).toBe(2);
    const after = await core.knowledge.search('quorum', { mode: 'fts', k: 20 });
    expect(after.hits.length).toBeGreaterThan(2);
  });
});
