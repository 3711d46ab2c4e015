/**
 * Settings as the UI edits them. The core answers with the effective values (file + environment),
 * which fields the environment pins (a file edit cannot change them), and secrets masked.
 */
export type SettingsTarget = 'ollama' | 'otlp' | 'grafana' | 'prometheus' | 'alertmanager';

export interface SettingsView {
  /** Effective settings (same shape as settings.json); secrets are replaced by `"********"`. */
  values: Record<string, unknown>;
  /** Dotted paths set by environment variables: shown read-only, since they win over the file. */
  pinnedByEnv: string[];
  /** Dotted paths (and their children) that apply without a restart. */
  livePaths: string[];
  /** The environment variables that set each path, first match wins. */
  envVars: Record<string, string[]>;
  /** Where edits are saved. */
  file: string;
}

export interface SettingsUpdateResult {
  ok: boolean;
  /** Dotted path -> what is wrong, for field-level errors in the form. */
  fieldErrors: Record<string, string>;
  /** Fields that took effect at once. */
  applied: string[];
  /** Fields saved but used only after a restart of the app. */
  restartRequired: string[];
}

export interface ConnectionTestResult {
  target: SettingsTarget;
  url: string;
  ok: boolean;
  /** What was found ("Ollama 0.32.15", "Prometheus ready") or what is wrong and what to do. */
  message: string;
  latencyMs: number | null;
}
