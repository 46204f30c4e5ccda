import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError, isAppError } from '../core/errors.js';
import { ensurePrivateDirSync } from '../fs/atomic.js';
import { migrateSettings, type Settings } from './settings-schema.js';

/** What conf and electron-store have in common: the whole store as one object. */
export interface ConfLike {
  store: Record<string, unknown>;
  readonly path: string;
}

export interface SettingsStore {
  read(): Settings;
  update(change: (settings: Settings) => Settings): Settings;
  readonly path: string;
}

export function settingsStoreOver(conf: ConfLike): SettingsStore {
  const read = (): Settings => {
    try {
      return migrateSettings(conf.store);
    } catch (error) {
      throw new AppError(
        'io',
        `The settings file ${conf.path} could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Move it aside or delete it to start with fresh settings.`,
      );
    }
  };
  return {
    path: conf.path,
    read,
    update(change) {
      const next = migrateSettings(change(read()));
      conf.store = next as unknown as Record<string, unknown>;
      return next;
    },
  };
}

/**
 * One folder for the settings of every front door, so the CLI sees what the desktop app set up.
 * `ANAPLAN_SETUP_HOME` overrides it (tests, portable installs).
 */
export function settingsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.ANAPLAN_SETUP_HOME) return env.ANAPLAN_SETUP_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'anaplan-setup');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'anaplan-setup');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'anaplan-setup');
}

/**
 * Call before a store opens the folder (conf and electron-store would create it with the umask's
 * mode): a missing settings folder, and any missing parent, is created readable by its owner only,
 * since the settings say where keys live. A folder that exists is left as the user has it.
 */
export function prepareSettingsDir(dir: string = settingsDir()): string {
  try {
    ensurePrivateDirSync(dir);
  } catch (error) {
    const why = isAppError(error) ? error.message : String(error);
    throw new AppError('io', `The settings folder ${dir} could not be prepared. ${why} Or set ANAPLAN_SETUP_HOME to a folder you can write.`);
  }
  return dir;
}

export const SETTINGS_FILE_OPTIONS = {
  configName: 'settings',
  // Settings hold no secrets in plain text, but they do say where keys live: keep them private.
  configFileMode: 0o600,
} as const;
