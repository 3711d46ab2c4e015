import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where settings, logs and the knowledge base live, following each OS's convention. */
export function defaultDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'agent-bruno');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'agent-bruno');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'agent-bruno');
}
