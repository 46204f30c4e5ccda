import type { SafeStorage } from 'electron';
import { AppError } from '../errors.js';
import type { SecretStore, SecretStoreStatus } from '../store/secrets.js';
import type { SettingsStore } from '../store/settings-store.js';

/**
 * Secrets through safeStorage, and only when its backend is a real keychain. On Linux the
 * `basic_text` backend encrypts with a hard-coded password: that counts as no keychain.
 */
export function safeStorageSecrets(safeStorage: SafeStorage, settings: SettingsStore, platform: NodeJS.Platform = process.platform): SecretStore {
  const status = (): SecretStoreStatus => {
    if (!safeStorage.isEncryptionAvailable()) {
      return { available: false, backend: 'none', reason: 'No system keychain is available, so passwords and tokens are not kept: you will be asked again next time.' };
    }
    if (platform === 'linux') {
      const backend = safeStorage.getSelectedStorageBackend();
      if (backend === 'basic_text' || backend === 'unknown') {
        return {
          available: false,
          backend,
          reason: 'No desktop keyring (GNOME Keyring or KWallet) is running, so passwords and tokens are not kept: you will be asked again next time.',
        };
      }
      return { available: true, backend, reason: null };
    }
    return { available: true, backend: platform === 'darwin' ? 'keychain' : 'dpapi', reason: null };
  };

  return {
    status,
    async get(key) {
      if (!status().available) return null;
      const stored = settings.read().secrets[key];
      if (!stored) return null;
      try {
        return safeStorage.decryptString(Buffer.from(stored, 'base64'));
      } catch {
        return null; // the keychain changed (new login keyring): ask again
      }
    },
    async set(key, value) {
      const current = status();
      if (!current.available) throw new AppError('secrets_unavailable', current.reason ?? 'No keychain is available.');
      const cipher = safeStorage.encryptString(value).toString('base64');
      settings.update((s) => ({ ...s, secrets: { ...s.secrets, [key]: cipher } }));
    },
    async delete(key) {
      settings.update((s) => {
        const { [key]: _removed, ...rest } = s.secrets;
        return { ...s, secrets: rest };
      });
    },
  };
}
