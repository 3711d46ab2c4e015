/**
 * How every action lands the answer of a contract call: the value goes to `done`, a failure (in
 * the core's own words) to `failed`, and nothing is ever thrown into a click handler. A lane made
 * by `latestWins()` also drops the answer of a request that a newer one of the same lane has
 * superseded: an old search that answers late must not replace the newer list.
 */
import { toUiError, type UiError } from '../bridge/errors';

export interface Landing<T> {
  done(value: T): void | Promise<void>;
  failed(message: string, error: UiError): void;
}

/** Runs one request; resolves true when it succeeded and its answer landed. */
export type Request = <T>(call: () => Promise<T>, land: Landing<T>) => Promise<boolean>;

async function run<T>(call: () => Promise<T>, land: Landing<T>, current: () => boolean): Promise<boolean> {
  try {
    const value = await call();
    if (!current()) return false;
    await land.done(value);
    return true;
  } catch (err) {
    if (current()) {
      const error = toUiError(err);
      land.failed(error.message, error);
    }
    return false;
  }
}

/** Every answer lands (writes whose order the user made: rename, delete, save). */
export const request: Request = (call, land) => run(call, land, () => true);

/** A lane where only the latest request's answer (or failure) lands. */
export function latestWins(): Request {
  let seq = 0;
  return (call, land) => {
    const mine = ++seq;
    return run(call, land, () => mine === seq);
  };
}
