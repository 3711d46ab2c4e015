import type { ConversationState } from './memory-state';

export interface ConversationHit {
  conversation: ConversationState;
  score: number;
  snippet: string;
}

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}_.:-]+/gu) ?? [];

function snippetAround(text: string, term: string): string {
  const at = text.toLowerCase().indexOf(term);
  if (at < 0) return text.slice(0, 160);
  const start = Math.max(0, at - 60);
  return `${start > 0 ? '...' : ''}${text.slice(start, at + term.length + 100)}`;
}

/** Scores one conversation against a query's words; null when a word is missing. */
export type ConversationMatcher = (conversation: ConversationState) => ConversationHit | null;

/**
 * Full-text search over titles and messages: every query word must occur (as a prefix of a word
 * of the conversation), ranked by how often they occur (a title hit counts triple), then recency.
 * Null when the query has no words.
 */
export function conversationMatcher(query: string): ConversationMatcher | null {
  const terms = [...new Set(words(query))];
  if (!terms.length) return null;
  return (conversation) => {
    const titleWords = words(conversation.title);
    const counts = new Map<string, number>();
    let snippet: string | null = null;
    for (const term of terms) {
      let n = titleWords.filter((w) => w.startsWith(term)).length * 3;
      for (const message of conversation.messages) {
        const found = words(message.content).filter((w) => w.startsWith(term)).length;
        if (found && snippet === null) snippet = snippetAround(message.content, term);
        n += found;
      }
      counts.set(term, n);
    }
    if ([...counts.values()].some((n) => n === 0)) return null;
    const score = [...counts.values()].reduce((a, b) => a + b, 0);
    return { conversation, score, snippet: snippet ?? conversation.title };
  };
}

export const byScoreThenRecency = (a: { score: number; updatedAt: string }, b: { score: number; updatedAt: string }) => b.score - a.score || b.updatedAt.localeCompare(a.updatedAt);

export function searchConversations(conversations: ConversationState[], query: string, limit: number): ConversationHit[] {
  const match = conversationMatcher(query);
  if (!match) return [];
  return conversations
    .flatMap((c) => match(c) ?? [])
    .sort((a, b) => byScoreThenRecency({ score: a.score, updatedAt: a.conversation.updatedAt }, { score: b.score, updatedAt: b.conversation.updatedAt }))
    .slice(0, limit);
}
