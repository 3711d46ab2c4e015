// Finds the Electron binary the way electron-vite does (ELECTRON_EXEC_PATH, else
// node_modules/electron/path.txt + dist/), without `require('electron')`: that call tries to
// download the binary when it is missing, which cannot work on machines without network access.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * @param {{ root: string, env?: NodeJS.ProcessEnv }} opts  root: the project folder (has package.json)
 * @returns {{ found: true, path: string } | { found: false, reason: string }}
 */
export function findElectronBinary({ root, env = process.env }) {
  if (env.ELECTRON_EXEC_PATH) {
    return existsSync(env.ELECTRON_EXEC_PATH)
      ? { found: true, path: env.ELECTRON_EXEC_PATH }
      : { found: false, reason: `ELECTRON_EXEC_PATH points to ${env.ELECTRON_EXEC_PATH}, which does not exist` };
  }
  let electronDir;
  try {
    electronDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the electron package is not installed (run npm ci)' };
  }
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { found: false, reason: `${pathFile} is missing: the Electron binary was never downloaded` };
  }
  const executable = readFileSync(pathFile, 'utf8').trim();
  const binary = join(electronDir, 'dist', executable);
  if (!executable || !existsSync(binary)) {
    return { found: false, reason: `${binary} does not exist: the Electron binary is not installed` };
  }
  return { found: true, path: binary };
}

/** What `npm start` prints when there is no binary: why, and what to run instead. */
export function electronMissingMessage(reason) {
  return [
    'Agent Bruno: the Electron binary is not installed on this machine (it cannot be downloaded here),',
    'so the desktop window cannot open.',
    'Run the same app headless instead: `npm run serve`, then open the URL it prints in a browser.',
    `(Detail: ${reason}.)`,
  ].join(' ');
}
