/**
 * Resolves request paths to files of the built renderer (`out/renderer`), refusing anything
 * outside it. Shared by the console server (HTTP) and the Electron `app://` protocol handler.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
  /** Hashed build assets never change; the document must be re-read every time. */
  immutable: boolean;
}

/**
 * Reads the file a URL path names under `root` (`/` → `index.html`). Returns undefined when the
 * path is malformed, escapes `root`, has an unknown type, or does not exist.
 */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  if (rel === '/' || rel === '') rel = '/index.html';
  const abs = path.resolve(root, '.' + path.posix.normalize(rel));
  if (abs !== root && !abs.startsWith(root + path.sep)) return undefined;
  const contentType = TYPES[path.extname(abs).toLowerCase()];
  if (!contentType) return undefined;
  try {
    const body = await readFile(abs);
    return { body, contentType, immutable: abs.includes(`${path.sep}assets${path.sep}`) };
  } catch {
    return undefined;
  }
}
