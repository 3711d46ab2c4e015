import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rendererCspMeta } from '../../core/common';

const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');

describe('renderer/index.html', () => {
  it('carries the CSP of core/common in a meta tag', () => {
    const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    expect(match?.[1]).toBe(rendererCspMeta);
  });

  it('has no inline script or style (the CSP forbids them)', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle="/);
  });
});
