import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { componentRefs, parseAlloy, stringLiterals, stringValue, type AlloyBlock } from '../support/ops/alloy';
import { opsPaths, repoRoot } from '../support/ops/paths';

// resources/alloy/config.alloy cannot be run here (no alloy binary): its structure is checked.
const source = readFileSync(opsPaths.alloyConfig, 'utf8');
const blocks = parseAlloy(source);

function component(name: string, label?: string): AlloyBlock {
  const found = blocks.filter((b) => b.name === name && (label === undefined || b.label === label));
  expect(found.length, `${name}${label ? ` "${label}"` : ''} in config.alloy`).toBe(1);
  return found[0]!;
}
const child = (block: AlloyBlock, name: string): AlloyBlock | undefined => block.blocks.find((b) => b.name === name);
const children = (block: AlloyBlock, name: string): AlloyBlock[] => block.blocks.filter((b) => b.name === name);
const normalize = (expr: string | undefined) => (expr ?? '').replace(/\s+/g, ' ').replace(/\s*([()])\s*/g, '$1').replace(/\s*,/g, ',').trim();

/** Components whose `output` lists (or `forward_to`) lead from `from` for one signal. */
function downstream(from: AlloyBlock, signal: 'traces' | 'metrics' | 'logs'): string[] {
  const seen = new Set<string>();
  const walk = (block: AlloyBlock) => {
    const exprs = [child(block, 'output')?.attrs[signal], block.attrs.forward_to].filter((e): e is string => !!e);
    for (const ref of exprs.flatMap(componentRefs)) {
      const key = `${ref.component}.${ref.label}`;
      if (seen.has(key)) continue;
      seen.add(key);
      walk(component(ref.component, ref.label));
    }
  };
  walk(from);
  return [...seen];
}

