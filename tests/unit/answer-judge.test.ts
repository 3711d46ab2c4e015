import { describe, expect, it } from 'vitest';
import { createAnswerJudge, hallucinationSeverity, judgeMessages, JudgeReplyError, parseVerdict, type AnsweredTurn } from '../../core/eval';
import type { AnswerJudgment } from '../../core/common';
import type { ChatOnceRequest, ChatResponse } from '../../core/llm';

const turn = (n: number, context = 'Sources ...\n[1] a.md\nThe NAS backs up at 02:00.'): AnsweredTurn => ({
  turnId: `t${n}`,
  conversationId: 'c',
  messageId: `m${n}`,
  model: 'llama3.1:8b',
  question: 'When?',
  answer: 'At 02:00 [1].',
  context,
  traceId: null,
  parent: null,
});
const reply = (content: string) => ({ model: 'j', message: { role: 'assistant', content }, done: true, prompt_eval_count: 10, eval_count: 5 }) as unknown as ChatResponse;
const good = JSON.stringify({ faithfulness: 1, answer_relevance: 0.5, context_relevance: 0.25, hallucination: false, explanation: 'ok' });

describe('parseVerdict', () => {
  it('reads a verdict with sources and one without', () => {
    expect(parseVerdict(good, true)).toEqual({ faithfulness: 1, answerRelevance: 0.5, contextRelevance: 0.25, hallucination: false, explanation: 'ok' });
    expect(parseVerdict('{"answer_relevance":0,"extra":1}', false)).toEqual({ faithfulness: null, answerRelevance: 0, contextRelevance: null, hallucination: null, explanation: '' });
  });

  it('refuses what a hostile or confused judge sends, saying what was wrong', () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /no text/],
      ['not json', /not JSON/],
      ['[1,2]', /does not match the schema/],
      ['{"faithfulness":1.5,"answer_relevance":1,"context_relevance":1,"hallucination":false}', /faithfulness/],
      ['{"faithfulness":"0.9","answer_relevance":1,"context_relevance":1,"hallucination":false}', /faithfulness/],
      ['{"answer_relevance":1,"context_relevance":1,"hallucination":false}', /faithfulness/],
      ['{"__proto__":{"answer_relevance":1}}', /answer_relevance/],
      [`{"answer_relevance":1,"explanation":"${'x'.repeat(20_000)}"}`, /characters/],
    ];
    for (const [content, says] of cases) {
      expect(() => parseVerdict(content, typeof content === 'string' && content.includes('__proto__') ? false : true), String(content).slice(0, 40)).toThrow(JudgeReplyError);
      expect(() => parseVerdict(content, typeof content === 'string' && content.includes('__proto__') ? false : true)).toThrow(says);
    }
  });

  it('cuts a long explanation and folds its whitespace', () => {
    const text = parseVerdict(JSON.stringify({ answer_relevance: 1, explanation: `a\n\n b ${'y'.repeat(500)}` }), false).explanation;
    expect(text.startsWith('a b y')).toBe(true);
    expect(text.length).toBe(300);
  });

  it('severity follows faithfulness', () => {
    expect([0, 0.29, 0.3, 0.59, 0.6, 1, null].map(hallucinationSeverity)).toEqual(['high', 'high', 'medium', 'medium', 'low', 'low', 'medium']);
  });
});

describe('judgeMessages', () => {
  it('marks the graded texts as material and cuts them to a budget', () => {
    const [system, user] = judgeMessages({ question: 'q', answer: 'a'.repeat(50_000), context: '' });
    expect(system!.content).not.toContain('faithfulness');
    expect(user!.content).toMatch(/^QUESTION:\n<<<\nq\n>>>\n\nANSWER:\n<<<\n/);
    expect(user!.content.length).toBeLessThan(9_000);
    expect(judgeMessages({ question: 'q', answer: 'a', context: 'src' })[0]!.content).toContain('faithfulness');
  });
});

function judgeWith(chat: (r: ChatOnceRequest) => Promise<ChatResponse>, options: { rate?: number; random?: () => number; maxWaiting?: number; timeoutMs?: number } = {}) {
  const judged: AnswerJudgment[] = [];
  const logs: string[] = [];
  const judge = createAnswerJudge({
    chat,
    settings: () => ({ sampleRate: options.rate ?? 1, model: null }),
    onJudged: (j) => judged.push(j),
    log: (level, message) => logs.push(`${level} ${message}`),
    ...(options.random ? { random: options.random } : {}),
    ...(options.maxWaiting !== undefined ? { maxWaiting: options.maxWaiting } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { judge, judged, logs };
}

describe('createAnswerJudge', () => {
  it('samples at the rate: a roll below the rate judges, at or above it does not', async () => {
    const rolls = [0.1, 0.5, 0.49, 0.9];
    let calls = 0;
    const { judge, judged } = judgeWith(async () => (calls++, reply(good)), { rate: 0.5, random: () => rolls.shift()!, maxWaiting: 10 });
    for (let i = 0; i < 4; i++) judge.submit(turn(i));
    await judge.idle();
    expect(calls).toBe(2);
    expect(judged.map((j) => j.turnId)).toEqual(['t0', 't2']);
  });

  it('submit returns before any judging starts, and never throws (settings that throw, a listener that throws)', async () => {
    let started = false;
    const { judge } = judgeWith(async () => ((started = true), reply(good)));
    judge.submit(turn(1));
    expect(started).toBe(false);
    await judge.idle();
    expect(started).toBe(true);
    const broken = createAnswerJudge({ chat: async () => reply(good), settings: () => { throw new Error('x'); }, onJudged: () => {} });
    expect(() => broken.submit(turn(1))).not.toThrow();
    const loud = createAnswerJudge({ chat: async () => reply(good), settings: () => ({ sampleRate: 1, model: 'judge:1b' }), onJudged: () => { throw new Error('listener'); } });
    loud.submit(turn(1));
    await loud.idle();
  });

  it('one judge at a time; a full queue drops; a judge past its timeout is an error and the next one runs', async () => {
    let active = 0;
    let maxActive = 0;
    const { judge, judged, logs } = judgeWith(
      async (request) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve, reject) => {
          const t = setTimeout(resolve, 30);
          request.signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))));
        });
        active--;
        return reply(good);
      },
      { maxWaiting: 2 },
    );
    for (let i = 0; i < 5; i++) judge.submit(turn(i));
    await judge.idle();
    expect(maxActive).toBe(1);
    expect(judged.map((j) => j.turnId)).toEqual(['t0', 't1']);
    expect(logs.filter((l) => /dropped/.test(l))).toHaveLength(3);

    const slow = judgeWith((request) => new Promise((_, reject) => request.signal?.addEventListener('abort', () => reject(new Error('timed out')))), { timeoutMs: 20 });
    slow.judge.submit(turn(1));
    await slow.judge.idle();
    expect(slow.logs.some((l) => /judge failed.*/.test(l))).toBe(true);
  });

  it('close aborts the judge in flight and takes no more turns', async () => {
    let aborted = false;
    const { judge } = judgeWith((request) => new Promise((_, reject) => request.signal?.addEventListener('abort', () => ((aborted = true), reject(new Error('closed'))))));
    judge.submit(turn(1));
    await new Promise((r) => setImmediate(r));
    await judge.close();
    expect(aborted).toBe(true);
    judge.submit(turn(2));
    await judge.idle();
  });
});
