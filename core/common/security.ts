/**
 * The Content-Security-Policy of the renderer, in one place: the Electron main process sets it
 * on every response and the headless server sends it with every page, so both modes run the UI
 * under the same rules. No inline scripts, no eval, no remote code, nothing framed.
 */
const directives = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
];

/** As an HTTP header (Electron's session and the headless server). */
export const rendererCsp = directives.join('; ');

/**
 * As the page's `<meta>` (the fallback for file:// pages). Browsers ignore `frame-ancestors` in a
 * meta tag and log an error about it, so the meta leaves it out; the header carries it.
 */
export const rendererCspMeta = directives.filter((d) => !d.startsWith('frame-ancestors')).join('; ');
