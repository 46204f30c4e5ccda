import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

/**
 * The renderer build as static files, shared by the two hosts that serve it: the `ui` HTTP
 * server and the desktop app's `app://` protocol. Only files inside the renderer folder are
 * ever read.
 */

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  content: Buffer;
  contentType: string;
}

/**
 * The file a URL path names under `root` ("/" is index.html), or null when the path is not a
 * readable file inside `root` (`..`, encoded `..`, absolute paths and NUL bytes included).
 */
export async function readStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  const file = staticFilePath(root, urlPath);
  if (!file) return null;
  try {
    return { content: await readFile(file), contentType: MIME[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}

export function staticFilePath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const file = resolve(join(base, relative));
  return file.startsWith(base + sep) ? file : null;
}
