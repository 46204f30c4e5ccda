import { authenticateCertificate } from '../anaplan/certificate-login.js';
import { requireEndpoint, resolveEndpoints } from '../anaplan/endpoints.js';
import { authenticateBasic, type AuthToken } from '../anaplan/token-service.js';
import type { HttpClient } from '../net/http.js';
import { keystorePasswordKey, passwordKey, type SecretStore } from '../store/secrets.js';
import type { Profile } from '../store/settings-schema.js';
import { fromKeystore } from './certificates.js';
import { accessTokenFromStore } from './device-flow.js';
import { AppError } from '../errors.js';
import { logout } from './login.js';

/**
 * A token for a profile, however it signs in: the password (typed now or from the keychain),
 * the keystore (its password typed now or from the keychain), or the device grant's stored
 * refresh token. Token-service tokens are logged out afterwards.
 */
export async function withProfileToken<T>(
  http: HttpClient,
  profile: Profile,
  secrets: SecretStore,
  secret: string | null,
  work: (apiUrl: string, token: AuthToken) => Promise<T>,
): Promise<T> {
  const endpoints = resolveEndpoints(profile.endpoints);
  const apiUrl = requireEndpoint(endpoints, 'apiUrl');
  if (profile.authMethod === 'oauth') {
    if (!profile.oauth) throw new AppError('bad_input', 'Sign in with the device grant first (the Device sign-in step).');
    const { clientId, tokenStoreDir, encoding } = profile.oauth;
    const { token } = await accessTokenFromStore({ http, endpoints, clientId, tokenStoreDir, encoding });
    return work(apiUrl, token);
  }
  const authUrl = requireEndpoint(endpoints, 'authUrl');
  let token: AuthToken;
  if (profile.authMethod === 'certificate') {
    if (!profile.certificate) throw new AppError('bad_input', 'Import the issued certificate first (the Import certificate step).');
    const password = secret || (await secrets.get(keystorePasswordKey(profile.id)));
    const { leafPem, privateKey } = await fromKeystore(profile.certificate, password);
    token = await authenticateCertificate(http, authUrl, leafPem, privateKey);
  } else {
    const password = secret || (await secrets.get(passwordKey(profile.id)));
    if (!password) throw new AppError('bad_input', 'Enter the password of the Anaplan user.');
    token = await authenticateBasic(http, authUrl, profile.email, password);
  }
  try {
    return await work(apiUrl, token);
  } finally {
    await logout(http, authUrl, token);
  }
}
