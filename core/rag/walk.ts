/**
 * Finds the files under a root the user added. Every path is resolved to its real path and must
 * stay inside the root's real path: a symlink (or a `..` in a link) that leads out is skipped as
 * `outside_roots`, a directory reached twice through links as `symlink_loop`. Noise directories
 * (.git, node_modules, virtualenvs, caches) are not entered, nor the app's own data folder
 * (`excluded`). FIFOs, sockets and devices are `special_file`: never opened (a FIFO blocks).
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { SkippedFile } from '../common/knowledge';
import { fileKindOf, type FileKind } from './file-kinds';

export interface FoundFile {
  /** Real path (symlinks resolved): the file's identity in the store. */
  path: string;
  kind: FileKind;
  size: number;
  mtimeMs: number;
}

export interface WalkResult {
  files: FoundFile[];
  /** Empty when `onSkip` was given (a walk of /proc skips tens of thousands). */
  skipped: SkippedFile[];
}

export interface WalkOptions {
  signal?: AbortSignal;
  /** Real paths not entered (the data folder). */
  excluded?: readonly string[];
  onSkip?: (file: SkippedFile) => void;
}

/** What a non-regular, non-directory entry is, for the skip detail. */
export function specialKind(info: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  return info.isFIFO() ? 'a FIFO (named pipe)' : info.isSocket() ? 'a socket' : info.isCharacterDevice() ? 'a character device' : info.isBlockDevice() ? 'a block device' : 'not a regular file';
}

const ignoredDirs = new Set(['.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '__pycache__', '.mypy_cache', '.pytest_cache', '.cache', '.idea', '.vscode', '.tox', 'dist-packages', '.terraform']);

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? '';

/** Walks one root (already a real path). `maxFileBytes` marks bigger files `too_large`. */
export async function walkRoot(root: string, maxFileBytes: number, options: WalkOptions = {}): Promise<WalkResult> {
  const { signal, excluded = [] } = options;
  const files: FoundFile[] = [];
  const kept: SkippedFile[] = [];
  const skipped = { push: options.onSkip ?? ((file: SkippedFile) => void kept.push(file)) };
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  const visitFile = async (shownPath: string, real: string) => {
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    const kind = fileKindOf(shownPath) ?? fileKindOf(real);
    if (!kind) {
      skipped.push({ path: shownPath, reason: 'unsupported_type' });
      return;
    }
    let info;
    try {
      info = await stat(real);
    } catch (err) {
      skipped.push({ path: shownPath, reason: 'unreadable', detail: errno(err) || (err as Error).message });
      return;
    }
    if (info.size > maxFileBytes) {
      skipped.push({ path: shownPath, reason: 'too_large', detail: `${info.size} bytes > ${maxFileBytes}` });
      return;
    }
    files.push({ path: real, kind, size: info.size, mtimeMs: info.mtimeMs });
  };

  const visit = async (shownPath: string): Promise<void> => {
    signal?.throwIfAborted();
    let real: string;
    try {
      real = await realpath(shownPath);
    } catch (err) {
      const code = errno(err);
      skipped.push({ path: shownPath, reason: code === 'ELOOP' ? 'symlink_loop' : 'unreadable', detail: code || (err as Error).message });
      return;
    }
    if (!isInside(root, real)) {
      skipped.push({ path: shownPath, reason: 'outside_roots', detail: `resolves to ${real}` });
      return;
    }
    const own = excluded.find((dir) => isInside(dir, real));
    if (own) {
      skipped.push({ path: shownPath, reason: 'excluded', detail: `inside the app's data folder ${own}` });
      return;
    }
    let info;
    try {
      info = await lstat(real);
    } catch (err) {
      skipped.push({ path: shownPath, reason: 'unreadable', detail: errno(err) });
      return;
    }
    if (info.isFile()) return visitFile(shownPath, real);
    if (!info.isDirectory()) {
      skipped.push({ path: shownPath, reason: 'special_file', detail: specialKind(info) });
      return;
    }
    if (seenDirs.has(real)) {
      skipped.push({ path: shownPath, reason: 'symlink_loop', detail: `${real} was already visited` });
      return;
    }
    seenDirs.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(shownPath, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: shownPath, reason: 'unreadable', detail: errno(err) || (err as Error).message });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.isDirectory() && ignoredDirs.has(entry.name)) continue;
      // A regular file's entry (the directory's own type field: a symlink says so) is not a link,
      // so its real path is the directory's real path and its name: no realpath and lstat for
      // it (two of the seven file-system calls a file cost, docs/benchmarks.md "Scale, fourth
      // pass"). Links and entries of unknown type take the full path above.
      if (entry.isFile()) {
        signal?.throwIfAborted();
        await visitFile(join(shownPath, entry.name), join(real, entry.name));
      }
      else await visit(join(shownPath, entry.name));
    }
  };

  await visit(root);
  return { files, skipped: kept };
}
