#!/usr/bin/env node
// The `agent-bruno` command. It runs the built core (`npm run build` makes out/main/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('agent-bruno: the app is not built yet - run `npm run build` (or use `npm run bruno -- <command>`, which builds first)\n');
  process.exit(2);
}
await import(cli);
