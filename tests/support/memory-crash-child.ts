/**
 * A process that runs one streamed chat turn on a data dir and is killed in the middle of it
 * (tests/integration/memory-crash.test.ts). Prints `streaming <conversationId>` at the first token.
 * Env: BRUNO_DATA_DIR, OLLAMA_HOST, CRASH_CONVERSATION_ID, CRASH_MESSAGE.
 */
import { loadSettings } from '../../core/config';
import { createCore } from '../../core/runtime';

const core = createCore({ settings: loadSettings({ readFile: () => null }), env: process.env, logging: { file: false, stderr: false } });
let announced = false;
const turn = core.agent.startTurn({ message: process.env.CRASH_MESSAGE ?? 'tell me a long story', conversationId: process.env.CRASH_CONVERSATION_ID }, (event) => {
  if (event.type === 'token' && !announced) {
    announced = true;
    process.stdout.write(`streaming ${turn.conversationId}\n`);
  }
});
await turn.finished;
await core.close();