describe('Alloy config (structure)', () => {
  it('parses as Alloy blocks, and every wired component exists', () => {
    expect(blocks.length).toBeGreaterThan(5);
    const defined = new Set(blocks.map((b) => `${b.name}.${b.label}`));
    const allExprs = JSON.stringify(blocks);
    for (const ref of componentRefs(allExprs)) expect(defined, `${ref.component}.${ref.label}.${ref.exported}`).toContain(`${ref.component}.${ref.label}`);
  });

  it('receives OTLP on gRPC 4317 and HTTP 4318', () => {
    const otlp = component('otelcol.receiver.otlp');
    expect(stringValue(child(otlp, 'grpc')?.attrs.endpoint)).toMatch(/:4317$/);
    expect(stringValue(child(otlp, 'http')?.attrs.endpoint)).toMatch(/:4318$/);
  });

  it('tail sampling keeps all errors, all traces slower than 2 s and 10% of the rest', () => {
    const sampling = component('otelcol.processor.tail_sampling');
    const policies = children(sampling, 'policy').map((p) => ({ type: stringValue(p.attrs.type), p }));
    expect(policies.map((p) => p.type).sort()).toEqual(['latency', 'probabilistic', 'status_code']);
    const byType = new Map(policies.map((p) => [p.type, p.p]));
    expect(normalize(child(byType.get('status_code')!, 'status_code')?.attrs.status_codes)).toBe('[ "ERROR" ]');
    expect(child(byType.get('latency')!, 'latency')?.attrs.threshold_ms).toBe('2000');
    expect(child(byType.get('probabilistic')!, 'probabilistic')?.attrs.sampling_percentage).toBe('10');
  });

  it('traces: receiver -> tail sampling -> batch -> Tempo (OTLP) and Logfire (OTLP HTTP)', () => {
    const receiver = component('otelcol.receiver.otlp');
    const direct = componentRefs(child(receiver, 'output')?.attrs.traces ?? '').map((r) => r.component);
    expect(direct).toEqual(['otelcol.processor.tail_sampling']);
    const reached = downstream(receiver, 'traces');
    expect(reached).toEqual(expect.arrayContaining(['otelcol.processor.tail_sampling.default', 'otelcol.processor.batch.default', 'otelcol.exporter.otlp.tempo', 'otelcol.exporter.otlphttp.logfire']));
    expect(stringValue(child(component('otelcol.exporter.otlp', 'tempo'), 'client')?.attrs.endpoint)).toMatch(/:\d+$/);
  });

  it('Logfire gets its token from Alloy\'s environment only: "Bearer " + sys.env("LOGFIRE_TOKEN")', () => {
    const client = child(component('otelcol.exporter.otlphttp', 'logfire'), 'client')!;
    expect(stringValue(client.attrs.endpoint)).toMatch(/^https:\/\/logfire-(us|eu)\.pydantic\.dev$/);
    expect(normalize(client.attrs.headers)).toMatch(/^\{ "Authorization" = "Bearer " \+ sys\.env\("LOGFIRE_TOKEN"\),? \}$/);
  });

  it('metrics: OTLP -> batch -> otelcol.exporter.prometheus -> prometheus.remote_write to /api/v1/write', () => {
    const reached = downstream(component('otelcol.receiver.otlp'), 'metrics');
    expect(reached).toEqual(expect.arrayContaining(['otelcol.processor.batch.default', 'otelcol.exporter.prometheus.default', 'prometheus.remote_write.default']));
    const endpoint = child(component('prometheus.remote_write'), 'endpoint');
    expect(stringValue(endpoint?.attrs.url)).toMatch(/^http:\/\/[\w.:-]+:9090\/api\/v1\/write$/);
  });

  it('logs: OTLP -> batch -> otelcol.exporter.loki -> loki.write', () => {
    const reached = downstream(component('otelcol.receiver.otlp'), 'logs');
    expect(reached).toEqual(expect.arrayContaining(['otelcol.processor.batch.default', 'otelcol.exporter.loki.default', 'loki.write.default']));
    expect(stringValue(child(component('loki.write'), 'endpoint')?.attrs.url)).toMatch(/\/loki\/api\/v1\/push$/);
  });

  it('contains no token literal', () => {
    for (const s of stringLiterals(source)) {
      expect(s, 'a literal bearer token').not.toMatch(/^Bearer \S/);
      expect(s, 'a Logfire token').not.toMatch(/pylf_/);
    }
    // Outside comments, LOGFIRE_TOKEN only appears as the name sys.env reads.
    const code = JSON.stringify(blocks);
    expect(code.match(/LOGFIRE_TOKEN/g)?.length).toBe(code.match(/sys\.env \( \\"LOGFIRE_TOKEN\\" \)/g)?.length);
  });

  it('the app itself never reads LOGFIRE_TOKEN (it only sends OTLP to Alloy)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|tsx|js|mjs|cjs)$/.test(name) && /LOGFIRE/i.test(readFileSync(path, 'utf8'))) offenders.push(path);
      }
    };
    for (const dir of ['core', 'electron', 'renderer']) walk(join(repoRoot, dir));
    expect(offenders).toEqual([]);
  });
});

describe('the Alloy reader', () => {
  it('reads labels, nested blocks, multi-line objects and comments, and refuses broken input', () => {
    const parsed = parseAlloy('// c\na.b "x" {\n  k = [1,\n 2]\n  /* d */ inner {\n    m = { "A" = "v" + f("z"),\n }\n  }\n}\n');
    expect(parsed).toEqual([{ name: 'a.b', label: 'x', line: 2, attrs: { k: '[ 1 , 2 ]' }, blocks: [{ name: 'inner', label: null, line: 5, attrs: { m: '{ "A" = "v" + f ( "z" ) , }' }, blocks: [] }] }]);
    expect(() => parseAlloy('a {\n k = 1\n')).toThrow(/missing }/);
    expect(() => parseAlloy('a {\n k = [1\n}\n')).toThrow();
    expect(componentRefs('[otelcol.exporter.otlp.tempo.input, loki.write.default.receiver]')).toEqual([
      { component: 'otelcol.exporter.otlp', label: 'tempo', exported: 'input' },
      { component: 'loki.write', label: 'default', exported: 'receiver' },
    ]);
  });
});
