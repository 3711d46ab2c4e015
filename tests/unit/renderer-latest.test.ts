import { describe, expect, it } from 'vitest';
import { latestWins, request } from '../../renderer/src/shared/latest';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('request: how an action lands a contract answer', () => {
  it('hands the value to done and resolves true', async () => {
    const seen: number[] = [];
    expect(await request(async () => 7, { done: (v) => void seen.push(v), failed: () => {} })).toBe(true);
    expect(seen).toEqual([7]);
  });

  it('hands a failure to failed in the core\'s words and never throws', async () => {
    const failures: [string, string][] = [];
    const land = { done: () => {}, failed: (message: string, error: { code: string }) => void failures.push([message, error.code]) };
    expect(await request(() => Promise.reject({ code: 'not_found', message: 'no such conversation' }), land)).toBe(false);
    expect(await request(() => Promise.reject(new Error('boom')), land)).toBe(false);
    expect(await request(() => Promise.reject('plain'), land)).toBe(false);
    expect(failures).toEqual([
      ['no such conversation', 'not_found'],
      ['boom', 'internal'],
      ['plain', 'internal'],
    ]);
  });

  it('treats a done that throws as a failure of the request', async () => {
    const failures: string[] = [];
    const ok = await request(async () => 1, {
      done: () => {
        throw new Error('slice refused');
      },
      failed: (m) => void failures.push(m),
    });
    expect(ok).toBe(false);
    expect(failures).toEqual(['slice refused']);
  });
});

describe('latestWins: only the latest request of a lane lands', () => {
  it('drops an older answer that arrives after a newer one', async () => {
    const lane = latestWins();
    const landed: string[] = [];
    const land = { done: (v: string) => void landed.push(v), failed: (m: string) => void landed.push(`failed: ${m}`) };
    const first = deferred<string>();
    const second = deferred<string>();
    const a = lane(() => first.promise, land);
    const b = lane(() => second.promise, land);
    second.resolve('new');
    first.resolve('old');
    expect(await Promise.all([a, b])).toEqual([false, true]);
    expect(landed).toEqual(['new']);
  });

  it('drops an older failure too, and lets the newest failure land', async () => {
    const lane = latestWins();
    const landed: string[] = [];
    const land = { done: (v: string) => void landed.push(v), failed: (m: string) => void landed.push(`failed: ${m}`) };
    const first = deferred<string>();
    const a = lane(() => first.promise, land);
    const b = lane(() => Promise.reject(new Error('down')), land);
    first.reject(new Error('stale'));
    await Promise.all([a, b]);
    expect(landed).toEqual(['failed: down']);
  });

  it('keeps lanes independent', async () => {
    const lists = latestWins();
    const status = latestWins();
    const landed: string[] = [];
    const land = { done: (v: string) => void landed.push(v), failed: () => {} };
    await Promise.all([lists(async () => 'list', land), status(async () => 'status', land)]);
    expect(landed.sort()).toEqual(['list', 'status']);
  });
});
