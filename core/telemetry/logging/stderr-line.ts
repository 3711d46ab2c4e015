/**
 * The CLI's stderr is read by a person, not by Loki: one short line per warning or error
 * instead of the JSON the file and OTLP get.
 */
export function formatStderrLine(level: string, logger: string, message: string, context: Record<string, unknown>): string {
  const details = Object.keys(context).length > 0 ? ` ${safeJson(context)}` : '';
  return `${level} ${logger}: ${message}${details}\n`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserializable context]';
  }
}
