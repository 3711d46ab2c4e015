/**
 * File-level import circles: `a` imports `b` imports `a`. They compile, but they make the order of
 * module evaluation matter and show two files that are really one job (or a missing third file
 * both should import). `check-layers.ts` fails on any; type-only imports count too.
 */
import { dirname, join, normalize } from 'node:path';
import { importsOf } from './layer-rules';

const extensions = ['', '.ts', '.tsx', '.mts', '.cts', '/index.ts', '/index.tsx'];

function resolveRelative(from: string, specifier: string, known: ReadonlySet<string>): string | null {
  const base = normalize(join(dirname(from), specifier)).replace(/\\/g, '/');
  const stripped = base.replace(/\.(js|mjs)$/, '');
  for (const candidate of [base, stripped]) {
    for (const ext of extensions) if (known.has(candidate + ext)) return candidate + ext;
  }
  return null;
}

/** Every circle of imports among `files` (path -> source text), each as the list of its files. */
export function findImportCycles(files: ReadonlyMap<string, string>): string[][] {
  const known = new Set(files.keys());
  const edges = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = importsOf(text)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolveRelative(file, s, known))
      .filter((t): t is string => t !== null && t !== file);
    edges.set(file, [...new Set(targets)]);
  }
  // Tarjan's strongly connected components; a component of two or more files is a circle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of [...known].sort()) if (!indexOf.has(file)) visit(file);
  return cycles;
}
