import type { Context } from '@opentelemetry/api';
import type { ToolCallView } from '../common/tools';
import type { ToolCallOutcome } from '../common/metric-names';
import type { Message, ModelCapabilities, OllamaTool, ToolCall } from '../llm';
import { noopToolTelemetry, type ToolCallObserver, type ToolTelemetry } from '../telemetry/tool-telemetry';
import type { AuditLog } from '../telemetry/audit-log';
import type { Tool, ToolRegistry, ToolResult } from '../tools';
import type { ApprovalGate } from './approvals';

export interface ToolLimits {
  maxRounds: number;
  callTimeoutMs: number;
  resultTokenBudget: number;
}

/** What a turn needs to offer tools (absent: the turn runs without tools, as before). */
export interface TurnTools {
  registry: Pick<ToolRegistry, 'active'>;
  capabilities: ModelCapabilities;
  /** Read at each turn (the settings are live). */
  limits: () => ToolLimits;
  telemetry?: ToolTelemetry;
  /** Refused calls (no person to approve, denied, a tool not offered) leave an audit line. */
  audit?: AuditLog;
}

/** The tools of one turn, fixed when it starts: a tool enabled mid-turn waits for the next one. */
export interface ToolOffer {
  wire: OllamaTool[];
  byName: Map<string, { tool: Tool; policy: 'ask' | 'allow' }>;
  limits: ToolLimits;
}

/** Characters per token, the same estimate the knowledge base's budget uses. */
const charsPerToken = 4;
/** Arguments bigger than this are not a query a read-only tool needs; the model is told so. */
const maxArgumentChars = 64 * 1024;
/** How long a call waits for Run / Deny before it counts as denied. */
export const approvalTimeoutMs = 10 * 60_000;

export const needsPersonText =
  'This tool needs confirmation in the desktop app; set its policy to allow in Settings to run it unattended.';

/** The tools to offer for this model, or null (none on, or the model cannot call tools). */
export async function prepareToolOffer(tools: TurnTools | undefined, model: string, signal: AbortSignal): Promise<ToolOffer | null> {
  if (!tools) return null;
  const active = tools.registry.active();
  if (active.length === 0) return null;
  if (!(await tools.capabilities.supportsTools(model, signal))) return null;
  const byName = new Map<string, { tool: Tool; policy: 'ask' | 'allow' }>();
  const wire: OllamaTool[] = [];
  for (const entry of active) {
    byName.set(entry.tool.name, entry);
    wire.push({ type: 'function', function: { name: entry.tool.name, description: entry.tool.description, parameters: entry.tool.parameters } });
  }
  return { wire, byName, limits: tools.limits() };
}

/** The result as the model gets it: cut to the budget, with a note that says so. */
export function cutToBudget(text: string, budgetTokens: number): { text: string; truncated: boolean } {
  const max = Math.max(1, budgetTokens) * charsPerToken;
  if (text.length <= max) return { text, truncated: false };
  const note = `\n[result cut to about ${budgetTokens} tokens of about ${Math.ceil(text.length / charsPerToken)}; ask a narrower question for the rest]`;
  return { text: text.slice(0, max) + note, truncated: true };
}

