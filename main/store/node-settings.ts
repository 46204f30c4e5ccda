import Conf from 'conf';
import { AppError } from '../errors.js';
import { SETTINGS_FILE_OPTIONS, prepareSettingsDir, settingsDir, settingsStoreOver, type SettingsStore } from './settings-store.js';

/** The settings store of the Node front doors (CLI and `anaplan-setup ui`). */
export function openNodeSettings(dir: string = settingsDir()): SettingsStore {
  prepareSettingsDir(dir);
  try {
    const conf = new Conf<Record<string, unknown>>({ projectName: 'anaplan-setup', cwd: dir, ...SETTINGS_FILE_OPTIONS });
    return settingsStoreOver(conf);
  } catch (error) {
    throw new AppError(
      'io',
      `The settings in ${dir} could not be opened (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Move settings.json aside to start afresh.`,
    );
  }
}
