import { useMemo } from 'react';
import { useApp } from '../../shared/context';
import { selectScoresOf } from './selectors';

const percent = (value: number) => `${Math.round(value * 100)}%`;

/**
 * The answer judge's verdict under an answer, once a `chat.judged` event brought it (the judge
 * runs after `done`, on a sample of turns). Subscribes on its own, so the memoized message row
 * does not re-render. The explanation is model output: plain text only.
 */
export function AnswerScores({ turnId }: { turnId: string }) {
  const selector = useMemo(() => selectScoresOf(turnId), [turnId]);
  const scores = useApp(selector);
  if (!scores) return null;
  const parts: { key: string; text: string; value: number; title: string }[] = [];
  if (scores.faithfulness !== null) parts.push({ key: 'faithfulness', text: `faithful ${percent(scores.faithfulness)}`, value: scores.faithfulness, title: 'Claims of the answer that its sources support (answer judge)' });
  parts.push({ key: 'answer_relevance', text: `relevant ${percent(scores.answerRelevance)}`, value: scores.answerRelevance, title: 'How well the answer addresses the question (answer judge)' });
  if (scores.contextRelevance !== null) parts.push({ key: 'context_relevance', text: `sources fit ${percent(scores.contextRelevance)}`, value: scores.contextRelevance, title: 'How well the retrieved sources fit the question (answer judge)' });
  return (
    <div className="stats answer-scores" data-testid="answer-scores" aria-label="Answer quality (judge)" title={scores.explanation || undefined}>
      {parts.map((p) => (
        <span key={p.key} className={`stat${p.value < 0.5 ? ' stat-warn' : ''}`} data-score={p.key} data-value={p.value} title={p.title}>
          {p.text}
        </span>
      ))}
      {scores.hallucination !== null && (
        <span className={`stat${scores.hallucination ? ' stat-warn' : ''}`} data-score="hallucination" data-value={scores.hallucination ? 1 : 0} title="Whether the answer states what its sources do not support (answer judge)">
          {scores.hallucination ? 'possible hallucination' : 'grounded'}
        </span>
      )}
      {scores.explanation && <span className="stat answer-scores-why">{scores.explanation}</span>}
    </div>
  );
}
