/**
 * A process that builds a full-text index on a chunk table opened through the knowledge base's
 * store, and prints `built <rows> in <s> s` (tests/integration/rag-fts-build.test.ts). With
 * positions, 8,000 chunks of 60 words make more posting-list batches than LanceDB 0.31's 1-slot
 * writer queue holds, which deadlocked on a 1-thread Lance CPU pool before `lanceEnvDefaults`.
 * Env: FTS_DIR (store folder), FTS_ROWS.
 */
import { createKbStore, loadLance } from '../../core/rag/store';

const rows = Number(process.env.FTS_ROWS ?? 8000);
const dim = 8;
let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}`);
// Zipf-like word frequencies, as in real text: a few very long posting lists, many short ones.
const text = () => Array.from({ length: 60 }, () => vocabulary[Math.floor(vocabulary.length * rand() ** 3)]).join(' ');

const store = createKbStore(process.env.FTS_DIR!);
const table = (await store.openChunksTable('fts-child', dim, true))!;
for (let at = 0; at < rows; at += 4000) {
  const part = Array.from({ length: Math.min(4000, rows - at) }, (_, j) => {
    const i = at + j;
    return { id: `c${i}`, source_id: 's', path: `/doc-${i >> 3}.md`, heading: '', position: i % 8, text: text(), text_hash: `${i}`, file_hash: 'h', mtime: 0, embedding_version: `fts-child@${dim}`, vector: Array.from({ length: dim }, rand) };
  });
  await table.add(part);
}
const { Index } = await loadLance();
const started = performance.now();
await table.createIndex('text', { config: Index.fts({ withPosition: true }), replace: true });
const seconds = (performance.now() - started) / 1000;
const found = await table.query().fullTextSearch('w1 w2').limit(3).toArray();
process.stdout.write(`built ${await table.countRows()} in ${seconds.toFixed(1)} s, ${found.length} hits\n`);
store.close();
process.exit(0);
