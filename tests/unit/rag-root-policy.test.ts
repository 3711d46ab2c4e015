// knowledge.allowedRoots: the setting (env list, refused values) and the policy on real paths.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../core/config';
import { createRootPolicy } from '../../core/rag/root-policy';
import { tempDir } from '../support/core-harness';

const noFile = () => null;

describe('knowledge.allowedRoots setting', () => {
  it('defaults to the home folder and takes a PATH-style list from BRUNO_KB_ALLOWED_ROOTS', () => {
    expect(loadSettings({ env: { BRUNO_DATA_DIR: '/d' }, readFile: noFile }).knowledge.allowedRoots).toEqual(['~']);
    expect(loadSettings({ env: { BRUNO_DATA_DIR: '/d', BRUNO_KB_ALLOWED_ROOTS: '/srv/docs: ~/notes ::' }, readFile: noFile }).knowledge.allowedRoots).toEqual(['/srv/docs', '~/notes']);
  });

  it('refuses a relative folder with the settings error format', () => {
    expect(() => loadSettings({ env: { BRUNO_DATA_DIR: '/d', BRUNO_KB_ALLOWED_ROOTS: 'docs' }, readFile: noFile })).toThrow(/knowledge\.allowedRoots\.0: must be an absolute folder path or ~/);
  });
});

describe('root policy', () => {
  const home = tempDir('bruno-home-');
  const docs = join(home, 'docs');
  const data = join(home, '.agent-bruno');
  mkdirSync(docs);
  mkdirSync(data);
  const elsewhere = tempDir('bruno-elsewhere-');
  symlinkSync(elsewhere, join(home, 'sneaky'));

  it('~ is the injected home folder; a root inside is allowed, a sibling is not', async () => {
    const policy = createRootPolicy({ allowedRoots: ['~'], homeDir: home, dataDir: data });
    await expect(policy.check([docs, home])).resolves.toBeUndefined();
    await expect(policy.check([elsewhere])).rejects.toThrow(/knowledge\.allowedRoots: ~.*BRUNO_KB_ALLOWED_ROOTS/s);
  });

  it('allowed folders are compared by real path (a symlinked allowed folder counts as its target)', async () => {
    const policy = createRootPolicy({ allowedRoots: [join(home, 'sneaky')], homeDir: home });
    await expect(policy.check([elsewhere])).resolves.toBeUndefined();
    await expect(policy.check([docs])).rejects.toThrow(/outside the folders/);
  });

  it('the data folder and the local store are refused and excluded; a remote store URI is not a folder', async () => {
    const store = tempDir('bruno-store-');
    const policy = createRootPolicy({ allowedRoots: ['/'], homeDir: home, dataDir: data, storeUri: store });
    await expect(policy.check([data])).rejects.toThrow(/data folder/);
    await expect(policy.check([join(store)])).rejects.toThrow(/data folder/);
    expect(await policy.excluded()).toEqual([data, store]);
    expect(await createRootPolicy({ allowedRoots: [], dataDir: data, storeUri: 's3://bucket/kb' }).excluded()).toEqual([data]);
    await expect(createRootPolicy({ allowedRoots: [] }).check([docs])).rejects.toThrow(/knowledge\.allowedRoots: \(none\)/);
  });
});
