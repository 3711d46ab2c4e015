/**
 * A process that runs one streamed chat turn on a data dir and is killed in the middle of it
 * (tests/integration/memory-crash.test.ts). Prints `streaming <conversationId>` at the first token,
 * then `emitted <answer length so far>` at every token event (stdout to a pipe is synchronous on
 * Linux, so the parent sees each line as it happens).
 * Env: BRUNO_DATA_DIR, OLLAMA_HOST, CRASH_CONVERSATION_ID, CRASH_MESSAGE, and CRASH_SELF_KILL_MS:
 * the child kills itself with SIGKILL that many ms after its first token.
 */
import { loadSettings } from '../../core/config';
import { createCore } from '../../core/runtime';

const core = createCore({ settings: loadSettings({ readFile: () => null }), env: process.env, logging: { file: false, stderr: false } });
const selfKillMs = process.env.CRASH_SELF_KILL_MS ? Number(process.env.CRASH_SELF_KILL_MS) : null;
let announced = false;
let emitted = 0;
const turn = core.agent.startTurn({ message: process.env.CRASH_MESSAGE ?? 'tell me a long story', conversationId: process.env.CRASH_CONVERSATION_ID }, (event) => {
  if (event.type !== 'token') return;
  emitted += event.text.length;
  if (!announced) {
    announced = true;
    process.stdout.write(`streaming ${turn.conversationId}\n`);
    if (selfKillMs !== null) setTimeout(() => process.kill(process.pid, 'SIGKILL'), selfKillMs);
  }
  process.stdout.write(`emitted ${emitted}\n`);
});
await turn.finished;
await core.close();
