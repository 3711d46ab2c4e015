import { describe, expect, it } from 'vitest';
import { niceCeil, axisDecimals, axisLabels, formatValue, MIN_ELAPSED_SPAN_S, MIN_TIME_SPAN_S, xRange, yRange } from '../../renderer/src/shared/live/chart-scales';
import { countOf, formatDefaultOption, formatSince } from '../../renderer/src/shared/format';

describe('chart ranges', () => {
  const now = 1_800_000_000;

  it('draws an empty elapsed axis on 0..10 s and an empty time axis on the last 10 minutes', () => {
    expect(xRange('elapsed', null, null, now)).toEqual([0, MIN_ELAPSED_SPAN_S]);
    expect(xRange('time', null, null, now)).toEqual([now - MIN_TIME_SPAN_S, now]);
  });

  it('gives one point a window in the unit of its axis: seconds in an answer, minutes across turns', () => {
    expect(xRange('elapsed', 0.4, 0.4, now)).toEqual([0, 10]);
    const [lo, hi] = xRange('time', now - 5, now - 5, now);
    expect(hi - lo).toBe(MIN_TIME_SPAN_S);
    expect(lo).toBeLessThan(now - 5);
    expect(hi).toBeGreaterThan(now - 5);
  });

  it('keeps real spans as they are, starting an answer at 0 s', () => {
    expect(xRange('elapsed', 0.2, 42, now)).toEqual([0, 42]);
    expect(xRange('time', now - 7200, now, now)).toEqual([now - 7200, now]);
    // Two turns a minute apart still get ten minutes, both inside.
    const [lo, hi] = xRange('time', now - 60, now, now);
    expect(hi - lo).toBe(MIN_TIME_SPAN_S);
    expect(lo).toBeLessThan(now - 60);
    expect(hi).toBeGreaterThan(now);
  });

  it('gives y a fixed range when there is nothing to draw, and room above the largest value', () => {
    expect(yRange(null, 50)).toEqual([0, 50]);
    expect(yRange(0, 2)).toEqual([0, 2]);
    expect(yRange(Number.NaN, 2)).toEqual([0, 2]);
    expect(yRange(40, 50)).toEqual([0, 50]);
    expect(yRange(18, 50)).toEqual([0, 20]);
    expect(yRange(0.46, 2)).toEqual([0, 1]);
  });
});

describe('nice axis tops', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0.3, 0.506, 1, 1.2, 2.2, 4, 7, 19.8, 44, 101].map(niceCeil)).toEqual([0.5, 1, 1, 2, 2.5, 5, 10, 20, 50, 200]);
  });
});

describe('axis labels', () => {
  it('writes every tick of an axis with the same decimals', () => {
    expect(axisLabels([0, 20, 40, 60, 80, 100])).toEqual(['0', '20', '40', '60', '80', '100']);
    expect(axisLabels([0, 0.5, 1, 1.5])).toEqual(['0.0', '0.5', '1.0', '1.5']);
    expect(axisLabels([0, 0.25, 0.5])).toEqual(['0.00', '0.25', '0.50']);
    expect(axisLabels([0, 2, 4], 's')).toEqual(['0 s', '2 s', '4 s']);
    expect(axisLabels([null, 1])).toEqual(['', '1']);
  });

  it('caps the decimals at three for values no tick step writes exactly', () => {
    expect(axisDecimals([0, 1 / 3])).toBe(3);
  });

  it('formats legend values with their unit, and a gap as a dash', () => {
    expect(formatValue(123.4, 'tok/s')).toBe('123 tok/s');
    expect(formatValue(0.456, 's')).toBe('0.46 s');
    expect(formatValue(null, 's')).toBe('–');
    expect(formatValue(Number.NaN, 's')).toBe('–');
  });
});

describe('the model picker default option', () => {
  const model = { name: 'llama3.1:8b', isDefault: true, loaded: false } as Parameters<typeof formatDefaultOption>[0];
  it('names the default model and says whether it is loaded', () => {
    expect(formatDefaultOption(undefined)).toBe('Default model');
    expect(formatDefaultOption(model)).toBe('Default (llama3.1:8b)');
    expect(formatDefaultOption({ ...model!, loaded: true })).toBe('Default (llama3.1:8b) — loaded');
  });
});

describe('counts and ages', () => {
  it('says "1 fact" and "2 facts"', () => {
    expect(countOf(1, 'fact')).toBe('1 fact');
    expect(countOf(0, 'instruction')).toBe('0 instructions');
    expect(countOf(1200, 'chunk')).toBe('1,200 chunks');
  });
  it('says "just now" for the first seconds', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(formatSince('2026-12-06T11:59:58Z', now)).toBe('just now');
    expect(formatSince('2026-12-06T11:59:30Z', now)).toBe('30 s ago');
    expect(formatSince('2026-12-06T11:00:00Z', now)).toBe('1 h ago');
  });
});
