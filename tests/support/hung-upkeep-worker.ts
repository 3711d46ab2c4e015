// An upkeep worker whose optimize never ends (a native call that hangs); index builds it runs.
import { connect } from '@lancedb/lancedb';
import { loadLance } from '../../core/rag/store';
import { runUpkeepJob, type ToUpkeepWorker } from '../../core/rag/upkeep-protocol';

process.on('message', (message: ToUpkeepWorker) => {
  if (message.job.op === 'optimize') return;
  void (async () => {
    const table = await (await connect(message.uri)).openTable(message.table);
    await runUpkeepJob(await loadLance(), table, message.job);
    process.send?.({ type: 'done', id: message.id, version: await table.version() });
  })();
});
process.send?.({ type: 'ready', pid: process.pid });
