import { BrowserWindow, type Session, type WebContents, type WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../web/security.js';

/**
 * The desktop window, built to Electron's security checklist: context isolation, the sandbox,
 * no Node in the renderer, a strict CSP, and no navigation, new windows, webviews or
 * permissions.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: process.env.ANAPLAN_SETUP_DEVTOOLS === '1',
  };
}

export interface WindowPaths {
  preloadPath: string;
  /** The wizard's page on the app's own scheme (APP_INDEX_URL), never a file:// URL. */
  rendererUrl: string;
  iconPath?: string;
}

export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 800,
    minWidth: 720,
    minHeight: 560,
    show: false,
    title: 'Anaplan Connect Setup Assistant',
    ...(paths.iconPath ? { icon: paths.iconPath } : {}),
    webPreferences: secureWebPreferences(paths.preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(paths.rendererUrl);
  return window;
}

/**
 * Denies every permission request and check (camera, notifications, clipboard-read, …) except
 * writing plain text to the clipboard, which the Copy buttons need and which reveals nothing.
 */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  session.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/**
 * Every web contents stays on the app's own page: navigation is denied, new windows are denied
 * (an allowed https link goes to the system browser instead), webviews are refused.
 */
export function guardWebContents(contents: WebContents, openExternalIfAllowed: (url: string) => void): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
}
