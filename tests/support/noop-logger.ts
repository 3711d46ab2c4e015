import type { Logger } from '../../core/telemetry/logging';

/** A logger that writes nothing, for tests that build core pieces by hand. */
export const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, isLevelEnabled: () => false, child: () => noopLogger } as unknown as Logger;
