/**
 * The contract's events (core -> UI), declared once with their payload types. No runtime
 * dependency at all: the sandboxed Electron preload bundles this file (it cannot load zod) and
 * checks event names against it; the renderer imports it at runtime for the same reason.
 */
import type { AlertsState } from './alerts';
import type { HealthState } from './health';
import type { AnswerJudgment } from './judge';
import type { KbProgressEvent } from './knowledge';
import type { ConversationsChanged } from './memory';
import type { TurnSample } from './telemetry';
import type { ChatEventBatch } from './turn';

interface EventSpec<P> {
  /** Type only (never set): the payload type. */
  readonly payload?: P;
}
const event = <P>(): EventSpec<P> => ({});

const contractEvents = {
  /** Batched events of a turn (tokens coalesced), never one message per token. */
  'chat.event': event<ChatEventBatch>(),
  health: event<HealthState>(),
  /** Live TTFT / tokens per second while a turn streams, at most ~10 per second. */
  'turn.sample': event<TurnSample>(),
  /** The alert list changed (an alert started pending/firing or resolved). */
  alerts: event<AlertsState>(),
  /** A conversation was updated (a turn began or ended), renamed or deleted. */
  conversations: event<ConversationsChanged>(),
  /** Progress of a knowledge base job, ending with one `done` (summary) or `error`. */
  'kb.progress': event<KbProgressEvent>(),
  /** A finished answer was scored by the answer judge (sampled; after its `done`, never before). */
  'chat.judged': event<AnswerJudgment>(),
};

export type EventChannel = keyof typeof contractEvents;
export type EventPayloads = { [E in EventChannel]: NonNullable<(typeof contractEvents)[E]['payload']> };
export const eventChannels = Object.keys(contractEvents) as EventChannel[];

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && Object.hasOwn(contractEvents, value);
}
