import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useApp, useActions } from '../../shared/context';
import { selectModelList } from '../models/selectors';
import { ToolsSection } from '../tools/ToolsSection';
import { selectSettings } from './selectors';
import { draftFrom, errorsByField, isLive, patchFrom, settingsGroups, type Draft, type FieldDef, type PiiRow } from './settings-fields';

/**
 * Settings from settings.get: env-pinned fields read-only with the reason, field-level errors
 * from settings.update, "Test connection" per endpoint (with the unsaved value), and which saved
 * changes took effect at once and which wait for a restart.
 */
export function SettingsView() {
  const settings = useApp(selectSettings);
  const models = useApp(selectModelList);
  const controller = useActions();
  const [draft, setDraft] = useState<Draft | null>(null);
  const original = useMemo(() => (settings.view ? draftFrom(settings.view.values) : null), [settings.view]);
  useEffect(() => void controller.loadSettings(), [controller]);
  useEffect(() => {
    if (original) setDraft(original);
  }, [original]);

  if (settings.status === 'error' && !settings.view) {
    return (
      <div className="view" data-testid="settings-view">
        <p className="field-error" role="alert">
          {settings.error}
        </p>
      </div>
    );
  }
  if (!draft || !original || !settings.view) return <div className="view muted" data-testid="settings-view">Loading settings…</div>;

  const view = settings.view;
  const pinned = new Set(view.pinnedByEnv);
  const patch = patchFrom(original, draft, pinned);
  const dirty = Object.keys(patch).length > 0;
  const { byField, other } = errorsByField(settings.result && !settings.result.ok ? settings.result.fieldErrors : {});
  const set = (path: string, value: Draft[string]) => setDraft((d) => (d ? { ...d, [path]: value } : d));
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (dirty) void controller.saveSettings(patch);
  };

  return (
    <div className="view" data-testid="settings-view">
      <form className="settings-form" onSubmit={onSubmit} noValidate>
        <p className="muted">
          Saved to <code>{settings.view.file}</code>. Fields set by environment variables are read-only here.
        </p>
        {settingsGroups.map((group) => (
          <fieldset key={group.title} className="card">
            <legend>{group.title}</legend>
            {group.fields.map((f) => (
              <Field key={f.path} field={f} value={draft[f.path]!} pinned={pinned.has(f.path)} envVar={view.envVars[f.path]?.[0]} live={isLive(f.path, view.livePaths)} errors={byField[f.path] ?? []} onChange={(v) => set(f.path, v)} />
            ))}
          </fieldset>
        ))}
        <datalist id="settings-models">
          {models.map((m) => (
            <option key={m.name} value={m.name} />
          ))}
        </datalist>
        {other.length > 0 && (
          <ul className="field-error" role="alert" data-testid="settings-other-errors">
            {other.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
        <div className="settings-actions">
          <button type="submit" className="button button-primary" data-testid="settings-save" disabled={!dirty || settings.saving}>
            {settings.saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" className="button" disabled={!dirty} onClick={() => setDraft(original)}>
            Revert
          </button>
          {settings.saveError && (
            <span className="field-error" role="alert">
              {settings.saveError}
            </span>
          )}
          {settings.result && !settings.result.ok && (
            <span className="field-error" data-testid="settings-invalid">
              Not saved: fix the fields marked above.
            </span>
          )}
          {settings.result?.ok && (
            <span className="muted" role="status" data-testid="settings-saved">
              Saved.{settings.result.applied.length ? ` Applied now: ${settings.result.applied.join(', ')}.` : ''}
              {settings.result.restartRequired.length ? ` Needs a restart: ${settings.result.restartRequired.join(', ')}.` : ''}
            </span>
          )}
        </div>
      </form>
      <ToolsSection />
    </div>
  );
}

interface FieldProps {
  field: FieldDef;
  value: Draft[string];
  pinned: boolean;
  /** The environment variable that can pin it (named when it does). */
  envVar: string | undefined;
  live: boolean;
  errors: string[];
  onChange: (value: Draft[string]) => void;
}

function Field({ field, value, pinned, envVar, live, errors, onChange }: FieldProps) {
  const controller = useActions();
  const test = useApp((s) => (field.test ? s.settings.tests[field.test] : undefined));
  const id = `setting-${field.path.replace(/\./g, '-')}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = errors.length > 0;
  const common = {
    id,
    disabled: pinned,
    'aria-invalid': invalid || undefined,
    'aria-describedby': [invalid ? errorId : null, hintId].filter(Boolean).join(' '),
    'data-testid': id,
  };
  const hint = [
    pinned ? `Set by an environment variable${envVar ? ` (${envVar})` : ''}, which wins over the settings file.` : null,
    field.help ?? null,
    live ? 'Applies at once.' : 'Applies after a restart.',
  ]
    .filter(Boolean)
    .join(' ');
  const verify = field.test;
  return (
    <div className={`field${invalid ? ' field-invalid' : ''}${pinned ? ' field-pinned' : ''}`} data-path={field.path}>
      {field.kind === 'bool' ? (
        <label className="checkbox" htmlFor={id}>
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          {field.label}
        </label>
      ) : (
        <label htmlFor={id}>{field.label}</label>
      )}
      {field.kind === 'select' && (
        <select {...common} className="input" value={value as string} onChange={(e) => onChange(e.target.value)}>
          {field.options!.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
      {(field.kind === 'url' || field.kind === 'text' || field.kind === 'number') && (
        <div className="row">
          <input
            {...common}
            className="input grow"
            type="text"
            inputMode={field.kind === 'number' ? 'numeric' : field.kind === 'url' ? 'url' : undefined}
            list={field.path.endsWith('Model') ? 'settings-models' : undefined}
            value={value as string}
            placeholder={field.nullable ? 'not set' : undefined}
            onChange={(e) => onChange(e.target.value)}
          />
          {verify && (
            <button
              type="button"
              className="button button-small"
              data-testid={`test-${verify}`}
              disabled={test?.status === 'running'}
              onClick={() => void controller.testConnection(verify, (value as string).trim() || undefined)}
            >
              {test?.status === 'running' ? 'Testing…' : 'Test connection'}
            </button>
          )}
        </div>
      )}
      {field.kind === 'pii' && <PiiEditor rows={value as PiiRow[]} disabled={pinned} onChange={onChange} />}
      {invalid && (
        <div id={errorId} className="field-error" data-testid={`${id}-error`}>
          {errors.join('; ')}
        </div>
      )}
      {test && test.status !== 'running' && (
        <div className={test.result?.ok ? 'test-ok' : 'field-error'} data-testid={`test-${verify}-result`} role="status">
          {test.result ? `${test.result.ok ? '✓' : '✗'} ${test.result.message}${test.result.latencyMs !== null ? ` (${test.result.latencyMs} ms)` : ''}` : test.error}
        </div>
      )}
      <div id={hintId} className="muted field-hint">
        {hint}
      </div>
    </div>
  );
}

function PiiEditor({ rows, disabled, onChange }: { rows: PiiRow[]; disabled: boolean; onChange: (rows: PiiRow[]) => void }) {
  const update = (i: number, patch: Partial<PiiRow>) => onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <div className="pii" data-testid="pii-editor">
      {rows.map((r, i) => (
        <div key={i} className="row">
          <input className="input" aria-label={`Pattern ${i + 1} name`} placeholder="name" value={r.name} disabled={disabled} onChange={(e) => update(i, { name: e.target.value })} />
          <input className="input grow mono" aria-label={`Pattern ${i + 1} regex`} placeholder="regular expression" value={r.pattern} disabled={disabled} onChange={(e) => update(i, { pattern: e.target.value })} />
          <input className="input" aria-label={`Pattern ${i + 1} replacement`} placeholder="[REDACTED]" value={r.replacement} disabled={disabled} onChange={(e) => update(i, { replacement: e.target.value })} />
          <button type="button" className="button button-small" aria-label={`Remove pattern ${i + 1}`} disabled={disabled} onClick={() => onChange(rows.filter((_, k) => k !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="button button-small" disabled={disabled} onClick={() => onChange([...rows, { name: '', pattern: '', replacement: '' }])}>
        Add pattern
      </button>
    </div>
  );
}

