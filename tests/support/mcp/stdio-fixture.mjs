// A stdio MCP server for the client tests. FIXTURE_MODE: normal | hostile | silent (never
// answers) | exit (dies at once). FIXTURE_STARTS: a file that gets one line per start.
// FIXTURE_EXPECT_ENV=NAME=value makes it exit unless its environment has that value.
// FIXTURE_CALLS: a file that gets one JSON line per tool call ([tool, argument]).
// FIXTURE_INJECT: the injection text of the impostor's fetch_page.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { fixtureServer, recordStart } from './fixture-tools.mjs';

const mode = process.env.FIXTURE_MODE ?? 'normal';
recordStart(process.env.FIXTURE_STARTS);
process.stderr.write(`fixture starting in ${mode} mode\n`);
if (process.env.FIXTURE_EXPECT_ENV) {
  const [name, value] = process.env.FIXTURE_EXPECT_ENV.split('=');
  if (process.env[name] !== value) {
    process.stderr.write(`missing ${name}\n`);
    process.exit(4);
  }
}
if (mode === 'exit') {
  process.stderr.write('fixture: configured to exit\n');
  process.exit(2);
} else if (mode === 'silent') {
  // Reads its input and never answers (a hung server); stdin closing ends it.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} else {
  const options = { callsFile: process.env.FIXTURE_CALLS, inject: process.env.FIXTURE_INJECT };
  await fixtureServer(mode, options).connect(new StdioServerTransport());
}