interface ParsedCall {
  id: string;
  name: string;
  entry: { tool: Tool; policy: 'ask' | 'allow' } | undefined;
  args: Record<string, unknown> | null;
  /** Why the call cannot run as asked (unknown tool, bad arguments). */
  problem: string | null;
  /** What the UI shows as the arguments (the real ones, or a stand-in for unusable ones). */
  shown: Record<string, unknown>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const preview = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}...` : text);

/** Reads one tool call of the model's output, which is untrusted: any shape, any size. */
function parseCall(raw: unknown, offer: ToolOffer, takeId: (wanted: unknown) => string): ParsedCall {
  const fn = isPlainObject(raw) && isPlainObject(raw.function) ? raw.function : null;
  const id = takeId(isPlainObject(raw) ? raw.id : undefined);
  const rawName = typeof fn?.name === 'string' ? fn.name : '';
  const name = preview(rawName, 64);
  const entry = offer.byName.get(rawName);
  const offered = [...offer.byName.keys()].join(', ');
  if (!entry) {
    return { id, name, entry, args: null, shown: {}, problem: rawName ? `There is no tool named '${name}'. The tools you can call are: ${offered}.` : `A tool call without a tool name. The tools you can call are: ${offered}.` };
  }
  let args: unknown = fn?.arguments ?? {};
  // Some models send the arguments as a JSON string; accept that if it holds an object.
  if (typeof args === 'string') {
    const text = args;
    if (text.length > maxArgumentChars) return { id, name, entry, args: null, shown: { note: `${text.length} characters, not shown` }, problem: `The arguments are too large (more than ${maxArgumentChars} characters).` };
    try {
      args = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      return { id, name, entry, args: null, shown: { text: preview(text) }, problem: 'The arguments must be a JSON object of the tool\'s parameters.' };
    }
  }
  if (!isPlainObject(args)) return { id, name, entry, args: null, shown: { value: preview(String(JSON.stringify(args))) }, problem: 'The arguments must be a JSON object of the tool\'s parameters.' };
  let size: number;
  try {
    size = JSON.stringify(args).length;
  } catch {
    size = Infinity;
  }
  if (size > maxArgumentChars) return { id, name, entry, args: null, shown: { note: `${size} characters, not shown` }, problem: `The arguments are too large (more than ${maxArgumentChars} characters).` };
  return { id, name, entry, args, shown: args, problem: null };
}

export interface ToolRoundContext {
  offer: ToolOffer;
  canApprove: boolean;
  approvals: ApprovalGate;
  emit: (call: ToolCallView) => void;
  /** The turn's signal: a stopped turn stops its tools and its wait for approval. */
  signal: AbortSignal;
  parent: Context | null;
  telemetry?: ToolTelemetry | undefined;
  audit?: AuditLog | undefined;
  newId: () => string;
  now: () => number;
  /**
   * Where a call's telemetry goes once its result is known (its span ends at that moment, given
   * to it): the turn runs it while its next request travels, so the span and metrics are not on
   * the way from the tool's result to that request. Default: at once.
   */
  defer?: (work: () => void) => void;
}

export interface ToolRoundResult {
  /** The assistant message with its tool calls, then one `tool` message per call. */
  messages: Message[];
  views: ToolCallView[];
  runMs: number;
}

class TimedOut extends Error {}

/** Runs a tool with its own deadline; a tool that ignores its signal still cannot hold the turn. */
function runWithTimeout(tool: Tool, args: Record<string, unknown>, ctx: ToolRoundContext, observer: ToolCallObserver, timeoutMs: number): Promise<ToolResult> {
  return new Promise<ToolResult>((resolve, reject) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      controller.abort(ctx.signal.reason);
      finish();
      reject(ctx.signal.reason);
    };
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => {
      controller.abort(new TimedOut());
      finish();
      reject(new TimedOut());
    }, timeoutMs);
    let running: Promise<ToolResult>;
    try {
      running = Promise.resolve(tool.run(args, { signal: controller.signal, ...(observer.context ? { parent: observer.context } : {}) }));
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (result) => {
        finish();
        resolve(result);
      },
      (err: unknown) => {
        finish();
        reject(err);
      },
    );
  });
}

/**
 * One round of tools: each call the model asked for, in order, becomes a result the model reads.
 * Unknown tools, unusable arguments, errors, timeouts and refusals are results too; only the
 * turn being stopped ends the round (it throws the abort).
 */
export async function runToolRound(calls: readonly ToolCall[], content: string, ctx: ToolRoundContext): Promise<ToolRoundResult> {
  const { limits } = ctx.offer;
  const used = new Set<string>();
  const takeId = (wanted: unknown): string => {
    const id = typeof wanted === 'string' && /^[\w.:-]{1,64}$/.test(wanted) && !used.has(wanted) ? wanted : `call_${ctx.newId().replace(/-/g, '').slice(0, 12)}`;
    used.add(id);
    return id;
  };
  const parsed = calls.map((raw) => parseCall(raw, ctx.offer, takeId));
  const messages: Message[] = [{ role: 'assistant', content, tool_calls: parsed.map((p) => ({ function: { name: p.name, arguments: p.args ?? {} } })) }];
  const views: ToolCallView[] = [];
  let runMs = 0;
  for (const call of parsed) {
    const view: ToolCallView = { id: call.id, name: call.name, arguments: call.shown, status: 'running' };
    const observer: ToolCallObserver = (ctx.telemetry ?? noopToolTelemetry).startCall({
      tool: call.entry ? call.name : null,
      callId: call.id,
      type: call.entry?.tool.source === 'builtin' ? 'function' : 'extension',
      source: call.entry?.tool.source ?? 'none',
      parent: ctx.parent,
      arguments: call.shown,
    });
    let outcome: ToolCallOutcome;
    let text: string;
    let durationMs = 0;
    if (call.problem || !call.entry || !call.args) {
      outcome = 'error';
      text = call.problem ?? 'This call cannot run.';
      // A name that is no offered tool (turned off, or made up): the model asked for what it may not use.
      if (!call.entry) ctx.audit?.record('tool_refused', 'tool call refused', { tool: preview(call.name, 100), call_id: call.id, reason: 'not an offered tool (off or unknown)' });
    } else {
      let allowed = call.entry.policy === 'allow';
      if (!allowed && !ctx.canApprove) {
        text = needsPersonText;
      } else if (!allowed) {
        ctx.emit({ ...view, status: 'awaiting_approval' });
        allowed = await ctx.approvals.wait(call.id, ctx.signal, approvalTimeoutMs);
        if (allowed) observer.approved?.();
        text = allowed ? '' : 'The user denied this tool call.';
      } else {
        text = '';
      }
      if (!allowed) {
        outcome = 'denied';
        ctx.audit?.record('tool_refused', 'tool call refused', {
          tool: call.name,
          call_id: call.id,
          reason: ctx.canApprove ? 'denied by the user or not approved in time' : "policy 'ask' and no person to approve",
        });
      } else {
        ctx.emit(view);
        const started = ctx.now();
        try {
          const result = await runWithTimeout(call.entry.tool, call.args, ctx, observer, limits.callTimeoutMs);
          text = typeof result?.text === 'string' ? result.text : String(result?.text ?? '');
          outcome = result?.isError ? 'error' : 'ok';
          if (!text) text = outcome === 'ok' ? '(the tool returned nothing)' : '(the tool failed without saying why)';
        } catch (err) {
          if (ctx.signal.aborted) {
            observer.end({ outcome: 'error', durationS: (ctx.now() - started) / 1000, result: 'stopped', truncated: false });
            throw err;
          }
          if (err instanceof TimedOut) {
            outcome = 'timeout';
            text = `The tool did not answer within ${limits.callTimeoutMs} ms and was stopped.`;
          } else {
            outcome = 'error';
            text = `The tool failed: ${preview(err instanceof Error ? err.message : String(err), 500)}`;
          }
        }
        durationMs = ctx.now() - started;
        runMs += durationMs;
      }
    }
    const cut = cutToBudget(text, limits.resultTokenBudget);
    const ended = { outcome, durationS: durationMs / 1000, result: cut.text, truncated: cut.truncated, at: performance.now() };
    if (ctx.defer) ctx.defer(() => observer.end(ended));
    else observer.end(ended);
    const done: ToolCallView = {
      ...view,
      status: outcome === 'ok' ? 'ok' : outcome === 'denied' ? 'denied' : 'error',
      result: cut.text,
      ...(cut.truncated ? { truncated: true } : {}),
      durationMs: Math.round(durationMs * 10) / 10,
    };
    ctx.emit(done);
    views.push(done);
    messages.push({ role: 'tool', content: cut.text, tool_name: call.name });
  }
  return { messages, views, runMs };
}

/** The last request of a turn that used up its rounds goes without tools and with this note. */
export const lastRoundNote: Message = {
  role: 'system',
  content: 'You have used all the tool calls of this answer. Answer the user now with what you have; do not call tools.',
};
