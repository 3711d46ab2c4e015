/**
 * The sources block of a chat prompt: numbered [1], [2] so the answer can cite them, filled in
 * rank order until the token budget is spent (a source that does not fit is cut when it is the
 * first one, skipped otherwise so a smaller later one can still fit).
 */
import type { SearchHit } from '../common/knowledge';

/** ~4 characters per token: the usual estimate for English prose and code with Llama tokenizers. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface RetrievedSource {
  /** The citation number, 1-based. */
  n: number;
  path: string;
  heading: string;
  snippet: string;
  text: string;
  score: number;
}

export interface PromptBlock {
  sources: RetrievedSource[];
  promptBlock: string;
  tokens: number;
}

export const promptHeader = 'Sources from the knowledge base (cite them by number, e.g. [1]):';

export function buildPromptBlock(hits: readonly SearchHit[], tokenBudget: number): PromptBlock {
  const sources: RetrievedSource[] = [];
  const parts: string[] = [];
  let used = estimateTokens(promptHeader) + 1;
  if (hits.length === 0 || tokenBudget <= used) return { sources, promptBlock: '', tokens: 0 };
  for (const hit of hits) {
    const n = sources.length + 1;
    const title = `[${n}] ${hit.path}${hit.heading ? ` (${hit.heading})` : ''}`;
    let text = hit.text;
    let cost = estimateTokens(`${title}\n${text}\n\n`);
    if (used + cost > tokenBudget) {
      const room = (tokenBudget - used - estimateTokens(`${title}\n...\n\n`)) * 4;
      if (sources.length > 0 || room < 40) continue;
      text = `${text.slice(0, room)}...`;
      cost = estimateTokens(`${title}\n${text}\n\n`);
    }
    used += cost;
    parts.push(`${title}\n${text}`);
    sources.push({ n, path: hit.path, heading: hit.heading, snippet: hit.snippet, text, score: hit.score });
  }
  if (sources.length === 0) return { sources, promptBlock: '', tokens: 0 };
  const promptBlock = `${promptHeader}\n\n${parts.join('\n\n')}`;
  return { sources, promptBlock, tokens: estimateTokens(promptBlock) };
}

/** Distinct documents among the sources (0..1): 1 when every source is another file. */
export function diversityOf(sources: readonly { path: string }[]): number {
  return sources.length === 0 ? 0 : new Set(sources.map((s) => s.path)).size / sources.length;
}
