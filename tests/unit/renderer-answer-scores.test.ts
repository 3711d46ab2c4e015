import { describe, expect, it } from 'vitest';
import type { AnswerJudgment, AnswerScores } from '../../core/common';
import { createAppStore } from '../../renderer/src/app/store';
import { selectScoresOf } from '../../renderer/src/features/chat/selectors';

const scores = (answerRelevance: number): AnswerScores => ({ faithfulness: null, answerRelevance, contextRelevance: null, hallucination: null, explanation: '' });
const judgment = (turnId: string, answerRelevance = 0.5): AnswerJudgment => ({ conversationId: 'c', turnId, messageId: 'm', model: 'm', judgeModel: 'm', traceId: null, scores: scores(answerRelevance) });

describe('chat slice: answer judge scores', () => {
  it('keeps the scores by turn, apart from the messages (a reloaded conversation keeps them)', () => {
    const store = createAppStore({ scheduleFrame: (cb) => cb() });
    const chat = () => store.getState().chat;
    expect(selectScoresOf('t1')(store.getState())).toBeNull();
    chat().receiveJudgment(judgment('t1', 0.4));
    chat().receiveJudgment(judgment('t1', 0.6));
    expect(selectScoresOf('t1')(store.getState())?.answerRelevance).toBe(0.6);
    chat().loadConversation({ id: 'c', title: '', createdAt: '', updatedAt: '', messageCount: 0, snippet: '', messages: [] });
    expect(selectScoresOf('t1')(store.getState())?.answerRelevance).toBe(0.6);
  });

  it('is bounded to the newest 200 turns, and a turn id such as __proto__ is only a key', () => {
    const store = createAppStore({ scheduleFrame: (cb) => cb() });
    const chat = () => store.getState().chat;
    for (let i = 0; i < 250; i++) chat().receiveJudgment(judgment(`t${i}`));
    expect(Object.keys(chat().scores)).toHaveLength(200);
    expect(selectScoresOf('t49')(store.getState())).toBeNull();
    expect(selectScoresOf('t249')(store.getState())).not.toBeNull();
    chat().receiveJudgment(judgment('__proto__', 0.9));
    expect(selectScoresOf('__proto__')(store.getState())?.answerRelevance).toBe(0.9);
    expect(selectScoresOf('constructor')(store.getState())).toBeNull();
    expect(({} as Record<string, unknown>).answerRelevance).toBeUndefined();
  });
});
