import type { ContractHandlers, EventHub, McpServerHealth } from '../common';
import type { Agent } from '../agent';
import type { Telemetry } from '../telemetry/create-telemetry';
import type { SettingsStore } from '../config';
import type { Logger } from '../telemetry/logging';
import type { AuditLog } from '../telemetry/audit-log';
import type { Embed } from '../llm';
import type { MemoryStore } from '../memory';
import type { KnowledgeBase } from '../rag';
import type { AnswerJudge } from '../eval';

/** A running core: what Electron's main process, the headless server and the CLI each host. */
export interface Core {
  /** Implementations of every invoke channel; inputs are already validated by the transport. */
  readonly handlers: ContractHandlers;
  /** Events for the UI (chat batches, health). */
  readonly events: EventHub;
  /** The settings in effect: `get()` at each use; hosts that cache a derived value subscribe. */
  readonly settings: SettingsStore;
  /** Direct access for the CLI and the public chat endpoint, which stream one turn themselves. */
  readonly agent: Agent;
  /** `/api/embed` with its `embeddings <model>` span and metrics (the knowledge base uses it). */
  readonly embed: Embed;
  /** Conversations (episodic), facts (semantic) and standing instructions (procedural). */
  readonly memory: MemoryStore;
  /** The knowledge base (LanceDB, opened on first use): ingest, search, and `retrieve` for a chat turn. */
  readonly knowledge: KnowledgeBase;
  /** Metrics registry, tracer, export health; `startMetricsEndpoint()` for long-running hosts. */
  readonly telemetry: Telemetry;
  /** Scores sampled answers after their `done` (settings `judge.*`); `idle()` waits for it. */
  readonly judge: Pick<AnswerJudge, 'idle'>;
  /** Structured JSON logs (PII-redacted) to the rotating file and OTLP. */
  readonly logger: Logger;
  /** Audit lines (logger `agent_bruno.audit`, `audit: true`): refused requests, settings and knowledge changes. */
  readonly audit: AuditLog;
  /** The MCP servers the core is a client of (their tools are in the tool registry). */
  readonly mcp: {
    health(): McpServerHealth[];
    /** Resolves when every enabled server has connected or failed once, or after `timeoutMs` (a one-shot `ask` waits a little). */
    settled(timeoutMs: number): Promise<void>;
  };
  /** Stops running turns and timers; safe to call twice. */
  close(): Promise<void>;
}
