import type { SecretStore } from '../../main/store/secrets.js';

/** A keychain stand-in that keeps values in memory, as a real one would outside the settings file. */
export function memoryKeychain(): SecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    status: () => ({ available: true, backend: 'test-keychain', reason: null }),
    get: async (key) => values.get(key) ?? null,
    set: async (key, value) => void values.set(key, value),
    delete: async (key) => void values.delete(key),
  };
}
