import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow';
import { cosine } from '../llm/vector-math';

/**
 * Vectors of the semantic facts, for recall by similarity. The journal holds the facts; this is
 * an index rebuilt from it (a changed embedding model drops it and the facts are embedded again).
 * LanceDB in the store the knowledge base uses (own table); an in-memory index when LanceDB
 * cannot be opened, so recall still works for the life of the process.
 */
export interface FactVector {
  id: string;
  text: string;
  vector: number[];
}

export interface FactIndex {
  readonly kind: 'lancedb' | 'memory';
  /** Ids that have a vector from `model`; vectors from another model are dropped first. */
  indexed(model: string): Promise<Set<string>>;
  add(rows: FactVector[], model: string): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** Nearest facts by cosine similarity (1 = same direction). */
  search(vector: number[], k: number): Promise<{ id: string; similarity: number }[]>;
  close(): Promise<void>;
}

export const factsTableName = 'memory_facts';

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;


export function createMemoryFactIndex(): FactIndex {
  const vectors = new Map<string, number[]>();
  let currentModel: string | null = null;
  return {
    kind: 'memory',
    async indexed(model) {
      if (currentModel !== model) vectors.clear();
      currentModel = model;
      return new Set(vectors.keys());
    },
    async add(rows, model) {
      if (currentModel !== model) vectors.clear();
      currentModel = model;
      for (const row of rows) vectors.set(row.id, row.vector);
    },
    async remove(ids) {
      for (const id of ids) vectors.delete(id);
    },
    async search(vector, k) {
      return [...vectors.entries()]
        .map(([id, v]) => ({ id, similarity: cosine(vector, v) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, k);
    },
    async close() {},
  };
}

type LanceModule = typeof import('@lancedb/lancedb');
type LanceConnection = Awaited<ReturnType<LanceModule['connect']>>;
type LanceTable = Awaited<ReturnType<LanceConnection['openTable']>>;

/** Opens (or prepares to create) the facts table; throws when the store cannot be opened. */
export async function openLanceFactIndex(uri: string): Promise<FactIndex> {
  // Loaded on first use: the native module costs nothing to a core that never recalls a fact.
  const lancedb: LanceModule = await import('@lancedb/lancedb');
  const db = await lancedb.connect(uri);
  let table: LanceTable | null = (await db.tableNames()).includes(factsTableName) ? await db.openTable(factsTableName) : null;

  const drop = async () => {
    table?.close();
    table = null;
    if ((await db.tableNames()).includes(factsTableName)) await db.dropTable(factsTableName);
  };

  return {
    kind: 'lancedb',
    async indexed(model) {
      if (!table) return new Set();
      const rows = (await table.query().select(['id', 'embed_model']).toArray()) as { id: string; embed_model: string }[];
      if (rows.some((r) => r.embed_model !== model)) {
        await drop();
        return new Set();
      }
      return new Set(rows.map((r) => r.id));
    },
    async add(rows, model) {
      if (rows.length === 0) return;
      const dim = rows[0]!.vector.length;
      if (!table) {
        const schema = new Schema([
          new Field('id', new Utf8(), false),
          new Field('text', new Utf8(), false),
          new Field('embed_model', new Utf8(), false),
          new Field('vector', new FixedSizeList(dim, new Field('item', new Float32(), true)), false),
        ]);
        table = await db.createEmptyTable(factsTableName, schema, { mode: 'create', existOk: true });
      }
      await table.delete(`id IN (${rows.map((r) => quote(r.id)).join(', ')})`);
      await table.add(rows.map((r) => ({ id: r.id, text: r.text, embed_model: model, vector: r.vector })));
    },
    async remove(ids) {
      if (!table || ids.length === 0) return;
      await table.delete(`id IN (${ids.map(quote).join(', ')})`);
    },
    async search(vector, k) {
      if (!table) return [];
      const rows = (await table.vectorSearch(vector).distanceType('cosine').limit(k).toArray()) as { id: string; _distance: number }[];
      return rows.map((r) => ({ id: r.id, similarity: 1 - r._distance }));
    },
    async close() {
      table?.close();
      db.close();
    },
  };
}
