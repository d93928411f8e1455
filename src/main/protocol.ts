/**
 * The `app://` protocol that serves the built renderer to the window instead of `file://`
 * (a real origin, so the CSP's `'self'` means the app and nothing on disk). Every response carries
 * the CSP and security headers (src/host/csp.ts).
 */
import type { Protocol } from 'electron';
import { contentSecurityPolicy, SECURITY_HEADERS } from '../host/csp.js';
import { readStatic } from '../host/static-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'console';
/** The window's URL and origin. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Must run before `app.whenReady()`: `app://` is a standard, secure scheme with fetch support. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Headers of every `app://` response. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return { ...SECURITY_HEADERS, 'Content-Security-Policy': contentSecurityPolicy(), 'Content-Type': contentType };
}

/**
 * Answers `app://console/<path>` from `rendererDir`; other hosts, methods and missing files → 404.
 */
export async function handleAppRequest(rendererDir: string, req: { url: string; method: string }): Promise<Response> {
  const url = new URL(req.url);
  const notFound = () => new Response('Not found', { status: 404, headers: appResponseHeaders('text/plain') });
  if (url.host !== APP_HOST || (req.method !== 'GET' && req.method !== 'HEAD')) return notFound();
  const f = await readStatic(rendererDir, url.pathname);
  if (!f) return notFound();
  return new Response(req.method === 'HEAD' ? null : new Uint8Array(f.body), { status: 200, headers: appResponseHeaders(f.contentType) });
}

/** Installs the handler (after `app.whenReady()`). */
export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (req) => handleAppRequest(rendererDir, req));
}
