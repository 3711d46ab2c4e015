import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createApprovalGate } from '../../core/agent/approvals';
import { runToolRound, type ToolOffer } from '../../core/agent/tool-round';
import { createAuditLog, type AuditEventType, type AuditFields, type AuditLog } from '../../core/telemetry/audit-log';
import { createLogger, logFilePath, type LogThreshold } from '../../core/telemetry/logging';
import type { Tool } from '../../core/tools';
import { tempDir } from '../support/core-harness';

function fileLogger(level: LogThreshold) {
  const dataDir = tempDir('bruno-audit-unit-');
  const logger = createLogger({ service: { name: 't', version: '0', environment: 'test', instanceId: 'i' }, level: level as 'info', dataDir, stderr: false });
  const lines = () =>
    readFileSync(logFilePath(dataDir), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: string; logger: string; message: string; context: Record<string, unknown> });
  return { logger, lines };
}

describe('the audit log', () => {
  it('writes under agent_bruno.audit with audit: true; refusals at WARN, changes at INFO', () => {
    const { logger, lines } = fileLogger('info');
    const audit = createAuditLog(logger);
    audit.record('auth_refused', 'request refused', { reason: 'no bearer token', endpoint: '/api/v1/chat', method: 'POST', client_address: '127.0.0.1' });
    audit.record('settings_changed', 'settings changed', { paths: ['chatModel'] });
    expect(lines().map((l) => [l.logger, l.level, l.context.audit, l.context.event_type])).toEqual([
      ['agent_bruno.audit', 'WARN', true, 'auth_refused'],
      ['agent_bruno.audit', 'INFO', true, 'settings_changed'],
    ]);
  });

  it('passes whatever the level (an operator who quiets the log to error keeps the audit trail); silent stops it', () => {
    const quiet = fileLogger('error');
    createAuditLog(quiet.logger).record('host_refused', 'request refused', { reason: 'foreign Host header' });
    quiet.logger.warn('an ordinary warning');
    quiet.logger.child({ logger: 'rag' }).info('an ordinary info line');
    expect(quiet.lines().map((l) => l.context.event_type)).toEqual(['host_refused']);

    const dataDir = tempDir('bruno-audit-silent-');
    const silent = createLogger({ service: { name: 't', version: '0', environment: 'test' }, level: 'silent', dataDir, stderr: false });
    createAuditLog(silent).record('auth_refused', 'request refused');
    expect(readFileSync(logFilePath(dataDir), 'utf8')).toBe('');
  });

  it('masks a secret that slips into its fields (the logger redaction still runs)', () => {
    const { logger, lines } = fileLogger('info');
    createAuditLog(logger).record('auth_refused', 'request refused', { reason: 'header was Authorization: Bearer abcdefghijklmnop0123456789', token: 'abcdefghijklmnop0123456789' });
    const text = JSON.stringify(lines());
    expect(text).not.toContain('abcdefghijklmnop0123456789');
  });
});

describe('refused tool calls are audited', () => {
  const tool: Tool = {
    name: 'prometheus_query',
    description: 'PromQL',
    parameters: { type: 'object', properties: { query: { type: 'string' } } },
    readOnly: true,
    source: 'builtin',
    unavailable: () => null,
    run: async () => ({ text: 'ran' }),
  };
  const offer = (policy: 'ask' | 'allow'): ToolOffer => ({ wire: [], byName: new Map([[tool.name, { tool, policy }]]), limits: { maxRounds: 3, callTimeoutMs: 1000, resultTokenBudget: 500 } });
  function recorder(): AuditLog & { events: Array<[AuditEventType, AuditFields | undefined]> } {
    const events: Array<[AuditEventType, AuditFields | undefined]> = [];
    return { events, record: (event, _message, fields) => void events.push([event, fields]) };
  }
  const round = (policy: 'ask' | 'allow', name: string, audit: AuditLog) =>
    runToolRound([{ function: { name, arguments: { query: 'up' } } }], '', {
      offer: offer(policy),
      canApprove: false,
      approvals: createApprovalGate(),
      emit: () => {},
      signal: new AbortController().signal,
      parent: null,
      audit,
      newId: () => 'id-1',
      now: () => 0,
    });

  it("an 'ask' tool with no person to approve, and a tool that is not offered, are one line each", async () => {
    const audit = recorder();
    await round('ask', 'prometheus_query', audit);
    await round('ask', 'delete_everything', audit);
    expect(audit.events.map(([e, f]) => [e, f?.tool, f?.reason])).toEqual([
      ['tool_refused', 'prometheus_query', "policy 'ask' and no person to approve"],
      ['tool_refused', 'delete_everything', 'not an offered tool (off or unknown)'],
    ]);
  });

  it('an allowed call leaves no audit line', async () => {
    const audit = recorder();
    const result = await round('allow', 'prometheus_query', audit);
    expect(result.views.map((v) => v.status)).toEqual(['ok']);
    expect(audit.events).toEqual([]);
  });
});
