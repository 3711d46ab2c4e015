import type { MouseEvent } from 'react';

/**
 * Opens an http(s) link outside the app. Under Electron `window.open` is routed by the main
 * process to its allow-list (the shell's external-link guard); in a browser (headless mode) the
 * anchor's own target=_blank rel=noopener does it. Anything not http(s) never gets here: the
 * Markdown parser drops such links.
 */
export function openExternal(event: MouseEvent<HTMLAnchorElement>, href: string): void {
  if (!/^https?:\/\//i.test(href)) {
    event.preventDefault();
    return;
  }
  if (typeof window !== 'undefined' && window.bruno) {
    event.preventDefault();
    window.open(href, '_blank', 'noopener,noreferrer');
  }
}
