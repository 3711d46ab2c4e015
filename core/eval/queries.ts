/**
 * The labelled evaluation set: JSON Lines, one `{"query": "...", "relevant": ["path", ...]}` per
 * line. Paths are relative to an ingested root (`api.md`), may name the root's own trailing
 * folders (`pino/docs/api.md` under the root .../node_modules/pino/docs), or be absolute. Blank
 * lines are skipped; other keys on a line (a note, an id) are allowed and ignored.
 */
import { z } from 'zod';
import { BrunoError } from '../common/errors';

export interface EvalQuery {
  query: string;
  relevant: string[];
  /** 1-based line of the file, for messages. */
  line: number;
}

const lineSchema = z.looseObject({
  query: z.string({ error: '"query" must be a string' }).trim().min(1, '"query" must not be empty'),
  relevant: z
    .array(z.string({ error: '"relevant" must list paths as strings' }).trim().min(1, '"relevant" holds an empty path'), { error: '"relevant" must be a list of paths' })
    .min(1, '"relevant" must name at least one path'),
});

/** Parses the file's text; a bad line throws an invalid_request error naming its line number. */
export function parseEvalQueries(text: string, fileName = 'the evaluation file'): EvalQuery[] {
  const queries: EvalQuery[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new BrunoError('invalid_request', `${fileName} line ${line}: not valid JSON (${(err as Error).message})`);
    }
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = issue?.code === 'invalid_type' && issue.path.length === 0 ? 'expected an object {"query": "...", "relevant": ["path", ...]}' : (issue?.message ?? 'invalid');
      throw new BrunoError('invalid_request', `${fileName} line ${line}: ${message}`);
    }
    queries.push({ query: parsed.data.query, relevant: [...new Set(parsed.data.relevant)], line });
  });
  if (queries.length === 0) throw new BrunoError('invalid_request', `${fileName} holds no queries: write one JSON object per line, {"query": "...", "relevant": ["path", ...]}`);
  return queries;
}
