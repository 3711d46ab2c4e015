import { basename, extname } from 'node:path';

/** How a file is read and chunked. */
export type FileKind = 'markdown' | 'text' | 'rst' | 'html' | 'yaml' | 'json' | 'toml' | 'ini' | 'shell' | 'dockerfile' | 'code' | 'pdf';

const byExtension: Record<string, FileKind> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.log': 'text',
  '.rst': 'rst',
  '.html': 'html',
  '.htm': 'html',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
  '.jsonc': 'json',
  '.toml': 'toml',
  '.ini': 'ini',
  '.conf': 'ini',
  '.cfg': 'ini',
  '.env': 'ini',
  '.properties': 'ini',
  '.service': 'ini',
  '.timer': 'ini',
  '.sh': 'shell',
  '.bash': 'shell',
  '.zsh': 'shell',
  '.py': 'code',
  '.ts': 'code',
  '.tsx': 'code',
  '.mts': 'code',
  '.cts': 'code',
  '.js': 'code',
  '.jsx': 'code',
  '.mjs': 'code',
  '.cjs': 'code',
  '.go': 'code',
  // Read by pdf-to-text.ts, page by page; the bytes must also carry the %PDF- header (sniff.ts).
  '.pdf': 'pdf',
};

const byName: Record<string, FileKind> = {
  dockerfile: 'dockerfile',
  containerfile: 'dockerfile',
  makefile: 'shell',
  readme: 'text',
  license: 'text',
  '.bashrc': 'shell',
  '.profile': 'shell',
};

/** The kind of a file from its name, or null when it is not a kind the knowledge base reads. */
export function fileKindOf(path: string): FileKind | null {
  const name = basename(path).toLowerCase();
  if (byName[name]) return byName[name];
  if (name.startsWith('dockerfile.') || name.endsWith('.dockerfile')) return 'dockerfile';
  // docker-compose.yml, compose.yaml: YAML (documents split on ---).
  return byExtension[extname(name)] ?? null;
}
