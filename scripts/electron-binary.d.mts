export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };
export function findElectronBinary(opts: { root: string; env?: NodeJS.ProcessEnv }): ElectronBinary;
export function electronMissingMessage(reason: string): string;
