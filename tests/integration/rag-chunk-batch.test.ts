// Chunk rows written as one Arrow record batch (core/rag/chunk-batch.ts) read back exactly as
// written, into the table store.ts creates; a vector of the wrong size is refused before a write.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkBatch } from '../../core/rag/chunk-batch';
import { createKbStore, type ChunkRow } from '../../core/rag/store';
import { tempDir } from '../support/core-harness';

const dim = 8;
const row = (i: number): ChunkRow => ({
  id: `id-${i}`,
  source_id: 'src',
  path: `/docs/naïve ${i}.md`,
  heading: i % 2 ? '' : `# Título ${i}`,
  position: i,
  text: i === 3 ? '' : `text ${i} with 'quotes' and \u{1F600}${'ä'.repeat(i)}`,
  text_hash: `h${i}`,
  file_hash: 'f',
  mtime: 1_700_000_000_000.5 + i,
  embedding_version: `m@${dim}`,
  vector: Float32Array.from({ length: dim }, (_, j) => (i + 1) * 0.01 + j),
});

describe('chunk batches', () => {
  it('round-trips every column through the chunk table', async () => {
    const store = createKbStore(join(tempDir(), 'store'));
    const table = (await store.openChunksTable('m', dim, true))!;
    const rows = Array.from({ length: 50 }, (_, i) => row(i));
    await table.add(chunkBatch(rows, dim) as never);
    await table.add(chunkBatch([row(50)], dim) as never);
    expect(await table.countRows()).toBe(51);
    // Every row, every column (the string columns are built from byte offsets: one off shifts them all).
    const back = ((await table.query().toArray()) as Record<string, unknown>[]).sort((a, b) => Number(a.position) - Number(b.position));
    expect(back.length).toBe(51);
    back.forEach((got, i) => {
      const want = row(i);
      for (const key of ['id', 'source_id', 'path', 'heading', 'position', 'text', 'text_hash', 'file_hash', 'mtime', 'embedding_version'] as const) expect(got[key]).toEqual(want[key]);
      expect(Array.from(got.vector as Iterable<number>)).toEqual(Array.from(want.vector));
    });
    // The nearest row to row 20's vector is row 20.
    const near = (await table.vectorSearch(row(20).vector as Float32Array).limit(1).toArray()) as { id: string }[];
    expect(near[0]!.id).toBe('id-20');
    store.close();
  });

  it('refuses a vector of the wrong dimension', () => {
    expect(() => chunkBatch([row(1), { ...row(2), vector: new Float32Array(dim + 1) }], dim)).toThrow(/9 values, expected 8/);
  });
});
