import type { ContractHandlers } from '../common/contract';
import { BrunoError } from '../common/errors';
import { forbiddenKeys } from '../common/hostile-keys';
import type { MethodContext } from '../common/method';
import { getPath, rowOf, secretMask } from '../config';
import type { AuditLog } from '../telemetry/audit-log';

/** Long values are cut in an audit line: it records that a field changed, not a document. */
const maxShownChars = 200;

/** What a changed field is shown as: a secret's mask, a short primitive, or the kind of value. */
function shownValue(path: string, value: unknown): unknown {
  if (rowOf(path)?.secret) return secretMask;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > maxShownChars ? `${value.slice(0, maxShownChars)}…` : value;
  return Array.isArray(value) ? `[${value.length} items]` : `(${typeof value})`;
}

const originOf = (context: MethodContext | undefined) => context?.origin ?? 'in-process';

/**
 * The contract with an audit line for each change an operator wants a record of (settings saved,
 * sources ingested or removed) and each of those requests refused. Wrapped here, once, so every
 * transport (IPC, HTTP, MCP, CLI) is audited alike.
 */
export function auditedHandlers(handlers: ContractHandlers, audit: AuditLog): ContractHandlers {
  return {
    ...handlers,
    async 'settings.update'(input, context) {
      const result = await handlers['settings.update'](input, context);
      const origin = originOf(context);
      if (result.ok) {
        const paths = [...result.applied, ...result.restartRequired];
        const changes = Object.fromEntries(paths.map((path) => [path, shownValue(path, getPath(input.patch, path))]));
        audit.record('settings_changed', 'settings changed', { origin, paths, changes, restart_required: result.restartRequired });
      } else {
        const paths = Object.keys(result.fieldErrors);
        const hostile = paths.some((p) => p.split('.').some((key) => forbiddenKeys.has(key)));
        audit.record(hostile ? 'forbidden_keys_refused' : 'settings_refused', 'settings change refused', { origin, paths, reason: hostile ? 'a key that reaches a prototype' : 'invalid or not allowed from this origin' });
      }
      return result;
    },
    async 'kb.ingest'(input, context) {
      try {
        const result = await handlers['kb.ingest'](input, context);
        audit.record('kb_ingest_started', 'knowledge-base ingestion started', { origin: originOf(context), paths: input.paths, job_id: result.jobId });
        return result;
      } catch (err) {
        if (err instanceof BrunoError && err.code === 'invalid_request') {
          audit.record('ingest_refused', 'knowledge-base ingestion refused', { origin: originOf(context), paths: input.paths, reason: err.message });
        }
        throw err;
      }
    },
    async 'kb.reingest'(input, context) {
      const result = await handlers['kb.reingest'](input, context);
      audit.record('kb_ingest_started', 'knowledge-base re-ingestion started', { origin: originOf(context), source_id: input?.sourceId ?? 'all', job_id: result.jobId });
      return result;
    },
    async 'kb.remove'(input, context) {
      const result = await handlers['kb.remove'](input, context);
      audit.record('kb_source_removed', 'knowledge-base source removed', {
        origin: originOf(context),
        ...('sourceId' in input ? { source_id: input.sourceId } : { path: input.path }),
        removed: result.removed,
        files: result.files,
        chunks: result.chunks,
      });
      return result;
    },
  };
}
