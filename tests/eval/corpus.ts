/**
 * The evaluation corpus: documentation nobody here wrote, already in node_modules (no download):
 * pino's docs (a direct, pinned dependency) and undici's docs (installed with Electron's
 * downloader, pinned by package-lock.json). See README.md.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const queriesFile = join(repoRoot, 'tests', 'eval', 'queries.jsonl');

/** The folders to ingest. */
export function evalCorpusRoots(): string[] {
  const roots = [join(repoRoot, 'node_modules', 'pino', 'docs'), join(repoRoot, 'node_modules', 'undici', 'docs')];
  const missing = roots.filter((r) => !existsSync(r));
  if (missing.length) throw new Error(`evaluation corpus missing (run npm ci): ${missing.join(', ')}`);
  return roots;
}

/** knowledge.allowedRoots for the corpus (the repo's node_modules) and the test folders. */
export const evalAllowedRoots = () => [join(repoRoot, 'node_modules'), tmpdir()].join(delimiter);

/** The fake Ollama's embedding model at the word vectors' own 100 dimensions. */
export const wink100Models = (models: readonly { name: string; embeddingLength?: number }[]) => models.map((m) => (m.name === 'nomic-embed-text' ? { ...m, embeddingLength: 100 } : m));
