import { tokenFragmentKey } from '../../../core/common/http-api';

/** The browser pieces the token needs, passed in so tests can fake them. */
export interface TokenEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export const tokenStorageKey = 'agent-bruno.token';

/**
 * The headless page gets its bearer token in the URL fragment (`#token=...`), which browsers never
 * send to a server. It is kept in sessionStorage (so a reload still works) and removed from the
 * address bar so it does not end up in screenshots or bookmarks.
 */
export function takeToken(env: TokenEnvironment): string | null {
  const hash = env.location.hash.startsWith('#') ? env.location.hash.slice(1) : env.location.hash;
  const params = new URLSearchParams(hash);
  const fromFragment = params.get(tokenFragmentKey);
  if (fromFragment) {
    try {
      env.storage?.setItem(tokenStorageKey, fromFragment);
    } catch {
      // Storage can be disabled; the token still works for this page's lifetime.
    }
    params.delete(tokenFragmentKey);
    const rest = params.toString();
    env.history.replaceState(env.history.state, '', `${env.location.pathname}${env.location.search}${rest ? `#${rest}` : ''}`);
    return fromFragment;
  }
  try {
    return env.storage?.getItem(tokenStorageKey) ?? null;
  } catch {
    return null;
  }
}
