import { describe, expect, it } from 'vitest';
import { countLines, findLongFiles, isGenerated, MAX_FILE_LINES } from '../../scripts/file-length';
import { findImportCycles } from '../../scripts/import-cycles';
import { allowedCoreImports, checkFile, checkImport } from '../../scripts/layer-rules';

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
    expect(checkImport('core/agent/x.ts', '../../renderer/src/app/store')).toMatch(/never reaches up/);
  });

  it('finds static, type-only, re-export and dynamic imports', () => {
    const electronPackage = 'electron';
    const text = `import type { A } from '../../core/agent';\nexport * from '${electronPackage}';\nconst m = await import('node:fs');`;
    const found = checkFile('renderer/src/x.ts', text).map((v) => v.specifier);
    expect(found).toEqual(['../../core/agent', 'electron', 'node:fs']);
  });
});

describe('the layer order inside core', () => {
  it('lets a folder import the folders below it', () => {
    expect(checkImport('core/config/schema.ts', '../pii')).toBeNull();
    expect(checkImport('core/agent/chat-turn.ts', '../llm')).toBeNull();
    expect(checkImport('core/server/x.ts', '../runtime')).toBeNull();
    expect(checkImport('core/rag/x.ts', './chunker')).toBeNull();
  });

  it('fails a planted back edge with a message that names the allowed imports', () => {
    expect(checkImport('core/config/schema.ts', '../telemetry/pii')).toBe(
      'core/telemetry is above core/config; core/config may import: core/common, core/fs, core/pii',
    );
    expect(checkImport('core/telemetry/metrics-server.ts', '../server/auth')).toMatch(/^core\/server is above core\/telemetry; core\/telemetry may import: core\/common, core\/fs, core\/pii, core\/config, core\/llm$/);
    expect(checkImport('core/common/x.ts', '../llm')).toMatch(/imports nothing outside core\/common/);
  });

  it('keeps siblings of one layer apart and asks for a place for a new folder', () => {
    expect(checkImport('core/rag/x.ts', '../memory')).toMatch(/sibling of core\/rag \(same layer\)/);
    expect(checkImport('core/newthing/x.ts', '../common')).toMatch(/core\/newthing\/ has no place in the layer order/);
    expect(allowedCoreImports('common')).toEqual([]);
    expect(allowedCoreImports('cli')).toContain('server');
  });
});

describe('the folder order inside renderer/src', () => {
  it('lets features use shared/, bridge/, markdown/ and each other\'s selectors and components', () => {
    expect(checkImport('renderer/src/features/chat/View.tsx', '../../shared/context')).toBeNull();
    expect(checkImport('renderer/src/features/chat/MessageView.tsx', '../../markdown/render')).toBeNull();
    expect(checkImport('renderer/src/features/models/ContextBar.tsx', '../chat/selectors')).toBeNull();
    expect(checkImport('renderer/src/features/observability/View.tsx', '../models/ContextBar')).toBeNull();
    expect(checkImport('renderer/src/features/chat/actions.ts', './selectors')).toBeNull();
    expect(checkImport('renderer/src/app/App.tsx', '../features/chat/View')).toBeNull();
    expect(checkImport('renderer/src/main.tsx', './app/App')).toBeNull();
  });

  it('fails planted back edges with a message that names the allowed imports', () => {
    expect(checkImport('renderer/src/shared/format.ts', '../features/chat/selectors')).toBe(
      'renderer/src/features is above renderer/src/shared; renderer/src/shared may import: renderer/src/bridge, renderer/src/markdown',
    );
    expect(checkImport('renderer/src/features/chat/View.tsx', '../../app/controller')).toMatch(/^renderer\/src\/app is above renderer\/src\/features; .*renderer\/src\/shared/);
    expect(checkImport('renderer/src/markdown/render.tsx', '../bridge/errors')).toMatch(/sibling of renderer\/src\/markdown/);
    expect(checkImport('renderer/src/features/knowledge/View.tsx', '../chat/actions')).toMatch(/call them through useActions\(\)/);
    expect(checkImport('renderer/src/widgets/x.ts', '../shared/state')).toMatch(/renderer\/src\/widgets\/ has no place in the renderer order/);
  });
});

describe('import circles', () => {
  it('finds a circle of two files and of three, with type-only imports, and nothing in a tree', () => {
    const files = new Map([
      ['core/a/x.ts', "import type { Y } from './y';"],
      ['core/a/y.ts', "import { x } from './x';"],
      ['core/b/p.ts', "export * from './q';"],
      ['core/b/q.ts', "import '../c';"],
      ['core/c/index.ts', "import { p } from '../b/p';"],
      ['core/d/leaf.ts', "import { z } from './z.js';"],
      ['core/d/z.ts', 'export const z = 1;'],
    ]);
    expect(findImportCycles(files)).toEqual([
      ['core/a/x.ts', 'core/a/y.ts'],
      ['core/b/p.ts', 'core/b/q.ts', 'core/c/index.ts'],
    ]);
    expect(findImportCycles(new Map([...files].filter(([f]) => f.startsWith('core/d/'))))).toEqual([]);
  });
});

describe('the file length limit', () => {
  const lines = (n: number) => 'const x = 1;\n'.repeat(n);

  it('fails a planted long file with a message naming it, its length and what to do', () => {
    const files = new Map([
      ['tests/unit/short.test.ts', lines(MAX_FILE_LINES)],
      ['core/agent/long.ts', lines(MAX_FILE_LINES + 1)],
      ['scripts/huge.mjs', lines(900)],
    ]);
    const long = findLongFiles(files);
    expect(long.map((l) => [l.file, l.lines])).toEqual([
      ['core/agent/long.ts', 401],
      ['scripts/huge.mjs', 900],
    ]);
    expect(long[0]?.message).toMatch(/^core\/agent\/long\.ts: 401 lines, over the 400-line limit; split it along a seam/);
  });

  it('exempts generated files and counts lines as an editor does', () => {
    expect(isGenerated('core/common/rule-texts.generated.ts')).toBe(true);
    expect(isGenerated('core/generated/rules.ts')).toBe(false);
    expect(findLongFiles(new Map([['core/common/rule-texts.generated.ts', lines(5000)]]))).toEqual([]);
    expect(countLines('')).toBe(0);
    expect(countLines('a')).toBe(1);
    expect(countLines('a\nb\n')).toBe(2);
    expect(countLines('a\nb')).toBe(2);
    expect(findLongFiles(new Map([['core/a.ts', lines(11)]]), 10)).toHaveLength(1);
  });
});
