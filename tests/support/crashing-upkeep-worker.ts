// The real upkeep worker, killed by its own hand the moment an optimize reaches it (the job was
// accepted and never finished): what a crash mid-optimize looks like to the serving process.
import '../../core/rag/upkeep-worker';

process.on('message', (message: { type?: string; job?: { op?: string } }) => {
  if (message?.job?.op === 'optimize') process.kill(process.pid, 'SIGKILL');
});
