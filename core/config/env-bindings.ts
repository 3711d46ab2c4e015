/**
 * The environment's part of the settings: which variables set which paths (from the setting
 * table), applied over defaults + file, and which paths they pin (a file edit cannot change them).
 */
import { boundVar, settingRows } from './setting-table';
import { setPath, type Tree } from './tree-paths';

export interface EnvApplied {
  /** Path -> the variable that set it (for messages that name what the user set). */
  setBy: Record<string, string>;
  /** Path -> why the variable's value cannot be used. */
  problems: Record<string, string>;
}

/** Applies the environment's values to `tree`, in the table's order. */
export function applyEnv(tree: Tree, environment: NodeJS.ProcessEnv): EnvApplied {
  const applied: EnvApplied = { setBy: {}, problems: {} };
  for (const row of settingRows) {
    for (const source of row.env ?? []) {
      const name = boundVar(source, environment);
      if (name === undefined) continue;
      let value: unknown;
      try {
        value = source.parse ? source.parse(environment[name]!) : environment[name];
      } catch (err) {
        applied.problems[row.path] = `${name}: ${(err as Error).message.replace(`${name}: `, '')}`;
        continue;
      }
      if (value === undefined) continue;
      setPath(tree, row.path, value);
      applied.setBy[row.path] = name;
    }
  }
  return applied;
}

/** Dotted paths that the environment sets (and a file edit therefore cannot change). */
export function pinnedByEnv(environment: NodeJS.ProcessEnv): string[] {
  const { setBy, problems } = applyEnv({}, environment);
  return [...new Set([...Object.keys(setBy), ...Object.keys(problems)])];
}
