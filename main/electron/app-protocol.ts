import type { CustomScheme } from 'electron';
import { SECURITY_HEADERS } from '../web/security.js';
import { readStaticFile } from '../web/static-files.js';

/**
 * The desktop window loads the wizard from `app://assistant/`, not `file://` (Electron security
 * checklist, item 18): a page on this origin can read only the renderer build, and the
 * `grantFileProtocolExtraPrivileges` fuse can stay off (electron-builder.yml).
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'assistant';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * `standard` gives the scheme an origin (so CSP 'self' and relative URLs work) and `secure`
 * makes it a secure context. `supportFetchAPI` and `corsEnabled` let Chromium load the
 * renderer's `<script type="module" crossorigin>`: with a single origin and navigation denied,
 * no other page exists to read it cross-origin.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

/** Serves GET requests for files of the renderer build, with the same headers as the `ui` host. */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return notFound();
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: SECURITY_HEADERS });
    const file = await readStaticFile(rendererDir, url.pathname);
    if (!file) return notFound();
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.content), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': file.contentType },
    });
  };
}

function notFound(): Response {
  return new Response('Not found.', { status: 404, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });
}
