/**
 * A process that opens the memory store on BRUNO_DATA_DIR and is killed with SIGKILL in the middle
 * of the journal's compaction: after the compacted file is written and fsynced, before it is
 * renamed over the journal (tests/integration/memory-compaction-crash.test.ts).
 */
import { nodeJournalFs } from '../../core/memory/journal-fs';
import { testMemoryStore } from './core-harness';

const { store } = testMemoryStore(process.env.BRUNO_DATA_DIR!, {
  journalFs: {
    ...nodeJournalFs,
    async rename() {
      process.stdout.write('compacted file written; killing myself before the rename\n');
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {});
    },
  },
});
await store.listConversations({});
process.stdout.write('opened without a compaction\n');
