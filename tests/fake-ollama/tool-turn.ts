/**
 * Where a chat stands with tools, read from its messages as Ollama's template would: the tool
 * rounds the model already made since the user's last message (assistant messages with
 * `tool_calls`) and the tool results it got back (`role: "tool"` messages).
 */
export interface ToolTurn {
  rounds: number;
  results: Array<{ name: string; content: string }>;
  /** The results of the last round only (the tool messages after the last assistant tool call). */
  lastResults: Array<{ name: string; content: string }>;
}

export function toolTurn(messages: ReadonlyArray<Record<string, unknown>>): ToolTurn {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const turn: ToolTurn = { rounds: 0, results: [], lastResults: [] };
  for (let i = lastUser + 1; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
      turn.rounds++;
      turn.lastResults = [];
    }
    if (m.role === 'tool') {
      const result = { name: typeof m.tool_name === 'string' ? m.tool_name : '', content: typeof m.content === 'string' ? m.content : '' };
      turn.results.push(result);
      turn.lastResults.push(result);
    }
  }
  return turn;
}

/**
 * What a gullible model does with a prompt injection (`obeysToolResults`): a line of the last
 * round's tool results that says `CALL <tool> <json object>` becomes its next tool call, exactly
 * as asked, whatever tools the request offers. Null when no result says so.
 */
export function instructedCall(lastResults: ToolTurn['lastResults']): { name: string; arguments: Record<string, unknown> } | null {
  for (const result of lastResults) {
    const match = /CALL ([\w.-]{1,128}) (\{.*\})/.exec(result.content);
    if (!match) continue;
    try {
      const args = JSON.parse(match[2]!) as unknown;
      if (args && typeof args === 'object' && !Array.isArray(args)) return { name: match[1]!, arguments: args as Record<string, unknown> };
    } catch {
      // Not JSON: the model does not act on it.
    }
  }
  return null;
}

/** The fake model's answer after tool calls: it repeats what each tool said, so tests can see it. */
export function answerFromTools(results: ToolTurn['results']): string {
  return results.map((r) => `From ${r.name || 'a tool'}: ${r.content}`).join('\n');
}
