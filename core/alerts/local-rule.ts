import type { AlertSeverity } from '../common/alerts';
import type { MetricHistory, SeriesPoint } from './metric-history';

/**
 * A rule the app can evaluate from its own metrics. `name`, `expr`, `for`, `labels` and
 * `annotations` are exactly those of the shipped Prometheus rule file (a test compares them), and
 * `evaluate` computes the same expression over the in-memory history.
 */
export interface LocalAlertRule {
  name: string;
  expr: string;
  for: string;
  labels: Record<string, string> & { severity: AlertSeverity };
  annotations: Record<string, string>;
  /** The series for which the alert condition holds, with the value of the expression. */
  evaluate(history: MetricHistory): SeriesPoint[];
}

export function above(points: SeriesPoint[], threshold: number): SeriesPoint[] {
  return points.filter((p) => p.value > threshold);
}

export function below(points: SeriesPoint[], threshold: number): SeriesPoint[] {
  return points.filter((p) => p.value < threshold);
}
