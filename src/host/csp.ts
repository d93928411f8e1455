/**
 * The console's Content-Security-Policy, one definition for both front doors (the `app://`
 * protocol in Electron, the HTTP server in console server mode). Strict: scripts and styles only
 * from the app's own origin, no inline scripts, no eval, no plugins, no framing, no form posts.
 */

/** Builds the CSP header value. `connectSrc` adds origins the UI may connect to (the WebSocket bridge). */
export function contentSecurityPolicy(o: { connectSrc?: string[] } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...(o.connectSrc ?? [])].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers sent with every console document and asset beside the CSP. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
