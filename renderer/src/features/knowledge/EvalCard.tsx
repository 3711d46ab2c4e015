import { useEffect, useMemo } from 'react';
import type { KbEvalRun } from '../../../../core/common';
import { useActions, useApp } from '../../shared/context';
import { countOf, formatSince } from '../../shared/format';
import { createChangeSignal } from '../../shared/live/change-signal';
import { LiveChart } from '../../shared/live/LiveChart';
import { hitCutoffs, trendOf } from './eval-trend';
import { selectEvalError, selectEvalRunError, selectEvalRunning, selectEvalRuns, selectEvalSetPath, selectEvalUnresolved, selectSettingsLoaded } from './selectors';

const score = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
const triggerLabel: Record<KbEvalRun['trigger'], string> = { manual: 'run by hand', 'after-ingest': 'after an ingestion', schedule: 'on the schedule' };
const setName = (path: string) => path.split(/[\\/]/).pop() ?? path;

/**
 * Retrieval evaluation: the Evaluate button runs the configured set (kb.eval without queries: the
 * renderer reads no files), the latest kept run's scores per mode, and the trend of that set's
 * MRR and Hit@k over its kept runs. The history is a few points in React state: the chart is fed
 * through a change signal instead of the live ring buffers, and is created once.
 */
export function EvalCard() {
  const runs = useApp(selectEvalRuns);
  const historyError = useApp(selectEvalError);
  const running = useApp(selectEvalRunning);
  const runError = useApp(selectEvalRunError);
  const unresolved = useApp(selectEvalUnresolved);
  const setPath = useApp(selectEvalSetPath);
  const settingsLoaded = useApp(selectSettingsLoaded);
  const controller = useActions();
  const signal = useMemo(() => createChangeSignal(), []);
  const last = runs.at(-1);
  const trend = useMemo(() => trendOf(runs, last?.set), [runs, last?.set]);
  // The chart reads `trend` on its next frame; tell it the data moved.
  useEffect(() => signal.notify(), [trend, signal]);

  const reason = !settingsLoaded
    ? 'Reading the settings…'
    : setPath
      ? null
      : 'No evaluation set is configured: name a JSON Lines file of labelled queries (one {"query": "...", "relevant": ["file.md"]} per line) in Settings, Retrieval evaluation (knowledge.eval.set in settings.json, or BRUNO_EVAL_SET).';
  const ks = last ? hitCutoffs(last) : [];

  return (
    <section className="card" aria-label="Retrieval evaluation" data-testid="kb-eval">
      <header className="card-header">
        <h2>Retrieval evaluation</h2>
        <button
          type="button"
          className="button button-primary"
          data-testid="kb-eval-run"
          disabled={!!reason || running}
          aria-describedby={reason ? 'kb-eval-reason' : undefined}
          onClick={() => void controller.runEvaluation()}
        >
          {running ? 'Evaluating…' : 'Evaluate'}
        </button>
      </header>
      {reason ? (
        <p className="muted" id="kb-eval-reason" data-testid="kb-eval-reason">
          {reason}
        </p>
      ) : (
        <p className="muted" data-testid="kb-eval-set">
          Set <code>{setName(setPath!)}</code>: MRR, Hit@k and NDCG of each search mode on its labelled queries.
        </p>
      )}
      {running && (
        <div className="kb-job" data-testid="kb-eval-running">
          <span className="muted">Evaluating {setPath ? setName(setPath) : 'the set'}: every query in each search mode…</span>
          <progress className="kb-progress" aria-label="Evaluation running" />
        </div>
      )}
      {runError && (
        <p className="field-error" role="alert" data-testid="kb-eval-error">
          {runError}
        </p>
      )}
      {historyError && (
        <p className="field-error" role="alert" data-testid="kb-eval-history-error">
          {historyError}
        </p>
      )}
      {!running && !runError && unresolved > 0 && (
        <p className="muted" data-testid="kb-eval-unresolved">
          {countOf(unresolved, 'label')} of the set name no ingested file (a typo, or a file not ingested yet): they count as misses.
        </p>
      )}
      {last ? (
        <>
          <p className="muted" data-testid="kb-eval-last">
            Last run {formatSince(last.at)} ({triggerLabel[last.trigger]}): set <code>{last.set}</code>, {countOf(last.queries, 'query', 'queries')}, {countOf(last.documents, 'document')}, embeddings <code>{last.embeddingVersion}</code>
            {last.fusion ? `, ${last.fusion} fusion` : ''}.
          </p>
          <div className="table-scroll">
            <table className="data-table" data-testid="kb-eval-results">
              <thead>
                <tr>
                  <th>Mode</th>
                  <th className="num">MRR</th>
                  {ks.map((k) => (
                    <th key={k} className="num">
                      Hit@{k}
                    </th>
                  ))}
                  <th className="num">NDCG@{last.depth}</th>
                  <th className="num">ms/query</th>
                </tr>
              </thead>
              <tbody>
                {last.modes.map((m) => (
                  <tr key={m.mode} data-testid="kb-eval-mode" data-mode={m.mode}>
                    <td>{m.mode}</td>
                    <td className="num" data-testid="kb-eval-mrr">
                      {score(m.mrr)}
                    </td>
                    {ks.map((k) => (
                      <td key={k} className="num">
                        {score(m.hitRate[k])}
                      </td>
                    ))}
                    <td className="num">{score(m.ndcg)}</td>
                    <td className="num">{m.meanLatencyMs.toFixed(1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : (
        <p className="muted" data-testid="kb-eval-none">
          No evaluation kept yet.
        </p>
      )}
      <LiveChart
        metrics={signal}
        read={() => [trend.time, trend.mrr, trend.hit]}
        time
        title={last ? `Trend of ${last.set} (hybrid search)` : 'Trend'}
        testId="kb-eval-trend"
        height={140}
        series={[
          { label: 'MRR', stroke: '#2f6feb', unit: '', max: 1 },
          { label: 'Hit@5', stroke: '#1a7f37', unit: '', max: 1 },
        ]}
        emptyText="No evaluation yet: the trend appears after the first run"
      />
    </section>
  );
}
