// `npm run check:layers`: fails when a source file imports across the layers the wrong way,
// when imports go round in a circle, or when a hand-written file is over 400 lines.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLongFiles, MAX_FILE_LINES } from './file-length';
import { findImportCycles } from './import-cycles';
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

const sources = new Map<string, string>();
for (const r of [...roots, 'scripts']) {
  try {
    for (const path of walk(join(root, r))) sources.set(relative(root, path).replace(/\\/g, '/'), readFileSync(path, 'utf8'));
  } catch {
    // A root that does not exist has nothing to check.
  }
}
const violations = [...sources].filter(([file]) => roots.some((r) => file.startsWith(`${r}/`))).flatMap(([file, text]) => checkFile(file, text));
const cycles = findImportCycles(sources);
const longFiles = findLongFiles(sources);

for (const v of violations) console.error(`${v.file}: import '${v.specifier}': ${v.message}`);
for (const cycle of cycles) console.error(`import circle among ${cycle.join(', ')}: move what they share into a file they all import, or merge them`);
for (const long of longFiles) console.error(long.message);
if (violations.length || cycles.length || longFiles.length) {
  console.error(
    `\n${violations.length} layering violation(s), ${cycles.length} import circle(s), ${longFiles.length} file(s) over ${MAX_FILE_LINES} lines; see docs/architecture.md.`,
  );
  process.exit(1);
}
console.log(`layers ok (${sources.size} files, no import circles, none over ${MAX_FILE_LINES} lines)`);
