/**
 * Telemetry never breaks the feature it observes (OpenTelemetry's safeExecuteInTheMiddle idea):
 * a throwing exporter, metric or logger costs a report, never the chat.
 */
export function safely(report: (err: unknown) => void, work: () => void): void {
  try {
    work();
  } catch (err) {
    try {
      report(err);
    } catch {
      // Nothing left to tell.
    }
  }
}
