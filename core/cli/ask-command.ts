import type { TurnEvent } from '../common/turn';
import type { Core } from '../runtime';
import { exitCodes, oneLine, type CliIo } from './io';

export interface AskOptions {
  question: string;
  model?: string | undefined;
  conversationId?: string | undefined;
  json: boolean;
}

/** `agent-bruno ask`: one turn, streamed to stdout (or one JSON line with --json). */
export async function askCommand(core: Core, io: CliIo, options: AskOptions): Promise<number> {
  // A one-shot turn would start before its MCP servers could list their tools.
  await core.mcp.settled(5_000);
  let answer = '';
  let interrupted = false;
  const onEvent = (event: TurnEvent) => {
    if (event.type === 'token') {
      answer += event.text;
      if (!options.json) io.stdout.write(event.text);
    }
  };
  const turn = core.agent.startTurn(
    { message: options.question, model: options.model, conversationId: options.conversationId },
    onEvent,
  );
  const removeInterrupt = io.onInterrupt(() => {
    interrupted = true;
    core.agent.stop(turn.turnId);
  });
  const end = await turn.finished;
  removeInterrupt();

  if (end.type === 'done') {
    if (options.json) io.stdout.write(JSON.stringify({ ...end, answer }) + '\n');
    else io.stdout.write('\n');
    return exitCodes.ok;
  }
  if (options.json) io.stdout.write(JSON.stringify(end) + '\n');
  else if (answer) io.stdout.write('\n');
  io.stderr.write(`agent-bruno: ${oneLine(end.message)}\n`);
  return interrupted ? exitCodes.interrupted : exitCodes.failed;
}
