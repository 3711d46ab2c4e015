/**
 * What a user message asks the agent to keep. Deliberately conservative: only an explicit request
 * at the start of the message (or of one of its sentences) counts, so ordinary questions that
 * happen to contain "remember" or "always" are never stored.
 */
export interface DetectedMemory {
  type: 'semantic' | 'procedural';
  text: string;
}

const maxLength = 500;

// "remember that X", "remember: X", "please remember X", "note that X", "keep in mind that X".
const factPattern = /^(?:please\s+)?(?:remember|note|keep in mind)(?:\s+that|\s*:)\s*(.+)$/i;
// "from now on, X", "always X", "never X", "going forward X" (a standing instruction).
const instructionPattern = /^(?:please\s+)?(?:(?:from now on|going forward|in future|in the future)[,:]?\s+(.+)|((?:always|never)\s+.+))$/i;
// A question about memory is not a request to store it ("remember that time...?").
const question = /\?\s*$/;

/** Sentences: split on . ! ? followed by whitespace (so 10.0.0.5 stays whole) and on newlines. */
function sentences(message: string): string[] {
  return message
    .split(/\n+|(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function clean(text: string): string {
  return text.trim().replace(/\s+/g, ' ').replace(/[.!]+$/, '').slice(0, maxLength);
}

export function detectMemories(message: string): DetectedMemory[] {
  const found: DetectedMemory[] = [];
  for (const sentence of sentences(message)) {
    if (question.test(sentence)) continue;
    const fact = factPattern.exec(sentence);
    if (fact?.[1] && clean(fact[1]).length >= 3) {
      found.push({ type: 'semantic', text: clean(fact[1]) });
      continue;
    }
    const rule = instructionPattern.exec(sentence);
    const text = rule?.[1] ?? rule?.[2];
    if (text && clean(text).split(' ').length >= 3 && !/^never mind\b/i.test(text)) found.push({ type: 'procedural', text: clean(text) });
  }
  return found;
}
