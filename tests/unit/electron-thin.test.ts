import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Runtime (non-type) imports of a module specifier. */
function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const m of source.matchAll(/^\s*import\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) specifiers.push(m[1]!);
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specifiers.push(m[1]!);
  for (const m of source.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(m[1]!);
  return specifiers;
}

describe('electron/ stays thin', () => {
  const all = files(join(root, 'electron')).map((f) => relative(root, f).replace(/\\/g, '/'));

  it('only the two entry points import electron at runtime (everything else is testable in Node)', () => {
    const importers = all.filter((f) => runtimeImports(readFileSync(join(root, f), 'utf8')).some((s) => s === 'electron' || s.startsWith('electron/')));
    expect(importers.sort()).toEqual(['electron/main/index.ts', 'electron/preload/index.ts']);
  });

  it('the preload imports no package but electron (a sandboxed preload cannot require them)', () => {
    const preloadFiles = new Set<string>();
    const visit = (file: string) => {
      if (preloadFiles.has(file)) return;
      preloadFiles.add(file);
      for (const s of runtimeImports(readFileSync(join(root, file), 'utf8'))) {
        if (s.startsWith('.')) visit(relative(root, resolve(root, file, '..', `${s}.ts`)).replace(/\\/g, '/'));
        else expect(s, `${file} imports '${s}'`).toBe('electron');
      }
    };
    visit('electron/preload/index.ts');
    expect(preloadFiles.has('electron/preload/ipc-bridge.ts')).toBe(true);
  });
});
