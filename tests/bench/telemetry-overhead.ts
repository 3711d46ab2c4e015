/**
 * Entry of `npm run bench:telemetry` (see telemetry-overhead-run.ts for what it measures).
 * It registers the `?raw` import hook first: core imports rule files that way (Vite handles it
 * in the app build and in vitest), and the benchmark runs core straight from source with tsx.
 */
import { register } from 'node:module';

register('./raw-import-loader.mjs', import.meta.url);
await import('./telemetry-overhead-run');
