/**
 * The source catalog: the roots the user added (kb_sources), what each holds (from kb_files),
 * and removing a root with its files and chunks.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { BrunoError } from '../common/errors';
import type { KbSource } from '../common/knowledge';
import { sourceIdOf } from './ingest';
import type { KbContext } from './kb-types';
import { sqlIn, type FileRow, type SourceRow } from './store';
import { isInside } from './walk';

export interface KbCatalog {
  sourceRows(): Promise<SourceRow[]>;
  /** The roots of every source, or of one (a missing id is not_found). */
  rootsFor(sourceId?: string): Promise<string[]>;
  sources(): Promise<KbSource[]>;
  /** Deletes a source's files and chunks (files under a nested root that stays are kept). */
  remove(target: { sourceId?: string | undefined; path?: string | undefined }): Promise<{ removed: boolean; files: number; chunks: number }>;
}

export function createKbCatalog(ctx: KbContext): KbCatalog {
  const { store, model } = ctx;

  async function sourceRows(): Promise<SourceRow[]> {
    const table = await store.sources(false);
    return table ? ((await table.query().toArray()) as SourceRow[]).map((r) => ({ ...r, skipped: Number(r.skipped) })) : [];
  }

  async function rootsFor(sourceId?: string): Promise<string[]> {
    const rows = await sourceRows();
    if (sourceId) {
      const row = rows.find((r) => r.id === sourceId);
      if (!row) throw new BrunoError('not_found', `No knowledge base source with id ${sourceId} (see kb.sources)`);
      return [row.root];
    }
    return rows.map((r) => r.root);
  }

  async function sources(): Promise<KbSource[]> {
    const rows = await sourceRows();
    const filesTable = await store.files(false);
    const files = filesTable ? ((await filesTable.query().select(['path', 'chunks', 'size', 'embedding_version']).toArray()) as FileRow[]) : [];
    return rows
      .map((r): KbSource => {
        const mine = files.filter((f) => isInside(r.root, String(f.path)));
        const versions = [...new Set(mine.map((f) => String(f.embedding_version)))];
        return {
          id: r.id,
          root: r.root,
          addedAt: r.added_at,
          lastIngestAt: r.last_ingest_at || null,
          files: mine.length,
          chunks: mine.reduce((s, f) => s + Number(f.chunks), 0),
          bytes: mine.reduce((s, f) => s + Number(f.size), 0),
          skipped: r.skipped,
          embeddingVersion: versions.length === 1 ? versions[0]! : versions.length ? versions.join(', ') : null,
        };
      })
      .sort((a, b) => a.root.localeCompare(b.root));
  }

  async function remove(target: { sourceId?: string | undefined; path?: string | undefined }) {
    const rows = await sourceRows();
    let row: SourceRow | undefined;
    if (target.sourceId) row = rows.find((r) => r.id === target.sourceId);
    else if (target.path) {
      const wanted = await realpath(resolve(target.path)).catch(() => resolve(target.path!));
      row = rows.find((r) => r.root === wanted || r.id === sourceIdOf(wanted));
    }
    if (!row) throw new BrunoError('not_found', `No knowledge base source ${target.sourceId ?? target.path} (see kb.sources)`);
    const filesTable = await store.files(false);
    const files = filesTable ? ((await filesTable.query().select(['path', 'chunks']).toArray()) as FileRow[]) : [];
    const others = rows.filter((r) => r.id !== row.id);
    // A file under a nested root that stays is kept.
    const gone = files.filter((f) => isInside(row.root, String(f.path)) && !others.some((o) => isInside(o.root, String(f.path))));
    const paths = gone.map((f) => String(f.path));
    for (let at = 0; at < paths.length; at += 500) {
      const part = paths.slice(at, at + 500);
      for (const name of await store.chunkTables()) await (await store.connection()).openTable(name).then((t) => t.delete(sqlIn('path', part)));
      await filesTable?.delete(sqlIn('path', part));
    }
    await (await store.sources(false))?.delete(`id = '${row.id}'`);
    const current = await store.findChunksTable(model);
    // Reopened tables in this process see the deletes; the cached handle checks within a second.
    if (current) await current.table.checkoutLatest();
    return { removed: true, files: gone.length, chunks: gone.reduce((s, f) => s + Number(f.chunks), 0) };
  }

  return { sourceRows, rootsFor, sources, remove };
}
