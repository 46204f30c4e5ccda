import type { SettingsStore } from '../store/settings-store.js';

/**
 * The settings store, loaded when a command first needs it: `keygen` and `import-cert` touch
 * settings only with --profile, and the store's library (conf, with its JSON-schema validator)
 * is the largest part of their start-up otherwise.
 */
export async function openSettings(): Promise<SettingsStore> {
  const { openNodeSettings } = await import('../store/node-settings.js');
  return openNodeSettings();
}
