import { parseInvokeInput, type InvokeChannel } from '../common/contract';
import { BrunoError } from '../common/errors';
import type { z } from 'zod';
import { contractMethods } from '../common/methods';
import { exitCodes, oneLine, type CliIo } from './io';

type InputOf<C extends InvokeChannel> = z.output<(typeof contractMethods)[C]['input']>;

/**
 * The commands that mirror a contract method (search, eval, ingest) turn their arguments into
 * that method's input and validate it with the method's own schema, so the CLI takes exactly
 * what the UI and the API take. A bad value is a usage error (exit 2) with the schema's message.
 */
export function cliInput<C extends InvokeChannel>(io: CliIo, channel: C, raw: unknown): { ok: true; input: InputOf<C> } | { ok: false; code: number } {
  try {
    return { ok: true, input: parseInvokeInput(channel, raw) };
  } catch (err) {
    if (!(err instanceof BrunoError)) throw err;
    io.stderr.write(`agent-bruno: ${oneLine(err.message)} (see \`agent-bruno help\`)\n`);
    return { ok: false, code: exitCodes.usage };
  }
}

/**
 * One field of a method's input, checked before the rest exists (eval checks -k before it reads
 * the query file): the same schema, named by its command-line flag.
 */
export function cliOption(io: CliIo, channel: InvokeChannel, field: string, value: unknown, flag: string): boolean {
  const schema = (contractMethods[channel].input as unknown as z.ZodObject).shape[field] as z.ZodType | undefined;
  const result = schema?.safeParse(value);
  if (!result || result.success) return true;
  io.stderr.write(`agent-bruno: ${flag}: ${result.error.issues[0]?.message ?? 'invalid'} (got '${String(value)}')\n`);
  return false;
}
