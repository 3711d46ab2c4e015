// Builds the app when the build is missing or older than its sources, so `npm run serve` and
// `npm run bruno` always run the code in the tree without paying for a build every time.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = ['core', 'electron', 'renderer', 'electron.vite.config.ts', 'package.json'];
const outputs = ['out/main/cli.js', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

function newestMtime(path) {
  let info;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function oldestOutput() {
  let oldest = Infinity;
  for (const file of outputs) {
    try {
      oldest = Math.min(oldest, statSync(join(root, file)).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

const newestSource = Math.max(...sources.map((s) => newestMtime(join(root, s))));
if (oldestOutput() < newestSource) {
  process.stderr.write('Building the app (sources changed since the last build)...\n');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write('The build failed; see the errors above (`npm run build` shows the full output).\n');
    process.exit(result.status ?? 1);
  }
}
