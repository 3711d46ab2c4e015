// The walk's fast path for regular files (no realpath/lstat per file): what it finds and refuses
// must be what the full path found (real paths, each file once, links checked). The reads of
// the files it finds (read-file.ts, and the worker's): tests/unit/rag-file-reader.test.ts.
import { mkdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
