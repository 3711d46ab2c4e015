/**
 * The per-turn telemetry work measured on its own, without a stream around it: the observer the
 * agent calls (spans agent.turn > chat, Prometheus metrics with exemplars, GenAI histograms, the
 * JSON log line and its OTLP record). Wall-time ratios on a shared 2-core machine cannot resolve
 * a cost this small; timing it directly can.
 */
import type { ChatResponse } from 'ollama';
import { computeTurnStats } from '../../core/agent';
import type { Core } from '../../core/runtime';
import { exposeGc } from './bench-gc';
import { mean, median } from './stats';

export interface TurnTelemetryCost {
  turns: number;
  /** Microseconds per turn (startTurn + firstChunk + streamEnded + succeeded), wall time of each call. */
  meanUs: number;
  medianUs: number;
  /** CPU time of this process over all the turns, per turn: not inflated when the OS preempts us. */
  cpuUs: number;
}

export function measureTurnTelemetry(core: Core, options: { model: string; host: string; tokens: number; turns: number; warmup: number }): TurnTelemetryCost {
  const gc = exposeGc();
  const final: ChatResponse = {
    model: options.model,
    created_at: new Date(),
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    total_duration: 40_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: 1,
    prompt_eval_duration: 1_000_000,
    eval_count: options.tokens,
    eval_duration: 30_000_000,
  };
  const answer = 'x'.repeat(options.tokens * 6);
  const messages = [{ role: 'user', content: 'hi' }];
  // The agent computes the stats, not the telemetry; the observer does not read their trace id.
  const stats = computeTurnStats(final, { model: options.model, ttftSeconds: 0.001, wallSeconds: 0.01, contextWindow: 4096, traceId: null });
  const one = (i: number) => {
    const observer = core.telemetry.turns.startTurn({ turnId: `t${i}`, conversationId: `c${i}`, model: options.model, host: options.host, messages });
    observer.firstChunk(0.001);
    observer.streamEnded();
    observer.succeeded({ final, stats, answer, window: { tokens: 4096, source: 'ps' }, chunks: options.tokens });
  };
  for (let i = 0; i < options.warmup; i++) one(i);
  gc();
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < options.turns; i++) {
    const t0 = performance.now();
    one(options.warmup + i);
    samples.push((performance.now() - t0) * 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  return { turns: options.turns, meanUs: mean(samples), medianUs: median(samples), cpuUs: (cpu.user + cpu.system) / options.turns };
}
