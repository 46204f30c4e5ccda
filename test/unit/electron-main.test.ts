import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { METHOD_NAMES, ipcChannel } from '../../main/contract.js';

/**
 * The desktop entry point (main/index.ts) imported as Electron would run it, against a mock of
 * the `electron` module that records every call: this proves the security wiring is in place
 * in the real entry point, not only in the helpers it calls.
 */

type Listener = (...args: unknown[]) => unknown;
const order: string[] = [];
const appListeners: Record<string, Listener> = {};
const ipcHandlers = new Map<string, Listener>();
const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
const privileged: unknown[] = [];
const windows: Array<{ options: Record<string, unknown>; url: string | null }> = [];
const openedExternally: string[] = [];
let permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
let ready!: () => void;
const readyPromise = new Promise<void>((resolve) => (ready = resolve));

vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { send: vi.fn() };
    record: (typeof windows)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, url: null };
      windows.push(this.record);
      order.push('new BrowserWindow');
    }
    once() {}
    on() {}
    show() {}
    loadURL(url: string) {
      this.record.url = url;
      return Promise.resolve();
    }
    loadFile(): Promise<void> {
      throw new Error('the wizard must not be loaded from file://');
    }
  }
  return {
    app: {
      enableSandbox: () => order.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      quit: vi.fn(),
      on: (name: string, listener: Listener) => (appListeners[name] = listener),
      whenReady: () => readyPromise,
    },
    BrowserWindow,
    dialog: { showOpenDialog: vi.fn() },
    ipcMain: { handle: (channel: string, listener: Listener) => ipcHandlers.set(channel, listener) },
    Notification: { isSupported: () => false },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        order.push('registerSchemesAsPrivileged');
        privileged.push(...schemes);
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        order.push(`protocol.handle ${scheme}`);
        protocolHandlers.set(scheme, handler);
      },
    },
    safeStorage: { isEncryptionAvailable: () => false, getSelectedStorageBackend: () => 'basic_text' },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: typeof permissionRequest) => {
          order.push('setPermissionRequestHandler');
          permissionRequest = handler;
        },
        setPermissionCheckHandler: vi.fn(),
        webRequest: { onHeadersReceived: vi.fn() },
      },
    },
    shell: { openExternal: async (url: string) => void openedExternally.push(url) },
  };
});

vi.mock('electron-store', () => ({
  default: class {
    store: Record<string, unknown> = {};
    path: string;
    constructor(options: { cwd: string }) {
      this.path = join(options.cwd, 'settings.json');
    }
  },
}));

beforeAll(async () => {
  process.env.ANAPLAN_SETUP_HOME = await mkdtemp(join(tmpdir(), 'electron-main-'));
  await import('../../main/index.js');
  order.push('ready');
  ready();
  await readyPromise;
  await new Promise((resolve) => setTimeout(resolve, 0));
});

describe('the desktop entry point', () => {
  test('enables the sandbox for every renderer and registers the app scheme before the app is ready', () => {
    expect(order.indexOf('enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('enableSandbox')).toBeLessThan(order.indexOf('ready'));
    expect(order.indexOf('registerSchemesAsPrivileged')).toBeLessThan(order.indexOf('ready'));
    expect(privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(privileged[0]).not.toMatchObject({ privileges: { bypassCSP: true } });
  });

  test('hardens the session and serves the wizard before the window exists, then loads it from app://, never file://', () => {
    expect(order.indexOf('setPermissionRequestHandler')).toBeLessThan(order.indexOf('new BrowserWindow'));
    expect(order.indexOf('protocol.handle app')).toBeLessThan(order.indexOf('new BrowserWindow'));
    expect(windows).toHaveLength(1);
    expect(windows[0]!.url).toBe('app://assistant/index.html');
    expect(windows[0]!.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    const camera = vi.fn();
    permissionRequest!(null, 'media', camera);
    expect(camera).toHaveBeenCalledWith(false);
  });

  test('the app scheme serves the renderer with the CSP and nothing outside it', async () => {
    const handler = protocolHandlers.get('app')!;
    const page = await handler(new Request('app://assistant/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
    for (const url of ['app://assistant/../package.json', 'app://assistant/%2e%2e/package.json', 'app://assistant/..%2fpackage.json', 'app://assistant/%00', 'app://other/index.html']) {
      expect((await handler(new Request(url))).status, url).toBe(404);
    }
    expect((await handler(new Request('app://assistant/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  test('every contract method has an IPC handler, and only the app page in a main frame may call it', async () => {
    expect([...ipcHandlers.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
    const listRegions = ipcHandlers.get(ipcChannel('listRegions'))!;
    const fromApp = (await listRegions({ senderFrame: { url: 'app://assistant/index.html', parent: null } }, {})) as { ok: boolean };
    expect(fromApp.ok).toBe(true);
    for (const senderFrame of [
      { url: 'file:///tmp/index.html', parent: null },
      { url: 'https://evil.example.com/', parent: null },
      { url: 'app://assistant.evil/index.html', parent: null },
      { url: 'app://assistant/index.html', parent: {} },
    ]) {
      expect(await listRegions({ senderFrame }, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });

  test('every web contents created later is guarded: no navigation, no new windows, and only allowlisted links reach the browser', () => {
    const listeners: Record<string, (event: { preventDefault: () => void }) => void> = {};
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    appListeners['web-contents-created']!(
      {},
      {
        on: (name: string, listener: (event: { preventDefault: () => void }) => void) => (listeners[name] = listener),
        setWindowOpenHandler: (handler: typeof openHandler) => (openHandler = handler),
      },
    );
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      listeners[name]!(event);
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
    for (const url of ['https://help.anaplan.com/', 'https://evil.example.com/', 'http://help.anaplan.com/', 'file:///etc/passwd', 'https://user:pw@help.anaplan.com/']) {
      expect(openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(openedExternally).toEqual(['https://help.anaplan.com/']);
  });

  test('the openExternal call from the page is held to the same allowlist', async () => {
    const openExternal = ipcHandlers.get(ipcChannel('openExternal'))!;
    const frame = { senderFrame: { url: 'app://assistant/index.html', parent: null } };
    expect(await openExternal(frame, { url: 'https://evil.example.com/phish' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await openExternal(frame, { url: 'https://community.anaplan.com/' })).toEqual({ ok: true, value: { opened: true } });
    expect(openedExternally).not.toContain('https://evil.example.com/phish');
  });

  test('the system browser gets the URL as checked, never the raw text that another parser could read as another host', async () => {
    const openExternal = ipcHandlers.get(ipcChannel('openExternal'))!;
    const frame = { senderFrame: { url: 'app://assistant/index.html', parent: null } };
    const raw = 'https://help.anaplan.com\\@evil.com/';
    expect(await openExternal(frame, { url: raw })).toEqual({ ok: true, value: { opened: true } });
    expect(openedExternally.at(-1)).toBe('https://help.anaplan.com/@evil.com/');
    expect(openedExternally).not.toContain(raw);
  });
});
