/**
 * The log lines that help (issue 16): at `BRUNO_LOG_LEVEL=debug` a turn logs its stages (context
 * with recall and retrieval timings, each model round, the end), each search its stage timings,
 * each OTLP export batch a line; at any level the seed's warnings for slow generation and slow
 * retrieval fire past their thresholds (settings), and not below them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../core/runtime';
import { logFilePath } from '../../core/telemetry/logging';
import { startFakeOllama, type FakeOllama } from '../fake-ollama';
import { runTurn, tempDir, testCore } from '../support/core-harness';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';

interface Line {
  level: string;
  logger: string;
  message: string;
  context: Record<string, unknown>;
  trace?: { trace_id: string };
}

let fake: FakeOllama;
let receiver: OtlpReceiver;
const cores: Core[] = [];
beforeAll(async () => {
  fake = await startFakeOllama({ tokensPerSecond: 0, replyText: 'The NAS is backed up nightly at 02:00 [1]. Restic copies it to the offsite bucket.' });
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await Promise.all(cores.map((c) => c.close()));
  await receiver.close();
  await fake.close();
});

/** A core with a knowledge base of one file, and a reader of its log file. */
async function coreWith(env: Record<string, string>) {
  const dataDir = tempDir('bruno-debug-');
  const docs = tempDir('bruno-debug-docs-');
  writeFileSync(join(docs, 'backups.md'), '# Backups\n\nThe NAS is backed up nightly at 02:00 by restic to the offsite bucket.\n');
  const core = testCore({ OLLAMA_HOST: fake.url, BRUNO_METRICS_ADDR: '', BRUNO_DATA_DIR: dataDir, ...env });
  cores.push(core);
  await core.knowledge.ingest([docs]);
  const lines = (): Line[] =>
    readFileSync(logFilePath(dataDir), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  return { core, lines };
}

const noSlowWarnings = { BRUNO_SLOW_FIRST_TOKEN_MS: '0', BRUNO_SLOW_TOKENS_PER_SECOND: '0', BRUNO_SLOW_RETRIEVAL_MS: '0' };

describe('BRUNO_LOG_LEVEL=debug', () => {
  it("logs the turn's stages with recall and retrieval timings, in the turn's trace", async () => {
    const { core, lines } = await coreWith({ BRUNO_LOG_LEVEL: 'debug', ...noSlowWarnings });
    const turn = await runTurn(core, { message: 'When is the NAS backed up?' });
    expect(turn.end.type).toBe('done');
    const traceId = turn.end.type === 'done' ? turn.end.stats.trace_id : null;
    const stages = lines().filter((l) => l.message.startsWith('turn stage: '));
    expect(stages.map((l) => l.message)).toEqual(['turn stage: context ready', 'turn stage: model request', 'turn stage: model round ended', 'turn stage: done']);
    expect(stages.every((l) => l.level === 'DEBUG' && l.logger === 'agent_bruno.agent' && l.trace?.trace_id === traceId)).toBe(true);
    expect(stages[0]!.context).toMatchObject({ component: 'agent', sources: expect.any(Number), retrieval_ms: expect.any(Number), recall_ms: expect.any(Number), tools_offered: expect.any(Number) });
    expect(stages[0]!.context.sources as number).toBeGreaterThan(0);
    expect(stages[2]!.context).toMatchObject({ round: 1, chunks: expect.any(Number), tool_calls: 0, done_reason: 'stop' });

    const retrieval = lines().filter((l) => l.message === 'retrieval timings' && l.context.purpose === 'chat');
    expect(retrieval).toHaveLength(1);
    expect(retrieval[0]!).toMatchObject({ level: 'DEBUG', logger: 'agent_bruno.rag', trace: { trace_id: traceId } });
    expect(retrieval[0]!.context).toMatchObject({ component: 'vector_store', search_type: 'hybrid', execution_time_ms: expect.any(Number), embed_ms: expect.any(Number), vector_ms: expect.any(Number), fts_ms: expect.any(Number) });
    expect(lines().some((l) => l.message.startsWith('Slow '))).toBe(false);
  });

  it('logs each OTLP export batch of spans and metrics (never of logs: that would log forever)', async () => {
    const { core, lines } = await coreWith({ BRUNO_LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...noSlowWarnings });
    await runTurn(core, { message: 'When is the NAS backed up?' });
    await core.telemetry.flush();
    const batches = lines().filter((l) => l.message === 'OTLP export batch sent');
    expect(batches.map((l) => l.context.signal)).toEqual(expect.arrayContaining(['traces', 'metrics']));
    expect(batches.some((l) => l.context.signal === 'logs')).toBe(false);
    const traces = batches.find((l) => l.context.signal === 'traces')!;
    expect(traces.context).toMatchObject({ component: 'otlp_export', items: expect.any(Number), duration_ms: expect.any(Number) });
    expect(traces.context.items as number).toBeGreaterThan(0);
  });

  it('at info none of the debug lines are written', async () => {
    const { core, lines } = await coreWith({ BRUNO_LOG_LEVEL: 'info', ...noSlowWarnings });
    await runTurn(core, { message: 'When is the NAS backed up?' });
    expect(lines().filter((l) => l.level === 'DEBUG')).toEqual([]);
    expect(lines().some((l) => l.message === 'Ollama chat complete')).toBe(true);
  });
});

describe("the seed's slow-generation and slow-retrieval warnings", () => {
  it('fire past their thresholds, with the measured value and the threshold', async () => {
    fake.configure({ promptEvalMs: 150, tokensPerSecond: 400, replyTokens: 40, replyText: null });
    try {
      const { core, lines } = await coreWith({ BRUNO_SLOW_FIRST_TOKEN_MS: '50', BRUNO_SLOW_TOKENS_PER_SECOND: '100000', BRUNO_SLOW_RETRIEVAL_MS: '1' });
      const turn = await runTurn(core, { message: 'When is the NAS backed up?' });
      const traceId = turn.end.type === 'done' ? turn.end.stats.trace_id : null;
      const warns = lines().filter((l) => l.level === 'WARN' && l.message.startsWith('Slow '));
      const ttft = warns.find((l) => l.message.includes('first token'))!;
      expect(ttft).toMatchObject({ logger: 'agent_bruno.core', trace: { trace_id: traceId }, context: { component: 'inference_monitor', threshold_ms: 50, model: 'llama3.1:8b' } });
      expect(ttft.context.latency_ms as number).toBeGreaterThan(50);
      const rate = warns.find((l) => l.message.includes('tokens per second'))!;
      expect(rate.context).toMatchObject({ threshold_tokens_per_second: 100000, output_tokens: expect.any(Number) });
      expect(rate.context.tokens_per_second as number).toBeLessThan(100000);
      const retrieval = warns.find((l) => l.message.startsWith('Slow retrieval'))!;
      expect(retrieval).toMatchObject({ logger: 'agent_bruno.rag', context: { threshold_ms: 1, purpose: 'chat', component: 'vector_store' } });
      expect(retrieval.context.execution_time_ms as number).toBeGreaterThan(1);
    } finally {
      fake.reset();
    }
  });

  it('stay quiet below the defaults (3 s first token, 10 tokens/s, 0.5 s retrieval)', async () => {
    const { core, lines } = await coreWith({});
    expect(core.settings.get().telemetry).toMatchObject({ slowFirstTokenMs: 3000, slowTokensPerSecond: 10, slowRetrievalMs: 500 });
    await runTurn(core, { message: 'When is the NAS backed up?' });
    expect(lines().filter((l) => l.message.startsWith('Slow '))).toEqual([]);
  });
});
