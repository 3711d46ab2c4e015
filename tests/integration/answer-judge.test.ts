/**
 * The answer judge end to end against the fake Ollama: a sampled turn is judged through
 * structured outputs after its `done`; the scores reach /metrics, the turn's trace (span events),
 * OTLP (log-based `gen_ai.evaluation.result` events parented to the turn's span) and the
 * `chat.judged` event. Sample rate 0 sends no judge request; a hostile or failing judge is
 * counted and changes nothing else; a slow judge never holds up a chat.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertsService, loadAlertRules } from '../../core/alerts';
import type { AnswerJudgment } from '../../core/common';
import type { Core } from '../../core/runtime';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { assertBuilt, runCliProcess } from '../support/built-app';
import { runTurn, tempDir, testCore } from '../support/core-harness';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { parseExposition, sampleValue } from '../support/prom-text';

let fake: FakeOllama;
let receiver: OtlpReceiver;
let docs: string;

beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'The NAS is backed up nightly at 02:00 [1].' });
  receiver = await startOtlpReceiver();
  docs = tempDir('bruno-judge-docs-');
  writeFileSync(join(docs, 'backups.md'), '# Backups\n\nThe NAS is backed up nightly at 02:00 by restic to the offsite bucket.\n');
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});

/** Judge requests the fake received: chat requests that ask for structured output. */
const judgeRequests = () => fake.requests.filter((r) => r.path === '/api/chat' && typeof (r.body as { format?: unknown }).format === 'object');

async function judgedCore(env: Record<string, string> = {}): Promise<{ core: Core; judged: AnswerJudgment[] }> {
  const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', BRUNO_JUDGE_SAMPLE_RATE: '1', ...env });
  const judged: AnswerJudgment[] = [];
  core.events.on('chat.judged', (j) => judged.push(j));
  return { core, judged };
}

const metrics = async (core: Core) => parseExposition(await core.telemetry.registry.metrics());
const outcome = async (core: Core, status: string) => sampleValue(await metrics(core), 'agent_judge_evaluations_total', { status });

