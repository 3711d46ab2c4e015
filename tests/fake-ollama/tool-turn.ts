/**
 * Where a chat stands with tools, read from its messages as Ollama's template would: the tool
 * rounds the model already made since the user's last message (assistant messages with
 * `tool_calls`) and the tool results it got back (`role: "tool"` messages).
 */
export interface ToolTurn {
  rounds: number;
  results: Array<{ name: string; content: string }>;
}

export function toolTurn(messages: ReadonlyArray<Record<string, unknown>>): ToolTurn {
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      lastUser = i;
      break;
    }
  }
  const turn: ToolTurn = { rounds: 0, results: [] };
  for (let i = lastUser + 1; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) turn.rounds++;
    if (m.role === 'tool') turn.results.push({ name: typeof m.tool_name === 'string' ? m.tool_name : '', content: typeof m.content === 'string' ? m.content : '' });
  }
  return turn;
}

/** The fake model's answer after tool calls: it repeats what each tool said, so tests can see it. */
export function answerFromTools(results: ToolTurn['results']): string {
  return results.map((r) => `From ${r.name || 'a tool'}: ${r.content}`).join('\n');
}
