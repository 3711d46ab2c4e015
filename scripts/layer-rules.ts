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

/**
 * The order of the folders inside renderer/src/, lowest first (main.tsx, at the top, may import
 * all). bridge/ (the transport) and markdown/ (parsing and drawing answers) are libraries that know
 * no view; shared/ holds what several views use (the store's shape, hooks, formatting, charts);
 * features/<view>/ holds one view's slice, selectors, actions and components; app/ composes them.
 */
export const rendererTiers: readonly (readonly string[])[] = [['bridge', 'markdown'], ['shared'], ['features'], ['app']];

function rendererPartOf(path: string): { folder: string; feature: string | null; file: string } | null {
  const match = /^renderer\/src\/([^/]+)\/(?:([^/]+)\/)?/.exec(path);
  if (!match) return null;
  const folder = match[1]!;
  const rest = path.slice(`renderer/src/${folder}/`.length);
  const feature = folder === 'features' ? (rest.split('/')[0] ?? null) : null;
  return { folder, feature, file: rest.split('/').pop() ?? '' };
}

/** Checks an import between two files of renderer/src/ against the folder order and the feature rule. */
function checkRendererOrder(file: string, target: string): string | null {
  const from = rendererPartOf(file);
  const to = rendererPartOf(target);
  if (!from || !to) return null;
  const tierOfFolder = (folder: string) => rendererTiers.findIndex((tier) => tier.includes(folder));
  const fromTier = tierOfFolder(from.folder);
  const toTier = tierOfFolder(to.folder);
  if (fromTier === -1) return `renderer/src/${from.folder}/ has no place in the renderer order: add it to rendererTiers in scripts/layer-rules.ts`;
  if (toTier === -1) return `renderer/src/${to.folder}/ has no place in the renderer order: add it to rendererTiers in scripts/layer-rules.ts`;
  const allowed = rendererTiers.slice(0, fromTier).flat().map((f) => `renderer/src/${f}`);
  if (from.folder === 'features') allowed.push('other features\' selectors, slices and components (not their actions)');
  if (from.folder === to.folder) {
    if (from.folder !== 'features' || from.feature === to.feature) return null;
    // A feature reads another's state and draws its components; it changes another feature's
    // state only through the actions the controller composes (useActions), never by import.
    if (/^actions(\.tsx?)?$/.test(to.file)) return `features/${from.feature} imports the actions of features/${to.feature}: call them through useActions(); features/${from.feature} may import: ${allowed.join(', ')}`;
    return null;
  }
  if (toTier < fromTier) return null;
  const kind = toTier === fromTier ? `renderer/src/${to.folder} is a sibling of renderer/src/${from.folder} (same layer)` : `renderer/src/${to.folder} is above renderer/src/${from.folder}`;
  return `${kind}; renderer/src/${from.folder} may import: ${allowed.length ? allowed.join(', ') : 'nothing else of renderer/src'}`;
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
    if (target && targetLayer === 'renderer') {
      const order = checkRendererOrder(file.replace(/\\/g, '/'), target);
      if (order) return order;
    }
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
