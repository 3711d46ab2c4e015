/**
 * Telemetry never breaks the feature it observes (OpenTelemetry's safeExecuteInTheMiddle idea):
 * a throwing exporter, metric or logger costs a report, never the chat. The one helper for it:
 * every metric update, span call and log sink write that runs inside a feature (a turn, a
 * request's listener, an ingest) goes through `safely` with the host's report function.
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
