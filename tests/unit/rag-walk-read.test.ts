// The walk's fast path for regular files (no realpath/lstat per file) and the sized read: what
// they find and refuse must be what the full path found (real paths, each file once, links
// checked, FIFOs never opened).
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegular } from '../../core/rag/read-file';
import { walkRoot } from '../../core/rag/walk';
import { tempDir } from '../support/core-harness';

describe('walkRoot', () => {
  it('lists every regular file once by its real path with its size and mtime, links followed only inside the root', async () => {
    const outside = tempDir('bruno-walk-outside-');
    writeFileSync(join(outside, 'secret.md'), 'not for the knowledge base');
    const root = realpathSync(tempDir('bruno-walk-'));
    mkdirSync(join(root, 'a', 'deep'), { recursive: true });
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'top.md'), '# top');
    writeFileSync(join(root, 'a', 'one.md'), '# one, a little longer');
    writeFileSync(join(root, 'a', 'deep', 'two.txt'), 'two');
    writeFileSync(join(root, 'b', 'three.md'), '');
    symlinkSync(join(root, 'a'), join(root, 'b', 'link-to-a'));
    symlinkSync(join(root, 'top.md'), join(root, 'b', 'top-again.md'));
    symlinkSync(join(outside, 'secret.md'), join(root, 'b', 'escape.md'));

    const { files, skipped } = await walkRoot(root, 1_000_000);
    const real = ['a/deep/two.txt', 'a/one.md', 'b/three.md', 'top.md'].map((p) => join(root, p));
    expect(files.map((f) => f.path).sort()).toEqual(real);
    for (const file of files) {
      const info = statSync(file.path);
      expect(file).toMatchObject({ size: info.size, mtimeMs: info.mtimeMs });
    }
    expect(skipped).toEqual([
      { path: join(root, 'b', 'escape.md'), reason: 'outside_roots', detail: `resolves to ${realpathSync(join(outside, 'secret.md'))}` },
      { path: join(root, 'b', 'link-to-a'), reason: 'symlink_loop', detail: `${join(root, 'a')} was already visited` },
    ]);
  });

  it('marks a file over the limit too_large and stops when the signal aborts', async () => {
    const root = realpathSync(tempDir('bruno-walk-'));
    writeFileSync(join(root, 'big.md'), 'x'.repeat(2000));
    for (let i = 0; i < 20; i++) writeFileSync(join(root, `f${i}.md`), 'y');
    const { skipped } = await walkRoot(root, 1000);
    expect(skipped).toEqual([{ path: join(root, 'big.md'), reason: 'too_large', detail: '2000 bytes > 1000' }]);
    const controller = new AbortController();
    controller.abort();
    await expect(walkRoot(root, 1000, { signal: controller.signal })).rejects.toThrow();
  });
});

describe('readRegular', () => {
  it('reads a file whole: empty, small, and larger than one read', async () => {
    const dir = realpathSync(tempDir('bruno-read-'));
    const big = Buffer.alloc(3_000_000, 'abcdefghij');
    big.write('the end', big.length - 7);
    writeFileSync(join(dir, 'big.md'), big);
    writeFileSync(join(dir, 'empty.md'), '');
    writeFileSync(join(dir, 'small.md'), 'päivää 👋');
    expect(Buffer.compare((await readRegular(join(dir, 'big.md'), 5_000_000)) as Buffer, big)).toBe(0);
    expect(((await readRegular(join(dir, 'empty.md'), 10)) as Buffer).length).toBe(0);
    expect(((await readRegular(join(dir, 'small.md'), 100)) as Buffer).toString('utf8')).toBe('päivää 👋');
    expect(await readRegular(join(dir, 'big.md'), 1000)).toEqual({ path: join(dir, 'big.md'), reason: 'too_large', detail: '3000000 bytes > 1000' });
  });

  it('does not follow a link put where the walk saw a file, and never blocks on a FIFO', async () => {
    const dir = realpathSync(tempDir('bruno-read-'));
    const outside = tempDir('bruno-read-outside-');
    writeFileSync(join(outside, 'secret.md'), 'secret');
    symlinkSync(join(outside, 'secret.md'), join(dir, 'swapped.md'));
    expect(await readRegular(join(dir, 'swapped.md'), 100)).toMatchObject({ reason: 'unreadable', detail: 'ELOOP' });
    execFileSync('mkfifo', [join(dir, 'pipe.md')]);
    expect(await readRegular(join(dir, 'pipe.md'), 100)).toMatchObject({ reason: 'special_file', detail: 'a FIFO (named pipe)' });
  });
});
