import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';
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

export const SETTINGS_FILE_OPTIONS = {
  configName: 'settings',
  // Settings hold no secrets in plain text, but they do say where keys live: keep them private.
  configFileMode: 0o600,
} as const;
