import { runCli } from './run-cli';

// The process entry of the `agent-bruno` bin: real stdio, real signals, then exit with the code.
const code = await runCli(process.argv.slice(2), {
  io: {
    stdout: process.stdout,
    stdio: { stdin: process.stdin, stdout: process.stdout },
    stderr: process.stderr,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  },
});
process.exitCode = code;
