
/**
 * Anaplan Connect's refresh-token store for the OAuth device grant (anaplan-facts §5), as far as
 * the exported job needs it: where Anaplan Connect looks for it and what the file is called.
 */

/** Anaplan Connect reads the store's folder from this variable when it is set and not blank, else from Java's user.home. */
export const TOKEN_STORE_DIR_ENV = 'AC_OAUTH_KEYSTORE_DIR';

export { tokenStoreFileName } from '../anaplan/token-store.js';
export { DEFAULT_ROTATABLE_LIFETIME_SECONDS } from '../anaplan/device-grant.js';

export const TOKEN_STORE_FILE_NAME = /^ks_[0-9a-f]{64}\.jks$/;

/** anaplan-facts §5: Anaplan Connect's own registration polls 30 times about 3 s apart. */
export const FORCE_REGISTER_WAIT_SECONDS = 90;
