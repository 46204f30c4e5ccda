import { beforeEach, describe, expect, test, vi } from 'vitest';

// The Electron runtime cannot run here: the main-process wiring is tested against a mock of
// the `electron` module that records what the real one would be given.
const created: Array<{ options: Record<string, unknown>; loaded: string | null; handlers: Record<string, (...args: unknown[]) => void> }> = [];

vi.mock('electron', () => {
  class BrowserWindow {
    record: (typeof created)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, loaded: null, handlers: {} };
      created.push(this.record);
    }
    once(event: string, handler: () => void) {
      this.record.handlers[event] = handler;
    }
    show() {}
    loadURL(url: string) {
      this.record.loaded = url;
      return Promise.resolve();
    }
  }
  return { BrowserWindow };
});

const { createMainWindow, guardWebContents, hardenSession, secureWebPreferences } = await import('../../main/electron/window.js');

describe('secure window', () => {
  beforeEach(() => {
    created.length = 0;
  });

  test('webPreferences follow the Electron security checklist', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
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
    });
  });

  test('the main window is built with those preferences and loads the wizard from the app scheme', () => {
    createMainWindow({ preloadPath: '/app/out/preload/preload.cjs', rendererUrl: 'app://assistant/index.html' });
    expect(created).toHaveLength(1);
    const window = created[0]!;
    expect(window.options.webPreferences).toEqual(secureWebPreferences('/app/out/preload/preload.cjs'));
    expect(window.options.show).toBe(false);
    expect(window.loaded).toBe('app://assistant/index.html');
  });

  test('every permission request and check is denied but plain clipboard writes, and a strict CSP header is added', () => {
    let requestHandler: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | undefined;
    let checkHandler: ((contents: unknown, permission: string) => boolean) | undefined;
    let headersHandler: ((details: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | undefined;
    const session = {
      setPermissionRequestHandler: (h: typeof requestHandler) => (requestHandler = h),
      setPermissionCheckHandler: (h: typeof checkHandler) => (checkHandler = h),
      webRequest: { onHeadersReceived: (h: typeof headersHandler) => (headersHandler = h) },
    };
    hardenSession(session as never);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const answer = vi.fn();
      requestHandler!(null, permission, answer);
      expect(answer).toHaveBeenCalledWith(false);
    }
    expect(checkHandler!(null, 'media')).toBe(false);
    expect(checkHandler!(null, 'clipboard-read')).toBe(false);
    expect(checkHandler!(null, 'clipboard-sanitized-write')).toBe(true);
    const write = vi.fn();
    requestHandler!(null, 'clipboard-sanitized-write', write);
    expect(write).toHaveBeenCalledWith(true);
    const out = vi.fn();
    headersHandler!({ responseHeaders: { 'x-a': ['1'] } }, out);
    const csp = out.mock.calls[0]![0].responseHeaders['Content-Security-Policy'][0] as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  test('navigation, redirects and webviews are prevented; new windows are denied and only offered to the allowlist', () => {
    const listeners: Record<string, (event: { preventDefault: () => void }) => void> = {};
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: (name: string, listener: (event: { preventDefault: () => void }) => void) => (listeners[name] = listener),
      setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
    };
    const offered: string[] = [];
    guardWebContents(contents as never, (url) => offered.push(url));
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      listeners[name]!(event);
      expect(event.preventDefault).toHaveBeenCalled();
    }
    expect(openHandler!({ url: 'https://evil.example.com/' })).toEqual({ action: 'deny' });
    expect(offered).toEqual(['https://evil.example.com/']);
  });
});
