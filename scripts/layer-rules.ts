/**
 * The layering of ARCHITECTURE.md as data: which layer may import what. `check-layers.ts` applies
 * it to every source file; its messages name the allowed layers, so a violation says how to fix it.
 */
import { builtinModules } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';

export interface Violation {
  file: string;
  specifier: string;
  message: string;
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/**
 * The order of the folders inside core/, lowest first. A folder imports only folders of lower
 * tiers; folders of one tier are siblings and do not import each other. Where a new folder goes:
 * below everything that uses it, above everything it uses (ARCHITECTURE.md "Layers").
 */
export const coreTiers: readonly (readonly string[])[] = [
  ['common'],
  ['fs'],
  ['pii'],
  ['config'],
  ['llm'],
  ['telemetry'],
  ['rag', 'memory', 'alerts', 'health'],
  ['eval', 'tools'],
  ['agent'],
  ['runtime'],
  ['mcp'],
  ['server'],
  ['cli'],
];

function coreFolderOf(path: string): string | null {
  const match = /^core\/([^/]+)(?:\/|$)/.exec(path);
  return match ? match[1]! : null;
}

function tierOf(folder: string): number {
  return coreTiers.findIndex((tier) => tier.includes(folder));
}

/** The folders `folder` may import, for the message of a violation. */
export function allowedCoreImports(folder: string): string[] {
  const tier = tierOf(folder);
  return tier <= 0 ? [] : coreTiers.slice(0, tier).flat();
}

/** Checks an import between two folders of core/ against the tier order. */
function checkCoreOrder(file: string, target: string): string | null {
  const from = coreFolderOf(file);
  const to = coreFolderOf(target);
  if (!from || !to || from === to) return null;
  const fromTier = tierOf(from);
  const toTier = tierOf(to);
  if (fromTier === -1) return `core/${from}/ has no place in the layer order: add it to coreTiers in scripts/layer-rules.ts`;
  if (toTier === -1) return `core/${to}/ has no place in the layer order: add it to coreTiers in scripts/layer-rules.ts`;
  if (toTier < fromTier) return null;
  const allowed = allowedCoreImports(from);
  const kind = toTier === fromTier ? `core/${to} is a sibling of core/${from} (same layer)` : `core/${to} is above core/${from}`;
  return `${kind}; core/${from} may import: ${allowed.length ? allowed.map((f) => `core/${f}`).join(', ') : 'nothing else of core'}`;
}
const uiPackages = ['react', 'react-dom', 'zustand', 'uplot'];

function layerOf(path: string): string {
  const p = path.replace(/\\/g, '/');
  for (const layer of ['core/common', 'core', 'electron', 'renderer', 'tests', 'scripts']) {
    if (p === layer || p.startsWith(`${layer}/`)) return layer;
  }
  return 'root';
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Checks one import of one file; returns a message when the import crosses a layer the wrong way. */
export function checkImport(file: string, specifier: string): string | null {
  const from = layerOf(file);
  const relative = specifier.startsWith('.');
  const target = relative ? normalize(join(dirname(file), specifier)).replace(/\\/g, '/') : null;
  const targetLayer = target ? layerOf(target) : null;
  const pkg = relative ? null : packageName(specifier);

  if (pkg === 'electron' && from !== 'electron') {
    return `only electron/ may import 'electron' (it throws in plain Node); ${from} must get Electron objects passed in`;
  }
  if (targetLayer === 'electron' && from !== 'electron' && from !== 'tests') {
    return `nothing imports electron/ (arrows point electron -> core); ${from} may import: ${allowed(from)}`;
  }
  if (from === 'core/common') {
    if (target && targetLayer !== 'core/common') return `core/common imports nothing outside core/common (the renderer includes it); found ${target}`;
    if (pkg && nodeBuiltins.has(specifier)) return `core/common runs in the renderer too: no Node built-ins ('${specifier}')`;
  }
  if (from === 'core' && target) {
    const order = checkCoreOrder(file.replace(/\\/g, '/'), target);
    if (order) return order;
  }
  if (from === 'core' || from === 'core/common') {
    if (targetLayer === 'renderer') return `core never reaches up into renderer/; core may import: ${allowed('core')}`;
    if (pkg && uiPackages.includes(pkg)) return `core is plain Node: no UI package '${pkg}'`;
  }
  if (from === 'renderer') {
    if (targetLayer === 'core') {
      return `renderer/ may import only core/common from core (found ${target}); renderer may import: ${allowed('renderer')}`;
    }
    if (pkg && nodeBuiltins.has(specifier)) return `renderer/ runs sandboxed: no Node built-in '${specifier}'`;
  }
  return null;
}

function allowed(layer: string): string {
  switch (layer) {
    case 'renderer':
      return 'renderer/, core/common, browser packages';
    case 'core':
      return 'the core/ folders below it (coreTiers), Node built-ins, server-side packages';
    case 'core/common':
      return 'core/common only';
    case 'electron':
      return 'electron/, core/**, electron';
    default:
      return 'core/** (never electron/ or renderer/ internals)';
  }
}

/** The import and export-from specifiers of a file (static, dynamic and `import type`). */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

export function checkFile(file: string, text: string): Violation[] {
  return importsOf(text).flatMap((specifier) => {
    const message = checkImport(file, specifier);
    return message ? [{ file, specifier, message }] : [];
  });
}
