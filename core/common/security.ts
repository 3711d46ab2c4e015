/**
 * The Content-Security-Policy of the renderer, in one place: the Electron main process sets it
 * on every response and the headless server sends it with every page, so both modes run the UI
 * under the same rules. No inline scripts, no eval, no remote code, nothing framed.
 */
export const rendererCsp = [
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
].join('; ');
