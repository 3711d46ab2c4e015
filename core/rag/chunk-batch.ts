/**
 * A batch of chunk rows as one Arrow record batch, for `table.add`. Handed plain row objects,
 * LanceDB infers and builds the Arrow columns in JS value by value (768 `setValue` calls per
 * vector): 8 adds of 512 chunks took ~1,050 ms that way against ~150 ms as a prebuilt batch
 * (docs/benchmarks.md, "Ingestion pipeline"), and that JS runs on the main thread, in front of
 * every search. Here the vectors are copied into one Float32Array and the strings go through
 * Arrow's builders once per column.
 *
 * LanceDB is CommonJS and checks `instanceof arrow.Table` against the apache-arrow it requires;
 * an ESM import of apache-arrow is another copy of the classes (the dual-package hazard), which
 * LanceDB rejects, so the classes are required from LanceDB's own resolution.
 */
import { createRequire } from 'node:module';
import type * as ArrowModule from 'apache-arrow';

/** A chunk row (store.ts ChunkRow; declared here so store.ts can take its schema from this file). */
export type ChunkBatchRow = Record<(typeof stringColumns)[number], string> & { position: number; mtime: number; vector: Float32Array | number[] };

type Arrow = typeof ArrowModule;
const stringColumns = ['id', 'source_id', 'path', 'heading', 'text', 'text_hash', 'file_hash', 'embedding_version'] as const;
let arrowModule: Arrow | null = null;

/** apache-arrow as LanceDB sees it (the same module instance, resolved from LanceDB's folder). */
export function lanceArrow(): Arrow {
  if (!arrowModule) {
    const here = createRequire(import.meta.url);
    arrowModule = createRequire(here.resolve('@lancedb/lancedb'))('apache-arrow') as Arrow;
  }
  return arrowModule;
}


/** The chunk table's schema (the same fields, order and nullability as store.ts creates). */
export function chunkArrowSchema(dim: number): ArrowModule.Schema {
  const { Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } = lanceArrow();
  const str = (name: string) => new Field(name, new Utf8(), false);
  return new Schema([
    str('id'),
    str('source_id'),
    str('path'),
    str('heading'),
    new Field('position', new Int32(), false),
    str('text'),
    str('text_hash'),
    str('file_hash'),
    new Field('mtime', new Float64(), false),
    str('embedding_version'),
    new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
  ]);
}

/** The rows as one Arrow table; every vector must have `dim` values. */
export function chunkBatch(rows: readonly ChunkBatchRow[], dim: number): ArrowModule.Table {
  const arrow = lanceArrow();
  const { Float32, Float64, Int32, RecordBatch, Struct, Table, Utf8, makeData } = arrow;
  const schema = chunkArrowSchema(dim);
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.vector.length !== dim) throw new Error(`chunk ${row.id} has a vector of ${row.vector.length} values, expected ${dim}`);
    vectors.set(row.vector, i * dim);
  });
  // A string column in one buffer: byte offsets from Buffer.byteLength, the bytes written in place.
  // Arrow's builder (vectorFromArray) encodes value by value with a TextEncoder, a new array each:
  // ~4% of a Markdown job's main thread (docs/benchmarks.md, "Scale, session 9").
  const strings = (name: (typeof stringColumns)[number]) => {
    const valueOffsets = new Int32Array(rows.length + 1);
    let total = 0;
    for (let i = 0; i < rows.length; i++) {
      total += Buffer.byteLength(rows[i]![name], 'utf8');
      valueOffsets[i + 1] = total;
    }
    const data = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const r of rows) at += data.write(r[name], at, 'utf8');
    return makeData({ type: new Utf8(), length: rows.length, nullCount: 0, valueOffsets, data });
  };
  const byName: Record<string, ArrowModule.Data> = {
    position: makeData({ type: new Int32(), length: rows.length, data: Int32Array.from(rows, (r) => r.position) }),
    mtime: makeData({ type: new Float64(), length: rows.length, data: Float64Array.from(rows, (r) => r.mtime) }),
    vector: makeData({ type: schema.fields[10]!.type, length: rows.length, nullCount: 0, child: makeData({ type: new Float32(), length: vectors.length, data: vectors }) }),
  };
  for (const name of stringColumns) byName[name] = strings(name);
  const children = schema.fields.map((f) => byName[f.name]!);
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new Table([new RecordBatch(schema, data)]);
}
