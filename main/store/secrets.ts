import { AppError } from '../errors.js';

/**
 * Secrets (passwords, passphrases, refresh tokens) are kept only where a real keychain
 * protects them. Front doors without one keep nothing and say so.
 */
export interface SecretStoreStatus {
  available: boolean;
  /** e.g. "gnome_libsecret", "keychain", "dpapi", or "none" */
  backend: string;
  /** Shown to the user when secrets cannot be kept. */
  reason: string | null;
}

export interface SecretStore {
  status(): SecretStoreStatus;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

const NO_KEYCHAIN_REASON =
  'The command line and the browser assistant have no keychain, so passwords and tokens are not kept: you will be asked again next time.';

export const NO_SECRET_STORE: SecretStore = {
  status: () => ({
    available: false,
    backend: 'none',
    reason: NO_KEYCHAIN_REASON,
  }),
  get: async () => null,
  set: async () => {
    throw new AppError('secrets_unavailable', NO_KEYCHAIN_REASON);
  },
  delete: async () => {
    /* nothing was kept */
  },
};

export function passwordKey(profileId: string): string {
  return `profile:${profileId}:basic-password`;
}

export function keystorePasswordKey(profileId: string): string {
  return `profile:${profileId}:keystore-password`;
}

export function keyPassphraseKey(profileId: string): string {
  return `profile:${profileId}:key-passphrase`;
}

export function refreshTokenKey(profileId: string): string {
  return `profile:${profileId}:oauth-refresh-token`;
}

/** Every secret a profile may have, so that deleting the profile forgets them all. */
export function profileSecretKeys(profileId: string): string[] {
  return [passwordKey(profileId), keystorePasswordKey(profileId), keyPassphraseKey(profileId), refreshTokenKey(profileId)];
}
