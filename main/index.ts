import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, safeStorage, session, shell } from 'electron';
import ElectronStore from 'electron-store';
import { ipcEventChannel } from './contract.js';
import { createAssistant, type Handlers } from './core/assistant.js';
import { allowedExternalUrl } from './core/external-links.js';
import { APP_VERSION } from './core/version.js';
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './electron/app-protocol.js';
import { registerIpcHandlers, trustedSenderCheck } from './electron/ipc.js';
import { fileMemory, NOTIFIED_FILE, notifyExpiries } from './electron/notify.js';
import { safeStorageSecrets } from './electron/secrets.js';
import { createMainWindow, guardWebContents, hardenSession } from './electron/window.js';
import { createHttpClient } from './net/http.js';
import { SETTINGS_FILE_OPTIONS, prepareSettingsDir, settingsDir, settingsStoreOver, type ConfLike } from './store/settings-store.js';

/** The desktop front door: the core in the main process, the wizard in a sandboxed window. */
const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '../renderer');
const paths = {
  preloadPath: join(here, '../preload/preload.cjs'),
  rendererUrl: APP_INDEX_URL,
  iconPath: join(here, '../../assets/icon.png'),
};

app.enableSandbox();
// Must happen before `ready`: the scheme the wizard is served from.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
if (!app.requestSingleInstanceLock()) app.quit();

let mainWindow: BrowserWindow | null = null;

app.on('web-contents-created', (_event, contents) => {
  guardWebContents(contents, (url) => {
    const allowed = allowedExternalUrl(url);
    if (allowed) void shell.openExternal(allowed);
  });
});

app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
});

app.on('window-all-closed', () => app.quit());

void app.whenReady().then(() => {
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));
  const store = new ElectronStore<Record<string, unknown>>({ cwd: prepareSettingsDir(), ...SETTINGS_FILE_OPTIONS });
  const settings = settingsStoreOver(store as unknown as ConfLike);
  const handlers: Handlers = createAssistant({
    settings,
    secrets: safeStorageSecrets(safeStorage, settings),
    host: {
      frontDoor: 'desktop',
      chooseFolder: async (title) => {
        const options = { title, properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> };
        const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      chooseFile: async (title) => {
        const options = { title, properties: ['openFile'] as Array<'openFile'> };
        const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      openExternal: async (url) => {
        await shell.openExternal(url);
        return true;
      },
      emit: (event, payload) => mainWindow?.webContents.send(ipcEventChannel(event), payload),
    },
    httpClient: createHttpClient,
    version: APP_VERSION,
  });
  registerIpcHandlers(ipcMain, handlers, trustedSenderCheck(`${APP_ORIGIN}/`));
  mainWindow = createMainWindow(paths);
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  // Once per start: what reached a new warning step (30, 14, 7 days, expired) since last time.
  if (Notification.isSupported()) {
    void handlers.getExpiries({}).then(
      ({ expiries }) => notifyExpiries(expiries, (title, body) => new Notification({ title, body }).show(), fileMemory(join(settingsDir(), NOTIFIED_FILE))),
      () => undefined,
    );
  }
});
