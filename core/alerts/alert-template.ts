import type { Labels } from './metric-history';

/** Prometheus durations as rule files write them: `30s`, `5m`, `1h`, `1h30m`, `2d`. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  let total = 0;
  let rest = text.trim();
  if (rest === '' || rest === '0') return 0;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/.exec(rest);
    if (!m) throw new Error(`not a Prometheus duration: '${text}'`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

function humanize(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const prefixes: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, prefix] of prefixes) if (abs >= size) return `${Number((value / size).toPrecision(4))}${prefix}`;
  return String(Number(value.toPrecision(4)));
}

/**
 * The part of Prometheus's alert templating that rule annotations use: `{{ $labels.x }}`,
 * `{{ $value }}`, and the pipes `humanize`, `humanizePercentage`, `humanizeDuration`, plus
 * `printf "%.Nf" $value`. Unknown constructs are left as written rather than guessed.
 */
export function renderTemplate(template: string, labels: Labels, value: number): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (whole, body: string) => {
    const printf = /^printf\s+"%\.(\d+)f"\s+\$value$/.exec(body);
    if (printf) return value.toFixed(Number(printf[1]));
    const [head, ...pipes] = body.split('|').map((p) => p.trim());
    let out: string;
    if (head === '$value') out = String(value);
    else if (head?.startsWith('$labels.')) out = labels[head.slice('$labels.'.length)] ?? '';
    else return whole;
    for (const pipe of pipes) {
      if (head !== '$value') break;
      if (pipe === 'humanize') out = humanize(value);
      else if (pipe === 'humanizePercentage') out = `${Number((value * 100).toPrecision(4))}%`;
      else if (pipe === 'humanizeDuration') out = `${Number(value.toPrecision(4))}s`;
      else return whole;
    }
    return out;
  });
}
