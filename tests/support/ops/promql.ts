/**
 * Just enough PromQL reading to list the metric names an expression selects: no parser, but
 * strings, label matchers, ranges, label lists (by/without/on/ignoring/group_*), offsets,
 * numbers, Grafana variables and function calls are removed, and what is left are names.
 * promtool (rules) and a promtool round trip (dashboards) check the syntax itself.
 */
const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan', 'atan2']);

export function promqlSelectedNames(expr: string): string[] {
  let s = expr;
  // Grafana's variable query function: label_values(metric, label) selects `metric`.
  s = s.replace(/label_values\(\s*([^,()]*?)\s*,\s*[A-Za-z_]\w*\s*\)/g, ' $1 ');
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ');
  s = s.replace(/#.*$/gm, ' ');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
  s = s.replace(/\boffset\s+-?[\w$]+/gi, ' ');
  s = s.replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names: string[] = [];
  for (const m of s.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(?![\w:])(\s*\()?/g)) {
    if (m[2]) continue; // a function or an aggregation
    const id = m[1]!;
    if (keywords.has(id.toLowerCase())) continue;
    names.push(id);
  }
  return [...new Set(names)];
}

const histogramSuffixes = ['_bucket', '_sum', '_count'];

export interface NameCheck {
  /** Names the app does not export (after histogram suffixes are removed). */
  unknown: string[];
  /** Recording-rule names (`level:metric:operation`) that no shipped rule records. */
  unknownRecorded: string[];
}

/**
 * Checks selected names against the app's exported families. `up` is Prometheus's own scrape
 * series; names with a colon are recording rules and must be recorded by a shipped rule.
 */
export function checkNames(names: Iterable<string>, exported: readonly string[], recorded: ReadonlySet<string>): NameCheck {
  const families = new Set(exported);
  const unknown: string[] = [];
  const unknownRecorded: string[] = [];
  for (const name of names) {
    if (name === 'up') continue;
    if (name.includes(':')) {
      if (!recorded.has(name)) unknownRecorded.push(name);
      continue;
    }
    if (families.has(name)) continue;
    const suffix = histogramSuffixes.find((x) => name.endsWith(x));
    if (suffix && families.has(name.slice(0, -suffix.length))) continue;
    unknown.push(name);
  }
  return { unknown, unknownRecorded };
}

/** Turns a Grafana panel query into plain PromQL so promtool can parse it. */
export function grafanaExprToPromql(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval|\$__range|\$\{__rate_interval\}|\$\{__interval\}|\$\{__range\}/g, '5m')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*');
}