describe('the answer judge', () => {
  it('BRUNO_JUDGE_SAMPLE_RATE=1: a turn with sources is judged through a JSON schema; scores in /metrics, the trace, OTLP and chat.judged', async () => {
    fake.reset();
    receiver.reset();
    fake.configure({ structured: { values: { faithfulness: 0.25, answer_relevance: 0.9, context_relevance: 0.7, hallucination: true, explanation: 'The time is   not in the source.' } } });
    const { core, judged } = await judgedCore({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    await core.knowledge.ingest([docs]);
    const turn = await runTurn(core, { message: 'When is the NAS backed up?' });
    expect(turn.end.type).toBe('done');
    if (turn.end.type !== 'done') return;
    await core.judge.idle();

    // One judge request: not streamed, temperature 0, `format` the schema, the sources in the prompt.
    const [request] = judgeRequests();
    expect(judgeRequests()).toHaveLength(1);
    const body = request!.body as { model: string; stream: boolean; format: { properties: Record<string, unknown>; required: string[] }; options: { temperature: number; num_predict: number }; messages: { content: string }[] };
    expect(body).toMatchObject({ model: 'llama3.1:8b', stream: false, options: { temperature: 0, num_predict: 512 } });
    expect(body.format.required.sort()).toEqual(['answer_relevance', 'context_relevance', 'explanation', 'faithfulness', 'hallucination']);
    expect(body.messages.at(-1)!.content).toMatch(/QUESTION:[\s\S]*When is the NAS backed up\?[\s\S]*SOURCES:[\s\S]*restic[\s\S]*ANSWER:[\s\S]*02:00/);

    expect(judged).toEqual([
      {
        conversationId: turn.conversationId,
        turnId: expect.any(String),
        messageId: turn.end.messageId,
        model: 'llama3.1:8b',
        judgeModel: 'llama3.1:8b',
        traceId: turn.end.stats.trace_id,
        scores: { faithfulness: 0.25, answerRelevance: 0.9, contextRelevance: 0.7, hallucination: true, explanation: 'The time is not in the source.' },
      },
    ]);

    const samples = await metrics(core);
    const m = { model: 'llama3.1:8b' };
    expect(sampleValue(samples, 'agent_answer_faithfulness_score_count', m)).toBe(1);
    expect(sampleValue(samples, 'agent_answer_faithfulness_score_sum', m)).toBe(0.25);
    expect(sampleValue(samples, 'agent_answer_faithfulness_score_bucket', { ...m, le: '0.2' })).toBe(0);
    expect(sampleValue(samples, 'agent_answer_faithfulness_score_bucket', { ...m, le: '0.3' })).toBe(1);
    expect(sampleValue(samples, 'agent_answer_relevance_score_sum', m)).toBe(0.9);
    expect(sampleValue(samples, 'agent_context_relevance_judge_score_sum', m)).toBe(0.7);
    // Faithfulness 0.25 is a high-severity hallucination; the other severities exist at 0.
    expect(sampleValue(samples, 'agent_answer_hallucination_detected_total', { ...m, severity: 'high' })).toBe(1);
    expect(sampleValue(samples, 'agent_answer_hallucination_detected_total', { ...m, severity: 'low' })).toBe(0);
    expect(sampleValue(samples, 'agent_judge_evaluations_total', { status: 'ok' })).toBe(1);
    expect(sampleValue(samples, 'agent_judge_duration_seconds_count')).toBe(1);

    // The judge's span hangs under the turn's root span, with one evaluation event per score.
    const spans = await core.handlers['traces.get']({ traceId: turn.end.stats.trace_id! });
    const root = spans.find((s) => s.name === 'agent.turn')!;
    const evaluate = spans.find((s) => s.name === 'evaluate_answer')!;
    expect(evaluate.parentSpanId).toBe(root.spanId);
    expect(evaluate.status).toBe('ok');
    expect(evaluate.startMs).toBeGreaterThanOrEqual(root.startMs + root.durationMs - 1);
    const results = evaluate.events.filter((e) => e.name === 'gen_ai.evaluation.result').map((e) => e.attributes);
    expect(results).toEqual([
      expect.objectContaining({ 'gen_ai.evaluation.name': 'faithfulness', 'gen_ai.evaluation.score.value': 0.25, 'gen_ai.evaluation.score.label': 'fail', 'gen_ai.evaluation.explanation': 'The time is not in the source.' }),
      expect.objectContaining({ 'gen_ai.evaluation.name': 'answer_relevance', 'gen_ai.evaluation.score.value': 0.9, 'gen_ai.evaluation.score.label': 'pass' }),
      expect.objectContaining({ 'gen_ai.evaluation.name': 'context_relevance', 'gen_ai.evaluation.score.value': 0.7 }),
      expect.objectContaining({ 'gen_ai.evaluation.name': 'hallucination', 'gen_ai.evaluation.score.value': 1, 'gen_ai.evaluation.score.label': 'hallucination' }),
    ]);

    // Over OTLP: the same events as log records parented to the judged turn's span.
    await core.telemetry.flush();
    const logs = await receiver.waitForLogs(4);
    const events = logs.filter((l) => l.eventName === 'gen_ai.evaluation.result');
    expect(events.map((e) => e.attributes['gen_ai.evaluation.name']).sort()).toEqual(['answer_relevance', 'context_relevance', 'faithfulness', 'hallucination']);
    for (const e of events) expect({ traceId: e.traceId, spanId: e.spanId }).toEqual({ traceId: root.traceId, spanId: root.spanId });
    await core.close();
  });

  it('BRUNO_JUDGE_SAMPLE_RATE=0 (the default): no judge request reaches Ollama', async () => {
    fake.reset();
    for (const env of [{ BRUNO_JUDGE_SAMPLE_RATE: '0' }, {}] as Record<string, string>[]) {
      const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', ...env });
      for (let i = 0; i < 3; i++) expect((await runTurn(core, { message: `question ${i}` })).end.type).toBe('done');
      await new Promise((r) => setTimeout(r, 50));
      await core.judge.idle();
      expect(await outcome(core, 'ok')).toBe(0);
      await core.close();
    }
    expect(fake.requests.filter((r) => r.path === '/api/chat')).toHaveLength(6);
    expect(judgeRequests()).toHaveLength(0);
  });

  it('without sources only answer relevance is asked for; BRUNO_JUDGE_MODEL picks the judge', async () => {
    fake.reset();
    const { core, judged } = await judgedCore({ BRUNO_JUDGE_MODEL: 'qwen2.5:0.5b' });
    await runTurn(core, { message: 'hello?' });
    await core.judge.idle();
    const body = judgeRequests()[0]!.body as { model: string; format: { required: string[] }; messages: { content: string }[] };
    expect(body.model).toBe('qwen2.5:0.5b');
    expect(body.format.required).toEqual(['answer_relevance', 'explanation']);
    expect(body.messages.at(-1)!.content).not.toContain('SOURCES:');
    expect(judged[0]).toMatchObject({ judgeModel: 'qwen2.5:0.5b', model: 'llama3.1:8b', scores: { faithfulness: null, contextRelevance: null, hallucination: null, answerRelevance: 0.8 } });
    const samples = await metrics(core);
    expect(sampleValue(samples, 'agent_answer_faithfulness_score_count', { model: 'llama3.1:8b' })).toBe(0);
    expect(sampleValue(samples, 'agent_answer_relevance_score_count', { model: 'llama3.1:8b' })).toBe(1);
    await core.close();
  });

  it('a hostile judge (broken JSON, scores out of range, a huge reply, __proto__) is a counted judge error; chats go on', async () => {
    fake.reset();
    const { core, judged } = await judgedCore();
    await core.knowledge.ingest([docs]);
    const hostile: Parameters<FakeOllama['configure']>[0][] = [
      { structured: { values: {}, mode: 'malformed' } },
      { structured: { values: { faithfulness: 7, answer_relevance: 'high' } } },
      // An own "__proto__" key in the judge's JSON (JSON.parse makes one): refused, nothing polluted.
      { structured: { values: JSON.parse('{"__proto__": {"polluted": true}, "hallucination": "yes"}') as Record<string, unknown> } },
      { structured: { values: { explanation: 'x'.repeat(100_000) } } },
      { structured: { values: { faithfulness: null } } },
    ];
    for (const patch of hostile) {
      fake.configure(patch);
      expect((await runTurn(core, { message: 'When is the NAS backed up?' })).end.type).toBe('done');
      await core.judge.idle();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await outcome(core, 'invalid')).toBe(hostile.length);
    expect(await outcome(core, 'ok')).toBe(0);
    expect(judged).toEqual([]);
    // A judge that behaves again is read again.
    fake.configure({ structured: { values: {}, mode: 'valid' } });
    expect((await runTurn(core, { message: 'When is the NAS backed up?' })).end.type).toBe('done');
    await core.judge.idle();
    expect(await outcome(core, 'ok')).toBe(1);
    await core.close();
  });

  it('a judge model that fails (HTTP 500) is a counted judge error; the chat is done', async () => {
    fake.reset();
    fake.configure({ perModel: { 'qwen2.5:0.5b': { failure: { kind: 'http', status: 500, message: 'judge exploded' } } } });
    const { core, judged } = await judgedCore({ BRUNO_JUDGE_MODEL: 'qwen2.5:0.5b' });
    const turn = await runTurn(core, { message: 'hello' });
    expect(turn.end.type).toBe('done');
    await core.judge.idle();
    expect(judged).toEqual([]);
    expect(await outcome(core, 'error')).toBe(1);
    if (turn.end.type === 'done') {
      const evaluate = (await core.handlers['traces.get']({ traceId: turn.end.stats.trace_id! })).find((s) => s.name === 'evaluate_answer')!;
      expect(evaluate).toMatchObject({ status: 'error', attributes: expect.objectContaining({ 'error.type': 'judge_error', 'bruno.judge.outcome': 'error' }) });
    }
    await core.close();
  });

  it('a slow judge never delays done; one runs at a time, one waits, more are dropped and counted', async () => {
    fake.reset();
    fake.configure({ perModel: { 'qwen2.5:0.5b': { promptEvalMs: 1500 } } });
    const { core, judged } = await judgedCore({ BRUNO_JUDGE_MODEL: 'qwen2.5:0.5b' });
    const started = performance.now();
    const first = await runTurn(core, { message: 'one' });
    const doneAfterMs = performance.now() - started;
    expect(first.end.type).toBe('done');
    // The judge takes 1.5 s; the turn's done did not wait for it.
    expect(doneAfterMs).toBeLessThan(1000);
    expect(judged).toHaveLength(0);
    // While it judges, chats still answer at once; the second waits, the third is dropped.
    for (const message of ['two', 'three']) {
      const t0 = performance.now();
      expect((await runTurn(core, { message })).end.type).toBe('done');
      expect(performance.now() - t0).toBeLessThan(1000);
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(await outcome(core, 'dropped')).toBe(1);
    await core.judge.idle();
    expect(judged.map((j) => j.turnId)).toHaveLength(2);
    expect(await outcome(core, 'ok')).toBe(2);
    // close() aborts a judge in flight instead of waiting out its model.
    await runTurn(core, { message: 'four' });
    await new Promise((r) => setTimeout(r, 50));
    const closing = performance.now();
    await core.close();
    expect(performance.now() - closing).toBeLessThan(1200);
  }, 20_000);

  it('judged hallucinations fire HighHallucinationRate in the local evaluator (the shipped rule), not before 5 judged answers', async () => {
    fake.reset();
    fake.configure({ structured: { values: { faithfulness: 0.5, hallucination: true } } });
    const { core } = await judgedCore();
    await core.knowledge.ingest([docs]);
    let now = Date.parse('2026-12-07T10:00:00Z');
    const rules = loadAlertRules();
    expect(rules.local.map((r) => r.name)).toEqual(expect.arrayContaining(['HighHallucinationRate', 'AnswerJudgeFailing']));
    const service = createAlertsService({ registry: core.telemetry.registry, rules: rules.local, remoteOnlyRules: [], prometheusUrl: null, alertmanagerUrl: null, intervalMs: 3_600_000, onChange: () => {}, now: () => now });
    const hallucination = async () => (await service.refresh()).alerts.find((a) => a.name === 'HighHallucinationRate');
    for (let i = 0; i < 5; i++) {
      await runTurn(core, { message: 'When is the NAS backed up?' });
      await core.judge.idle();
      now += 60_000;
      // The first judged answer is already in the first sample: 4 increases so far at most.
      expect(await hallucination(), `after ${i + 1} judged answers`).toBeUndefined();
    }
    await runTurn(core, { message: 'When is the NAS backed up?' });
    await core.judge.idle();
    now += 60_000;
    expect(await hallucination()).toMatchObject({ state: 'pending', severity: 'high', source: 'local' });
    now += 10 * 60_000;
    const firing = await hallucination();
    expect(firing).toMatchObject({ state: 'firing', summary: 'High hallucination rate detected' });
    expect(firing!.description).toBe('100% of the judged answers of the last hour state what their sources do not support (threshold 10%).');
    // Severity from faithfulness 0.5: medium.
    expect(sampleValue(await metrics(core), 'agent_answer_hallucination_detected_total', { model: 'llama3.1:8b', severity: 'medium' })).toBe(6);
    service.stop();
    await core.close();
  });

  it('a one-shot `agent-bruno ask` never starts a judge (it would exit before the judge ends)', async () => {
    assertBuilt();
    fake.reset();
    const result = await runCliProcess(['ask', 'hello'], { OLLAMA_HOST: fake.url, BRUNO_DATA_DIR: tempDir(), BRUNO_JUDGE_SAMPLE_RATE: '1', BRUNO_METRICS_ADDR: '' });
    expect(result.code).toBe(0);
    expect(fake.requests.filter((r) => r.path === '/api/chat')).toHaveLength(1);
    expect(judgeRequests()).toHaveLength(0);
  });
});
