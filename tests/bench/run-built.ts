/**
 * Runs a benchmark on the code as the app ships it: the benchmark and everything it imports from
 * core/ are bundled by vite (rolldown and oxc, as electron-vite builds out/main), then run by
 * plain node with the given arguments.
 *
 *   tsx tests/bench/run-built.ts tests/bench/telemetry-overhead.ts [benchmark args...]
 *
 * Why not tsx: its esbuild transform keeps function names by wrapping every function and closure
 * in a `__name()` call, which the built app never makes. The core creates a few dozen closures per
 * chat turn, so under tsx it pays a cost the app does not, and the bare client it is compared
 * with (plain JavaScript from node_modules) does not either.
 *
 * Packages stay external (vite's SSR build), so ollama-js, OpenTelemetry and the rest are the
 * very files node_modules holds. The bench-servers child is built next to the benchmark, and
 * bench-servers.ts forks the built one when it is there.
 */
import { spawn } from 'node:child_process';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const outDir = join(repoRoot, 'out', 'bench');

async function main(): Promise<number> {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: tsx tests/bench/run-built.ts <benchmark.ts> [benchmark args...]\n');
    return 2;
  }
  const name = basename(entry, extname(entry));
  const started = performance.now();
  await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: { [name]: resolve(entry), 'bench-servers-child': join(here, 'bench-servers-child.ts') },
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
      },
    },
  });
  process.stdout.write(`built ${entry} into ${outDir} (${((performance.now() - started) / 1000).toFixed(1)} s); running it with node ${process.version}\n`);
  const child = spawn(process.execPath, [join(outDir, `${name}.mjs`), ...args], { cwd: repoRoot, stdio: 'inherit' });
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`run-built: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
