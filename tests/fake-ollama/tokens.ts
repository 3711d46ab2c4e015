/**
 * Deterministic "tokenisation" for the fake Ollama server.
 *
 * There is no real tokenizer here. A reply token is a word with its leading
 * whitespace (" homelab", " healthy."), which is what a streamed chunk of a
 * real model looks like closely enough. Prompt tokens are counted as words plus
 * punctuation marks, so tests can compute the expected `prompt_eval_count`
 * with the same exported function.
 */

/**
 * The text the default reply is cut from, repeated as often as needed.
 * Readable on purpose: it shows up in screenshots and e2e tests.
 */
export const DEFAULT_REPLY_SOURCE =
  'Your homelab looks healthy. The cluster has three nodes and every service answered its last health check. ' +
  'Disk usage on the storage node is at sixty percent, which leaves room for several months of backups. ' +
  'Memory pressure is low and the GPU is idle between requests. ' +
  'I recommend checking the certificate expiry dates next week and rotating the old SSH keys.';

/** The text default thinking chunks are cut from. */
export const DEFAULT_THINKING_SOURCE =
  'Let me look at the question first. The user wants a short status summary, ' +
  'so I should check the nodes, the disks and the services before answering.';

/**
 * Splits text into stream tokens on word boundaries, keeping whitespace
 * attached to the following word: `"Hi there,\nfriend"` ->
 * `["Hi", " there,", "\nfriend"]`. Joining the result gives the input back
 * exactly (trailing whitespace becomes its own last token).
 */
export function splitIntoTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/**
 * Counts "tokens" in a prompt: each run of letters/digits/underscore is one,
 * each other non-space character (punctuation, symbols) is one.
 * `countTokens("Hello, world!")` is 4.
 */
export function countTokens(text: string): number {
  if (text === '') return 0;
  return text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)?.length ?? 0;
}

/**
 * A sequence of stream tokens that may be long (a million tokens for load
 * tests): tokens are produced on demand instead of being kept in an array.
 */
export interface TokenSequence {
  readonly length: number;
  at(index: number): string;
}

/** Tokens of a fixed list. */
export function listSequence(tokens: readonly string[]): TokenSequence {
  return { length: tokens.length, at: (i) => tokens[i] ?? '' };
}

/** The first `count` tokens of `source` repeated endlessly (a space joins the repeats). */
export function cycleSequence(source: string, count: number): TokenSequence {
  const base = splitIntoTokens(source);
  const period = base.length;
  return {
    length: period === 0 ? 0 : count,
    at(i) {
      const token = base[i % period] ?? '';
      // The first token of a repeat gets a leading space so the text stays readable.
      return i >= period && i % period === 0 ? ` ${token.trimStart()}` : token;
    },
  };
}

/** All tokens of a sequence as an array (for tests and small sequences). */
export function toArray(sequence: TokenSequence): string[] {
  return Array.from({ length: sequence.length }, (_, i) => sequence.at(i));
}

/** The default reply: the first `count` tokens of DEFAULT_REPLY_SOURCE, cycled. */
export function defaultReplyTokens(count: number): string[] {
  return toArray(cycleSequence(DEFAULT_REPLY_SOURCE, count));
}

/** The default thinking: the first `count` tokens of DEFAULT_THINKING_SOURCE, cycled. */
export function defaultThinkingTokens(count: number): string[] {
  return toArray(cycleSequence(DEFAULT_THINKING_SOURCE, count));
}

/** Reply tokens for a behaviour: `replyText` split on words if set, else the default reply. */
export function replySequence(b: { replyText: string | null; replyTokens: number }): TokenSequence {
  return b.replyText !== null ? listSequence(splitIntoTokens(b.replyText)) : cycleSequence(DEFAULT_REPLY_SOURCE, b.replyTokens);
}

/** Thinking tokens for a behaviour: `thinkingText` split on words if set, else `thinking` default tokens. */
export function thinkingSequence(b: { thinkingText: string | null; thinking: number }): TokenSequence {
  return b.thinkingText !== null ? listSequence(splitIntoTokens(b.thinkingText)) : cycleSequence(DEFAULT_THINKING_SOURCE, b.thinking);
}

/** Text of one chat message as the fake counts it (content only; images and tool calls are ignored). */
export function countMessageTokens(messages: ReadonlyArray<{ content?: unknown }>): number {
  let total = 0;
  for (const m of messages) total += typeof m.content === 'string' ? countTokens(m.content) : 0;
  return total;
}

/** Deterministic fake token ids for text (used for /api/generate's `context`). */
export function fakeTokenIds(text: string): number[] {
  const words = text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
  return words.map((w) => fnv1a(w) % 128_000);
}

/** 32-bit FNV-1a hash of a string. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
