import { describe, expect, it } from 'vitest';
import { isAppRendererUrl, resolveRendererSource } from '../../electron/main/renderer-source';

describe('renderer source', () => {
  it('uses the built renderer next to the main bundle, unless in dev with a dev server URL', () => {
    expect(resolveRendererSource({ devUrl: undefined, isPackaged: false, mainDir: '/app/out/main' })).toEqual({
      kind: 'file',
      dir: '/app/out/renderer',
      indexFile: '/app/out/renderer/index.html',
    });
    expect(resolveRendererSource({ devUrl: 'http://localhost:5173/', isPackaged: false, mainDir: '/app/out/main' })).toEqual({
      kind: 'dev',
      url: 'http://localhost:5173/',
      origin: 'http://localhost:5173',
    });
  });

  it('never lets an environment variable point a packaged app at a server', () => {
    expect(resolveRendererSource({ devUrl: 'https://evil.example/', isPackaged: true, mainDir: '/app/out/main' }).kind).toBe('file');
  });

  it('rejects a non-http dev URL', () => {
    expect(() => resolveRendererSource({ devUrl: 'file:///tmp/x.html', isPackaged: false, mainDir: '/m' })).toThrow(/http\(s\)/);
  });

  it('accepts only files inside the built renderer directory', () => {
    const source = resolveRendererSource({ devUrl: undefined, isPackaged: false, mainDir: '/app/out/main' });
    expect(isAppRendererUrl('file:///app/out/renderer/index.html', source)).toBe(true);
    expect(isAppRendererUrl('file:///app/out/renderer/index.html#/chat?x=1', source)).toBe(true);
    expect(isAppRendererUrl('file:///app/out/renderer/../main/index.js', source)).toBe(false); // URL parsing resolves ..
    expect(isAppRendererUrl('file:///app/out/renderer%2F..%2Fmain/index.html', source)).toBe(false);
    expect(isAppRendererUrl('file:///app/out/renderer-other/index.html', source)).toBe(false);
    expect(isAppRendererUrl('file:///app/out/renderer', source)).toBe(false);
    expect(isAppRendererUrl('file://host/app/out/renderer/index.html', source)).toBe(false);
    expect(isAppRendererUrl('http://localhost:5173/', source)).toBe(false);
    expect(isAppRendererUrl('about:blank', source)).toBe(false);
    expect(isAppRendererUrl('', source)).toBe(false);
    expect(isAppRendererUrl(null, source)).toBe(false);
  });

  it('accepts only the dev server origin in dev', () => {
    const source = resolveRendererSource({ devUrl: 'http://localhost:5173', isPackaged: false, mainDir: '/m' });
    expect(isAppRendererUrl('http://localhost:5173/index.html#/x', source)).toBe(true);
    expect(isAppRendererUrl('http://localhost:5174/', source)).toBe(false);
    expect(isAppRendererUrl('http://localhost.evil.com:5173/', source)).toBe(false);
    expect(isAppRendererUrl('https://localhost:5173/', source)).toBe(false);
    expect(isAppRendererUrl('file:///app/out/renderer/index.html', source)).toBe(false);
    expect(isAppRendererUrl('data:text/html,hi', source)).toBe(false);
  });
});
