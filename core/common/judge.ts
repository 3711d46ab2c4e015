/**
 * The answer judge's verdict on one finished turn (seed 2.3: LLM-as-judge), as the UI receives it
 * on the `chat.judged` event. It arrives after the turn's `done`, when a sampled judge has run.
 */

/** Scores are 0..1; null when the turn had no sources (nothing to be faithful to). */
export interface AnswerScores {
  /** Claims of the answer that the cited sources support. */
  faithfulness: number | null;
  /** How well the answer addresses the question. */
  answerRelevance: number;
  /** How well the retrieved sources fit the question. */
  contextRelevance: number | null;
  /** The answer states something the sources do not support; null without sources. */
  hallucination: boolean | null;
  /** The judge's one-line reason (model output: shown as plain text, never as HTML). */
  explanation: string;
}

export interface AnswerJudgment {
  conversationId: string;
  turnId: string;
  messageId: string;
  /** The model that answered, and the one that judged. */
  model: string;
  judgeModel: string;
  traceId: string | null;
  scores: AnswerScores;
}
