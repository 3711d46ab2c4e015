/**
 * The `key=value,key2=value2` lists of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS
 * (W3C Baggage-like, values percent-encoded). A malformed pair is refused with its position, so
 * a typo in a header (often a token) is said at start instead of silently dropped.
 */
export function parseKeyValueList(raw: string, what: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const pairs = raw.split(',');
  pairs.forEach((pair, i) => {
    if (pair.trim() === '') return;
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`${what}: pair ${i + 1} ('${pair.trim().slice(0, 40)}') is not key=value`);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(pair.slice(0, at).trim());
      value = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new Error(`${what}: pair ${i + 1} has a malformed percent-encoding`);
    }
    if (!key) throw new Error(`${what}: pair ${i + 1} has an empty key`);
    out[key] = value;
  });
  return { ...out };
}
