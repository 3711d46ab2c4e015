import { z } from 'zod';
import { fusionMethods, searchModes, type KbEvalReport, type KbEvalRun, type KbSource, type SearchResult } from '../knowledge';
import { method } from '../method';
import { id, noInput } from './ids';

/** A file or folder to ingest: absolute (the UI's file picker gives one), no NUL byte. */
const kbPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\u0000'), 'contains a NUL byte')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'must be an absolute path');
const fusion = z.enum(fusionMethods, { error: "must be 'convex' or 'rrf'" });
const k = z.number().int().min(1).max(100);

export const kbIngestInput = z.strictObject({ paths: z.array(kbPath).min(1, 'give at least one path').max(100) });
export const kbReingestInput = z.strictObject({ sourceId: id.optional() }).optional();
export const kbCancelInput = z.strictObject({ jobId: id });
export const kbRemoveInput = z.union([z.strictObject({ sourceId: id }), z.strictObject({ path: kbPath })], { error: 'give either sourceId or path' });
export const kbSearchInput = z.strictObject({
  query: z.string().trim().min(1, 'query is empty').max(2000),
  mode: z.enum(searchModes, { error: "must be 'hybrid', 'vector' or 'fts'" }).optional(),
  fusion: fusion.optional(),
  k: k.optional(),
});
/**
 * Labelled queries (as in `agent-bruno eval` files); `line` is where a query stands in its file.
 * Without `queries` the configured set runs (settings knowledge.eval.set, BRUNO_EVAL_SET): the
 * UI's Evaluate button, which cannot read files.
 */
export const kbEvalInput = z.strictObject({
  queries: z
    .array(z.strictObject({ query: z.string().trim().min(1).max(2000), relevant: z.array(z.string().min(1).max(4096)).min(1), line: z.number().int().min(1).optional() }))
    .min(1)
    .max(1000)
    .optional(),
  k: k.optional(),
  fusion: fusion.optional(),
  /** Name the run is kept under (the CLI sends the file name); `inline` without it. */
  set: z.string().trim().min(1).max(200).optional(),
});
export const kbEvalHistoryInput = z.strictObject({ limit: z.number().int().min(1).max(200).optional() }).optional();
export type KbEvalInput = z.infer<typeof kbEvalInput>;

/** The knowledge base. Handlers: core/rag/kb-methods.ts; kb.eval in core/eval/eval-methods.ts. */
export const kbMethods = {
  /** Its progress, then a summary or an error, arrive as `kb.progress` events. */
  'kb.ingest': method<{ jobId: string }>()({ input: kbIngestInput, summary: 'Starts ingesting files and folders; progress arrives as kb.progress events.' }),
  'kb.reingest': method<{ jobId: string }>()({ input: kbReingestInput, summary: 'Re-ingests every source (or one): changed files re-embedded, deleted ones removed.' }),
  'kb.cancel': method<{ cancelled: boolean }>()({ input: kbCancelInput, summary: 'Stops a running ingestion job; what it wrote so far stays.' }),
  'kb.sources': method<KbSource[]>()({ input: noInput, summary: 'The ingested folders and files with their counts.' }),
  'kb.remove': method<{ removed: boolean; files: number; chunks: number }>()({ input: kbRemoveInput, summary: 'Removes a source and its chunks.' }),
  'kb.search': method<SearchResult>()({ input: kbSearchInput, summary: 'Searches the knowledge base (hybrid, vector or full text).' }),
  'kb.eval': method<KbEvalReport>()({ input: kbEvalInput, summary: 'MRR, Hit@k and NDCG per search mode on labelled queries (or the configured set); sets the quality gauges and keeps the run.' }),
  'kb.evalHistory': method<KbEvalRun[]>()({ input: kbEvalHistoryInput, summary: 'The kept evaluation runs (oldest first): time, set, trigger, embedding version, scores per mode.' }),
};
