import { randomUUID } from 'node:crypto';
import { BrunoError } from '../common/errors';
import type { TraceCarrier } from '../common/telemetry';
import type { TurnEndEvent, TurnEvent } from '../common/turn';
import { createApprovalGate, type ApprovalGate } from './approvals';
import { runChatTurn, type ChatTurnDeps } from './chat-turn';

export interface StartTurnInput {
  message: string;
  conversationId?: string | undefined;
  model?: string | undefined;
  turnId?: string | undefined;
  /**
   * A person can answer `chat.approve` for this turn (the desktop UI). Default false: the CLI,
   * the public HTTP endpoint and MCP refuse 'ask' tools at once with a result the model reads.
   */
  canApprove?: boolean | undefined;
  /** The caller's W3C trace context (the HTTP request's server span): the turn joins that trace. */
  trace?: TraceCarrier | undefined;
}

export interface RunningTurn {
  turnId: string;
  conversationId: string;
  /** Resolves with the turn's last event; never rejects. */
  finished: Promise<TurnEndEvent>;
}

export interface Agent {
  /** Throws a `conflict` BrunoError when `input.turnId` is already running. */
  startTurn(input: StartTurnInput, emit: (event: TurnEvent) => void): RunningTurn;
  isRunning(turnId: string): boolean;
  stop(turnId: string): boolean;
  /** The user's Run (allow) / Deny of a tool call that waits; false when none of that id waits. */
  approve(turnId: string, callId: string, allow: boolean): boolean;
  stopAll(): Promise<void>;
}

export interface AgentDeps extends Omit<ChatTurnDeps, 'newId'> {
  defaultModel: () => string;
  newId?: () => string;
}

/** Owns the running turns so that any transport can stop one by id. */
export function createAgent(deps: AgentDeps): Agent {
  const newId = deps.newId ?? randomUUID;
  const running = new Map<string, { controller: AbortController; finished: Promise<TurnEndEvent>; approvals: ApprovalGate }>();
  const turnDeps: ChatTurnDeps = { ...deps, newId };

  return {
    startTurn(input, emit) {
      const turnId = input.turnId ?? newId();
      if (running.has(turnId)) throw new BrunoError('conflict', `Turn ${turnId} is already running: wait for its end or stop it (chat.stop), or send without a turnId`);
      const conversationId = input.conversationId ?? newId();
      const controller = new AbortController();
      const approvals = createApprovalGate();
      const finished = runChatTurn(
        turnDeps,
        { turnId, conversationId, model: input.model ?? deps.defaultModel(), message: input.message, canApprove: input.canApprove ?? false, approvals, ...(input.trace ? { trace: input.trace } : {}) },
        emit,
        controller,
      ).finally(() => running.delete(turnId));
      running.set(turnId, { controller, finished, approvals });
      return { turnId, conversationId, finished };
    },
    isRunning: (turnId) => running.has(turnId),
    stop(turnId) {
      const turn = running.get(turnId);
      if (!turn) return false;
      turn.controller.abort('cancelled');
      return true;
    },
    approve(turnId, callId, allow) {
      return running.get(turnId)?.approvals.decide(callId, allow) ?? false;
    },
    async stopAll() {
      const turns = [...running.values()];
      for (const turn of turns) turn.controller.abort('cancelled');
      await Promise.all(turns.map((t) => t.finished));
    },
  };
}
