import type { Logger } from './logging';
import { safely } from './safely';

/** The logger every audit line is written by: one name for Loki to select (`logger_name` label). */
export const auditLoggerName = 'agent_bruno.audit';

/**
 * What happened. `*_refused` are requests the app turned away; the others are changes an
 * operator wants a record of (who changed the settings, what was ingested or removed).
 */
export type AuditEventType =
  | 'auth_refused'
  | 'host_refused'
  | 'forbidden_keys_refused'
  | 'link_refused'
  | 'tool_refused'
  | 'ingest_refused'
  | 'settings_refused'
  | 'settings_changed'
  | 'kb_ingest_started'
  | 'kb_source_removed';

/**
 * The fields of an audit line besides its type. Never a token, a secret value or a request body:
 * a refusal names its reason, where it came in and from which address; a settings change its
 * paths. The logger's PII and secret redaction still runs over all of it.
 */
export interface AuditFields {
  reason?: string;
  /** The bounded route (`/api/v1/chat`, `/api/v1/invoke/settings.update`), never a raw path with a query. */
  endpoint?: string;
  method?: string;
  status_code?: number;
  client_address?: string | null;
  /** The transport a contract call came through (ipc, http, cli, mcp). */
  origin?: string;
  [key: string]: unknown;
}

export interface AuditLog {
  record(event: AuditEventType, message: string, fields?: AuditFields): void;
}

/**
 * Audit lines go through the app's logger (file + OTLP, redacted), under one logger name and
 * with `audit: true`, at every log level: refusals at warn, changes at info. Recording one never
 * throws into the request it describes.
 */
export function createAuditLog(root: Logger): AuditLog {
  const logger = root.child({ logger: 'audit', everyLevel: true });
  return {
    record(event, message, fields = {}) {
      safely(() => {}, () => {
        const level = event.endsWith('_refused') ? 'warn' : 'info';
        logger[level](message, { audit: true, event_type: event, ...fields });
      });
    },
  };
}

export const noopAuditLog: AuditLog = { record() {} };
