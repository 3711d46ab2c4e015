import { describe, expect, it } from 'vitest';
import { checkFile, checkImport } from '../../scripts/layer-rules';

describe('layer rules', () => {
  it('lets the renderer import core/common and nothing else of core', () => {
    expect(checkImport('renderer/src/a.ts', '../../core/common')).toBeNull();
    expect(checkImport('renderer/src/a.ts', '../../core/common/contract')).toBeNull();
    expect(checkImport('renderer/src/a.ts', '../../core/agent')).toMatch(/only core\/common/);
    expect(checkImport('renderer/src/a.ts', 'node:fs')).toMatch(/Node built-in/);
    expect(checkImport('renderer/src/a.ts', 'fs')).toMatch(/Node built-in/);
  });

  it('keeps electron out of core, renderer and tests', () => {
    expect(checkImport('core/llm/x.ts', 'electron')).toMatch(/only electron\//);
    expect(checkImport('renderer/src/x.ts', 'electron')).toMatch(/only electron\//);
    expect(checkImport('tests/unit/x.test.ts', 'electron')).toMatch(/only electron\//);
    expect(checkImport('electron/main/index.ts', 'electron')).toBeNull();
  });

  it('forbids importing electron/ from core and renderer', () => {
    expect(checkImport('core/runtime/x.ts', '../../electron/main/ipc-binding')).toMatch(/nothing imports electron\//);
    expect(checkImport('renderer/src/x.ts', '../../electron/preload')).toMatch(/nothing imports electron\//);
  });

  it('keeps core/common self-contained and free of Node built-ins', () => {
    expect(checkImport('core/common/x.ts', './errors')).toBeNull();
    expect(checkImport('core/common/x.ts', '../config')).toMatch(/imports nothing outside core\/common/);
    expect(checkImport('core/common/x.ts', 'node:crypto')).toMatch(/no Node built-ins/);
    expect(checkImport('core/common/x.ts', 'zod')).toBeNull();
  });

  it('keeps UI packages out of core', () => {
    expect(checkImport('core/agent/x.ts', 'react')).toMatch(/no UI package/);
    expect(checkImport('core/agent/x.ts', '../../renderer/src/store')).toMatch(/never reaches up/);
  });

  it('finds static, type-only, re-export and dynamic imports', () => {
    const electronPackage = 'electron';
    const text = `import type { A } from '../../core/agent';\nexport * from '${electronPackage}';\nconst m = await import('node:fs');`;
    const found = checkFile('renderer/src/x.ts', text).map((v) => v.specifier);
    expect(found).toEqual(['../../core/agent', 'electron', 'node:fs']);
  });
});
