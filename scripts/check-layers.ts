// `npm run check:layers`: fails when a source file imports across the layers the wrong way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from './layer-rules';

const root = fileURLToPath(new URL('..', import.meta.url));
const roots = ['core', 'electron', 'renderer', 'tests'];
const sourceFile = /\.(ts|tsx|mts|cts|js|mjs)$/;

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (sourceFile.test(entry)) yield path;
  }
}

const violations = roots.flatMap((r) => {
  try {
    return [...walk(join(root, r))];
  } catch {
    return [];
  }
}).flatMap((path) => checkFile(relative(root, path).replace(/\\/g, '/'), readFileSync(path, 'utf8')));

for (const v of violations) console.error(`${v.file}: import '${v.specifier}': ${v.message}`);
if (violations.length) {
  console.error(`\n${violations.length} layering violation(s); see ARCHITECTURE.md "Layers".`);
  process.exit(1);
}
console.log('layers ok');
