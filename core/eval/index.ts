export { parseEvalQueries, type EvalQuery } from './queries';
export { runEval, evalDefaults, evalModes, type EvalOptions, type EvalReport, type ModeReport, type QueryReport } from './run-eval';
export { evalGauges, recordEvalReport, recordEvalRun, type EvalGauges } from './eval-gauges';
export { createEvalRunner, type EvalRunner, type EvalRunnerDeps } from './eval-runner';
export { createEvalHistory, evalHistoryFile, type EvalHistory } from './eval-history';
export { reciprocalRank, hitAtK, ndcgAtK, dcgAtK, gainsOf, firstRelevantRank, hitCutoffs, scoreQuery, meanScores, type QueryScores, type MeanScores } from './ranking-scores';
export { resolveLabel } from './labels';
export {
  createDriftTracker,
  computeBaseline,
  baselineFromStore,
  refreshBaseline,
  saveBaseline,
  loadBaseline,
  baselinePath,
  cosine,
  VectorStats,
  type DriftTracker,
  type DriftTrackerOptions,
  type DriftSnapshot,
  type EmbeddingBaseline,
} from './drift';
export { evalHandlers } from './eval-methods';
export { createAnswerJudge, type AnswerJudge, type AnswerJudgeDeps, type AnsweredTurn } from './answer-judge';
export { createJudgeTelemetry, noopJudgeTelemetry, type JudgeTelemetry, type JudgeTelemetryDeps } from './judge-telemetry';
export { judgeMessages, judgeSchemas, parseVerdict, hallucinationSeverity, JudgeReplyError, type JudgeInput } from './judge-verdict';
export { kolmogorovQ, ksTwoSample, type KsResult } from './ks-test';
export { createQueryDriftTracker, driftWindows, type QueryDriftTracker, type QueryDriftOptions, type QueryDriftSnapshot } from './query-drift';
export { createQueryDriftStore, type QueryDriftStore, type QueryDriftReference } from './query-drift-store';
export { createEvalBaselines, evalBaselinesFile, recordPerformanceDrift, relativeChange, type EvalBaselines } from './performance-drift';
