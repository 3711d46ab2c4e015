/**
 * The fake Ollama server's pure helpers: token splitting and counting,
 * keep_alive parsing, RFC3339Nano timestamps, Go-style JSON body errors,
 * hash embeddings and behaviour patches.
 */
import { describe, expect, it } from 'vitest';
import { applyPatch, behaviourForModel, defaultBehaviour, normalizeModelName } from '../fake-ollama/behaviour';
import { validatePatch } from '../fake-ollama/behaviour-validation';
import { parseKeepAlive, rfc3339Nano, sleep } from '../fake-ollama/clock';
import { cosineSimilarity, hashEmbedder, truncateDimensions } from '../fake-ollama/embed';
import { decodeRequest } from '../fake-ollama/http-io';
import { countTokens, cycleSequence, defaultReplyTokens, splitIntoTokens, toArray } from '../fake-ollama/tokens';

describe('tokens', () => {
  it('splits on word boundaries keeping whitespace, and joins back to the input', () => {
    expect(splitIntoTokens('Hi there,\nfriend')).toEqual(['Hi', ' there,', '\nfriend']);
    const text = '  Hi there,\n\nfriend!  ';
    expect(splitIntoTokens(text).join('')).toBe(text);
    expect(splitIntoTokens('')).toEqual([]);
  });

  it('counts words and punctuation marks', () => {
    expect(countTokens('Hello, world!')).toBe(4);
    expect(countTokens('')).toBe(0);
    expect(countTokens('état_1 = 42%')).toBe(4);
  });

  it('cycles the default reply deterministically, readable across repeats', () => {
    const a = defaultReplyTokens(200);
    expect(a).toEqual(defaultReplyTokens(200));
    expect(a[0]).toBe('Your');
    expect(a.slice(1).every((t) => t.startsWith(' '))).toBe(true);
    expect(toArray(cycleSequence('a b', 5))).toEqual(['a', ' b', ' a', ' b', ' a']);
    expect(cycleSequence('a b', 1_000_000).at(999_999)).toBe(' b');
  });
});

describe('clock', () => {
  it('parses keep_alive like Ollama (seconds or Go durations; negative = forever)', () => {
    expect(parseKeepAlive(30)).toBe(30_000);
    expect(parseKeepAlive('5m')).toBe(300_000);
    expect(parseKeepAlive('1h30m')).toBe(5_400_000);
    expect(parseKeepAlive('300ms')).toBe(300);
    expect(parseKeepAlive('10')).toBe(10_000);
    expect(parseKeepAlive('-1m')).toBe(-60_000);
    expect(parseKeepAlive(0)).toBe(0);
    expect(parseKeepAlive('soon')).toBeUndefined();
    expect(parseKeepAlive(undefined)).toBeUndefined();
  });

  it('formats RFC3339Nano like Go (UTC, trailing zeros trimmed)', () => {
    expect(rfc3339Nano(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(rfc3339Nano(1_700_000_000_120_000_000n)).toBe('2023-11-14T22:13:20.12Z');
    expect(rfc3339Nano(1_700_000_000_000_000_000n)).toBe('2023-11-14T22:13:20Z');
  });

  it('sleeps at least the requested time and stops early on abort', async () => {
    const t0 = performance.now();
    expect(await sleep(15)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    expect(await sleep(10_000, controller.signal)).toBe(false);
  });
});

describe('request decoding', () => {
  it('reports body problems with Go encoding/json wording', () => {
    expect(decodeRequest('', 'ChatRequest')).toEqual({ ok: false, status: 400, error: 'missing request body' });
    expect(decodeRequest('hello', 'ChatRequest')).toMatchObject({ error: "invalid character 'h' looking for beginning of value" });
    expect(decodeRequest('{bad}', 'ChatRequest')).toMatchObject({ error: "invalid character 'b' looking for beginning of object key string" });
    expect(decodeRequest('{} x', 'ChatRequest')).toMatchObject({ error: "invalid character 'x' after top-level value" });
    expect(decodeRequest('{"model":', 'ChatRequest')).toMatchObject({ error: 'unexpected EOF' });
    expect(decodeRequest('[]', 'ChatRequest')).toMatchObject({ error: 'json: cannot unmarshal array into Go value of type api.ChatRequest' });
    expect(decodeRequest('{"model":1}', 'ChatRequest')).toMatchObject({
      error: 'json: cannot unmarshal number into Go struct field ChatRequest.model of type string',
    });
    expect(decodeRequest('{"model":"m"}', 'ChatRequest')).toEqual({ ok: true, value: { model: 'm' } });
  });
});

describe('hash embedder', () => {
  it('is deterministic, unit length, and sensitive to shared words', async () => {
    const embed = (text: string) => Promise.resolve(hashEmbedder({ text, model: 'm', dimensions: 384 }));
    const a = await embed('restart the grafana container');
    expect(a).toHaveLength(384);
    expect(await embed('Restart the Grafana container!')).toEqual(a); // case and punctuation do not matter
    expect(Math.hypot(...a)).toBeCloseTo(1, 6);
    const near = await embed('restart the grafana service');
    const far = await embed('bananas are yellow');
    expect(cosineSimilarity(a, near)).toBeGreaterThan(0.6);
    expect(Math.abs(cosineSimilarity(a, far))).toBeLessThan(0.25);
    const short = truncateDimensions(a, 64);
    expect(short).toHaveLength(64);
    expect(Math.hypot(...short)).toBeCloseTo(1, 6);
  });
});

describe('behaviour patches', () => {
  it('merges per-model overrides over globals, matching names without tags as :latest', () => {
    let b = applyPatch(defaultBehaviour(), validatePatch({ tokensPerSecond: 10, perModel: { 'nomic-embed-text': { loadMs: 7 } } }));
    expect(behaviourForModel(b, 'nomic-embed-text:latest')).toMatchObject({ tokensPerSecond: 10, loadMs: 7 });
    expect(behaviourForModel(b, 'llama3.1:8b')).toMatchObject({ tokensPerSecond: 10, loadMs: 0 });
    b = applyPatch(b, validatePatch({ perModel: { 'NOMIC-embed-text:latest': { promptEvalMs: 3 } } }));
    expect(behaviourForModel(b, 'nomic-embed-text')).toMatchObject({ loadMs: 7, promptEvalMs: 3 });
    b = applyPatch(b, validatePatch({ perModel: { 'nomic-embed-text': null } }));
    expect(b.perModel).toEqual({});
    expect(normalizeModelName('registry.example/ns/model')).toBe('registry.example/ns/model:latest');
  });

  it('accepts JSON forms of Infinity and rejects bad values', () => {
    expect(validatePatch({ tokensPerSecond: null }).tokensPerSecond).toBe(Infinity);
    expect(validatePatch({ tokensPerSecond: 'Infinity' }).tokensPerSecond).toBe(Infinity);
    expect(() => validatePatch({ failure: { kind: 'drop', status: 500 } })).toThrow(/unknown option 'status'/);
    expect(() => validatePatch({ failure: { kind: 'stall', endpoints: ['pull'] } })).toThrow(/endpoints/);
    expect(() => validatePatch({ models: [{ name: 'x', colour: 'red' }] })).toThrow(/colour/);
    expect(() => validatePatch({ perModel: { x: { models: [] } } })).toThrow(/perModel.x.models/);
  });
});
