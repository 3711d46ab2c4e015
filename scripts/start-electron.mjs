// `npm start`: build if the sources changed, then open the desktop app (`electron-vite preview`).
// Without the Electron binary it says so and points at the headless mode instead of crashing
// inside electron's download attempt.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronMissingMessage, findElectronBinary } from './electron-binary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const binary = findElectronBinary({ root });
if (!binary.found) {
  process.stderr.write(`${electronMissingMessage(binary.reason)}\n`);
  process.exit(1);
}

// One rule for "is the build stale" (shared with `npm run serve`): ensure-built.mjs.
const build = spawnSync(process.execPath, [join(root, 'scripts/ensure-built.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(
  process.execPath,
  [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'preview', '--skipBuild', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_EXEC_PATH: binary.path } },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  process.stderr.write(`Agent Bruno: could not start electron-vite: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  // Same convention as a shell: a child killed by a signal exits 128 + its number.
  process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
});
