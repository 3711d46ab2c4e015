/**
 * The registry speaks OpenMetrics (for exemplars). A scraper that asks for the classic text format
 * gets it converted: no exemplars, no `# EOF`, and counter families named with their `_total`
 * suffix (OpenMetrics names the family without it, the 0.0.4 text format with it).
 */
export function openMetricsToPrometheusText(openMetrics: string): string {
  const counters = new Set<string>();
  for (const match of openMetrics.matchAll(/^# TYPE (\S+) counter$/gm)) counters.add(match[1]!);
  const lines: string[] = [];
  for (const line of openMetrics.split('\n')) {
    if (line === '# EOF' || line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      lines.push(`# ${kind} ${counters.has(name!) ? `${name}_total` : name}${rest}`);
      continue;
    }
    const exemplarAt = line.indexOf(' # {');
    lines.push(exemplarAt === -1 ? line : line.slice(0, exemplarAt));
  }
  return lines.join('\n') + '\n';
}

export const openMetricsContentType = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const prometheusTextContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Prometheus sends `Accept: application/openmetrics-text;...`; curl sends `*\/*`. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return !!accept && accept.includes('application/openmetrics-text');
}
