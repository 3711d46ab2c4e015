import { z } from 'zod';

/** The defaults a fresh install runs with: everything on loopback. */
export const defaults = {
  ollamaHost: 'http://127.0.0.1:11434',
  chatModel: 'llama3.1:8b',
  serverHost: '127.0.0.1',
  serverPort: 7878,
  /** Ollama sends nothing while a model loads; a big model can take minutes on a small box. */
  firstChunkTimeoutMs: 300_000,
  /** Between two chunks a healthy model never pauses this long. */
  idleChunkTimeoutMs: 60_000,
  healthIntervalMs: 15_000,
} as const;

const port = z.coerce.number().int().min(0).max(65_535);
const timeoutMs = z.coerce.number().int().min(100).max(3_600_000);

export const settingsSchema = z.strictObject({
  ollamaHost: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:11434' }),
  chatModel: z.string().min(1, 'must name a model, e.g. llama3.1:8b'),
  server: z.strictObject({
    host: z.string().min(1),
    port,
    /** Empty means: generate one at start and print it with the URL. */
    apiToken: z.string().min(16, 'must be at least 16 characters').optional(),
  }),
  stream: z.strictObject({
    firstChunkTimeoutMs: timeoutMs,
    idleChunkTimeoutMs: timeoutMs,
  }),
  healthIntervalMs: timeoutMs,
  dataDir: z.string().min(1),
});

export type Settings = z.infer<typeof settingsSchema>;
