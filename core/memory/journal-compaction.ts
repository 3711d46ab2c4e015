import { dirname } from 'node:path';
import type { DiskConversation } from './conversation-catalog';
import type { JournalFs } from './journal-fs';
import { headOf, snapshotOf, summaryOf, type MemoryState } from './memory-state';

/** The previous journal, kept by each compaction (one generation). */
export function journalBackupPath(path: string): string {
  return `${path}.bak`;
}

/** Where a compaction writes before it renames; a leftover one is from a crash and is rewritten. */
export function journalCompactingPath(path: string): string {
  return `${path}.compact`;
}

export interface CompactionInput {
  path: string;
  fs: JournalFs;
  /** The journal's bytes as read: snapshot lines are copied from them as they are. */
  bytes: Buffer;
  /** Facts, and the conversations changed since the last compaction. */
  state: MemoryState;
  /** The conversations that are one snapshot line in `bytes`. */
  disk: Map<string, DiskConversation>;
}

export interface CompactionResult {
  /** Every conversation, now a snapshot line in the new journal. */
  disk: Map<string, DiskConversation>;
  bytes: number;
  lines: number;
}

const newline = Buffer.from('\n');

/**
 * Rewrites the journal as one line per live fact and two per conversation (its head: what a list
 * shows; then its snapshot: everything), atomically: the new file
 * is written beside it and fsynced, the old one is linked (or copied) to journal.jsonl.bak, then the
 * new one is renamed over it and the folder fsynced. A crash or a failure before the rename leaves
 * the journal as it was (the next start compacts again); after it, the new one is complete. What
 * the journal drops: damaged lines, deleted conversations and facts, and the per-turn records
 * (deltas, the end of each turn) folded into their conversation's snapshot.
 */
export async function compactJournal(input: CompactionInput): Promise<CompactionResult> {
  const { path, fs, bytes, state } = input;
  const chunks: Buffer[] = [];
  const disk = new Map<string, DiskConversation>();
  let offset = 0;
  const push = (line: Buffer) => {
    chunks.push(line, newline);
    offset += line.length + 1;
  };
  for (const fact of state.facts.values()) {
    push(Buffer.from(JSON.stringify({ t: 'fact', id: fact.id, kind: fact.type, text: fact.text, source: fact.source, c: fact.conversationId, at: fact.createdAt })));
  }
  // Conversations already compacted are copied byte for byte: no parse, no stringify.
  for (const [id, entry] of [...input.disk.entries()].sort((a, b) => a[1].offset - b[1].offset)) {
    push(Buffer.from(JSON.stringify(headOf(entry.summary))));
    disk.set(id, { summary: entry.summary, offset, length: entry.length });
    push(bytes.subarray(entry.offset, entry.offset + entry.length));
  }
  for (const conv of state.conversations.values()) {
    const line = Buffer.from(JSON.stringify(snapshotOf(conv)));
    const summary = summaryOf(conv);
    push(Buffer.from(JSON.stringify(headOf(summary))));
    disk.set(conv.id, { summary, offset, length: line.length });
    push(line);
  }

  const compacting = journalCompactingPath(path);
  const backup = journalBackupPath(path);
  try {
    await fs.writeSynced(compacting, chunks);
    await fs.remove(backup);
    try {
      await fs.link(path, backup);
    } catch {
      // A file system without hard links: a copy is the same backup, slower.
      await fs.copyFile(path, backup);
    }
    await fs.rename(compacting, path);
  } catch (err) {
    await fs.remove(compacting).catch(() => {});
    throw err;
  }
  await fs.syncDir(dirname(path));
  return { disk, bytes: offset, lines: chunks.length / 2 };
}
