import type { Core } from '../runtime';
import { exitCodes, type CliIo } from './io';
import { cliInput } from './method-input';

export interface SearchCommandOptions {
  query: string;
  /** As typed; kb.search's schema validates them. */
  mode: string;
  k: number;
  json: boolean;
}

const fmt = (n: number | undefined, digits = 3) => (n === undefined ? '' : n.toFixed(digits));

/** `agent-bruno search "<q>" [--mode hybrid|vector|fts] [-k N] [--json]`: the `kb.search` method. */
export async function searchCommand(core: Core, io: CliIo, options: SearchCommandOptions): Promise<number> {
  const parsed = cliInput(io, 'kb.search', { query: options.query, mode: options.mode, k: options.k });
  if (!parsed.ok) return parsed.code;
  const result = await core.handlers['kb.search'](parsed.input);
  if (options.json) {
    io.stdout.write(JSON.stringify(result) + '\n');
    return exitCodes.ok;
  }
  const out = (line: string) => io.stdout.write(line + '\n');
  if (result.warning) io.stderr.write(`agent-bruno: ${result.warning}\n`);
  if (result.hits.length === 0) {
    out(`no matches for "${options.query}" (${result.mode})`);
    return exitCodes.ok;
  }
  result.hits.forEach((hit, i) => {
    const s = hit.scores;
    const parts = [
      result.mode === 'hybrid' ? `fused ${fmt(s.fused)}` : '',
      s.vector !== undefined ? `vector ${fmt(s.vector)} #${s.vectorRank}` : '',
      s.fts !== undefined ? `fts ${fmt(s.fts)} #${s.ftsRank}` : '',
    ].filter(Boolean);
    out(`${i + 1}. ${hit.path}${hit.heading ? ` - ${hit.heading}` : ''}  [${parts.join(' | ')}]`);
    out(`   ${hit.snippet}`);
  });
  out(`(${result.mode}${result.fusion ? `, ${result.fusion} fusion` : ''}, ${result.hits.length} of k=${result.k}, ${result.timings.totalMs.toFixed(0)} ms${result.annIndex ? ', ANN index' : ''})`);
  return exitCodes.ok;
}
