import { useEffect, useState, type FormEvent } from 'react';
import { useApp, useActions } from '../../shared/context';
import { formatBytes, formatSince } from '../../shared/format';
import { EvalCard } from './EvalCard';
import { selectKbActionError, selectKbBusy, selectKbError, selectKbJob, selectKbSources, selectKbStatus } from './selectors';

/**
 * The knowledge base: add folders or files (the native dialog in the desktop app, absolute paths
 * typed in everywhere; the contract takes paths, so both end in kb.ingest), ingestion progress from kb.progress,
 * per-source stats, remove and re-ingest; retrieval evaluation (EvalCard).
 */
export function KnowledgeView() {
  const sources = useApp(selectKbSources);
  const status = useApp(selectKbStatus);
  const error = useApp(selectKbError);
  const job = useApp(selectKbJob);
  const busy = useApp(selectKbBusy);
  const actionError = useApp(selectKbActionError);
  const controller = useActions();
  const [paths, setPaths] = useState('');
  const [confirm, setConfirm] = useState<string | null>(null);
  useEffect(() => void controller.refreshKb(), [controller]);

  const onAdd = (e: FormEvent) => {
    e.preventDefault();
    const list = paths.split('\n').map((p) => p.trim()).filter(Boolean);
    if (list.length) void controller.ingest(list).then(() => setPaths(''));
  };
  const p = job?.progress;
  const pct = p && p.filesTotal > 0 ? Math.round((p.filesDone / p.filesTotal) * 100) : job?.summary ? 100 : 0;
  const skippedTotal = job ? Math.max(job.skipped.length, job.summary?.skippedTotal ?? p?.skipped ?? 0) : 0;

  return (
    <div className="view" data-testid="knowledge-view">
      <section className="card" aria-label="Add to the knowledge base">
        <header className="card-header">
          <h2>Knowledge base</h2>
        </header>
        <form className="kb-add" onSubmit={onAdd}>
          <label className="field">
            <span>Folders or files to add (absolute paths, one per line)</span>
            <textarea className="input mono" rows={2} data-testid="kb-paths" aria-label="Paths to ingest" placeholder="/home/me/notes" value={paths} onChange={(e) => setPaths(e.target.value)} />
          </label>
          <div className="row">
            <button type="submit" className="button button-primary" data-testid="kb-add" disabled={!paths.trim() || busy}>
              Add and ingest
            </button>
            {controller.canPickPaths && (
              <>
                <button type="button" className="button" data-testid="kb-pick-folders" disabled={busy} onClick={() => void controller.pickAndIngest('folders')}>
                  Choose folders…
                </button>
                <button type="button" className="button" data-testid="kb-pick-files" disabled={busy} onClick={() => void controller.pickAndIngest('files')}>
                  Choose files…
                </button>
              </>
            )}
            <button type="button" className="button" data-testid="kb-reingest-all" disabled={busy || sources.length === 0} onClick={() => void controller.reingest()}>
              Re-ingest all
            </button>
          </div>
        </form>
        {actionError && (
          <p className="field-error" role="alert" data-testid="kb-action-error">
            {actionError}
          </p>
        )}
        {job && (
          <div className="kb-job" data-testid="kb-job" data-state={job.error ? 'error' : job.summary ? 'done' : 'running'}>
            <div className="row">
              <span>{job.kind === 'reingest' ? 'Re-ingesting' : 'Ingesting'}</span>
              <span className="muted" data-testid="kb-progress-text">
                {job.error
                  ? 'failed'
                  : job.summary
                    ? `done: ${job.summary.filesIngested} ingested, ${job.summary.filesUnchanged} unchanged, ${job.summary.chunksAdded} chunks in ${job.summary.seconds.toFixed(1)} s`
                    : p
                      ? `${p.phase}: ${p.filesDone}/${p.filesTotal} files, ${p.chunksDone} chunks${p.etaSeconds !== null ? `, ~${Math.ceil(p.etaSeconds)} s left` : ''}`
                      : 'starting…'}
              </span>
            </div>
            <progress className="kb-progress" data-testid="kb-progress" max={100} value={pct} aria-label="Ingestion progress" />
            {p?.currentPath && !job.summary && <div className="muted mono ellipsis">{p.currentPath}</div>}
            {job.error && (
              <p className="field-error" role="alert" data-testid="kb-job-error">
                {job.error.message}
              </p>
            )}
            {job.skipped.length > 0 && (
              <details>
                {/* The events carry the first skips only; the count covers all (a walk of /proc skips thousands). */}
                <summary data-testid="kb-skipped">
                  {skippedTotal} skipped{skippedTotal > job.skipped.length ? ` (first ${job.skipped.length} listed)` : ''}
                </summary>
                <ul className="muted">
                  {job.skipped.map((s) => (
                    <li key={s.path}>
                      <code>{s.path}</code>: {s.reason}
                      {s.detail ? ` (${s.detail})` : ''}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </div>
        )}
      </section>
      <section className="card" aria-label="Sources">
        <header className="card-header">
          <h2>Sources</h2>
          <button type="button" className="button button-small" onClick={() => void controller.refreshKb()}>
            Refresh
          </button>
        </header>
        {status === 'error' && (
          <p className="field-error" role="alert" data-testid="kb-error">
            {error}
          </p>
        )}
        {status === 'ready' && sources.length === 0 && <p className="muted">No sources yet.</p>}
        {sources.length > 0 && (
          <table className="data-table" data-testid="kb-sources">
            <thead>
              <tr>
                <th>Root</th>
                <th className="num">Files</th>
                <th className="num">Chunks</th>
                <th className="num">Size</th>
                <th className="num">Skipped</th>
                <th>Last ingest</th>
                <th>Embedding</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sources.map((s) => (
                <tr key={s.id} data-testid="kb-source" data-root={s.root}>
                  <td className="mono">{s.root}</td>
                  <td className="num" data-testid="kb-source-files">
                    {s.files}
                  </td>
                  <td className="num" data-testid="kb-source-chunks">
                    {s.chunks}
                  </td>
                  <td className="num">{formatBytes(s.bytes)}</td>
                  <td className="num">{s.skipped}</td>
                  <td>{formatSince(s.lastIngestAt)}</td>
                  <td className="muted">{s.embeddingVersion ?? '–'}</td>
                  <td className="actions">
                    <button type="button" className="button button-small" disabled={busy} onClick={() => void controller.reingest(s.id)} aria-label={`Re-ingest ${s.root}`}>
                      Re-ingest
                    </button>
                    {confirm === s.id ? (
                      <button type="button" className="button button-small button-danger" data-testid="kb-confirm-remove" onClick={() => (setConfirm(null), void controller.removeSource(s.id))}>
                        Confirm remove
                      </button>
                    ) : (
                      <button type="button" className="button button-small" data-testid="kb-remove" disabled={busy} onClick={() => setConfirm(s.id)} aria-label={`Remove ${s.root}`}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <EvalCard />
    </div>
  );
}
