import type { AnaplanConnectExportInput } from './input.js';

/**
 * What `anaplan-connect.sh --check` / `.bat --check` say when Anaplan Connect could not list the
 * workspaces: the client's own message (Anaplan Connect 4.1.0's wording, seen when it was run,
 * anaplan-facts §8) recognised by fixed strings, and what it means in plain words. One list,
 * rendered by both scripts; the first entry with a matching string wins, so the narrower come first.
 */
export interface CheckDiagnosis {
  id: string;
  /** Fixed, case-sensitive strings from the client's output; any one of them matches. */
  seen: readonly string[];
  /** One sentence or two, printed as it is by both dialects: none of " % ! ^ & | < > ( ). */
  meaning: string;
}

/**
 * What Anaplan Connect 4.1.0 prints, exiting 0 all the same, when a task it ran failed (Task.java)
 * or an action had nothing to act on: no workspace or model, or an object not found (Program.java;
 * anaplan-facts §8). Both scripts treat such a run as failed.
 */
export const SILENT_FAILURE_MARKERS = [
  'The operation failed',
  'A workspace ID must be provided',
  'A model ID must be provided',
  'must be specified before',
  'not found in workspace',
] as const;

/** The marker lines the scripts print and `anaplan-setup check-job` reads back. */
export const CHECK_MARKER = { ok: 'CHECK OK:', failed: 'CHECK FAILED:', warning: 'CHECK WARNING:' } as const;

export function checkDiagnoses(settings: AnaplanConnectExportInput): CheckDiagnosis[] {
  const proxy = settings.connection?.proxyUrl !== undefined;
  const network: CheckDiagnosis[] = [
    {
      id: 'proxy_auth',
      seen: ['status 407', 'Proxy Authentication Required', 'Failed to authenticate with proxy', 'Proxy password must be specified', 'Proxy username must be specified'],
      meaning:
        settings.connection?.proxyUser !== undefined
          ? 'The proxy refused the proxy user or its password. Check ProxyUser and the password in the environment variable named by ProxyPasswordVariable, and that the account may use the proxy.'
          : 'The proxy asks for a user and password, answer 407. Export the job again with the proxy user and the environment variable holding its password.',
    },
    {
      id: 'unreachable',
      seen: ['Failed to connect', 'UnknownHostException', 'Connection refused', 'No route to host', 'unexpected end of stream'],
      meaning: `Anaplan Connect could not reach Anaplan at ServiceUrl and AuthUrl. Check the network and DNS of this machine, ${
        proxy ? 'the proxy in this script with its port' : 'whether this machine must use a proxy'
      }, and that the firewall lets this machine reach Anaplan over HTTPS.`,
    },
    {
      id: 'timeout',
      seen: ['SocketTimeoutException', 'timeout', 'timed out'],
      meaning: `Anaplan did not answer in time. Try again later${proxy ? ', and check that the proxy passes the connection on' : ''}.`,
    },
    {
      id: 'forbidden',
      seen: ['status 403'],
      meaning:
        'Anaplan refused this machine or this user, answer 403. If the tenant limits sign-ins to known addresses, ask a Tenant security administrator to add this server\'s outbound IPv4 address to the allowlist.',
    },
    {
      id: 'java',
      // The last: the words every Java message of the .bat starts with (bat-script.ts).
      seen: ['Cannot locate a Java runtime', 'not supported by Anaplan Connect', 'UnsupportedClassVersionError', 'no Java for Anaplan Connect'],
      meaning: 'Anaplan Connect found no Java it accepts. Set JavaHome at the top of this script to a Java 8 or newer installation, the folder holding bin/java.',
    },
  ];
  return [...network, ...credentialDiagnoses(settings)];
}

function credentialDiagnoses(settings: AnaplanConnectExportInput): CheckDiagnosis[] {
  switch (settings.method) {
    case 'basic':
      return [
        {
          id: 'bad_password',
          seen: ['Basic Authentication failed!'],
          meaning:
            'Anaplan refused the user and password. Check the password the job passes: an exception user\'s password expires every 30, 60 or 90 days, so sign in to Anaplan in a browser and set a new one. A user who signs in through SSO must be an SSO exception user; and Anaplan Connect sends the password as ISO-8859-1, so characters such as the euro sign cannot be used.',
        },
      ];
    case 'certificate':
      return [
        {
          id: 'no_keystore_password',
          seen: ['Key store password must be specified'],
          meaning: 'Anaplan Connect found no keystore password: keystore-access.txt is missing or unreadable in .anaplan/api-client under JobHome, or else the home folder of the account running the job. Write it again with the assistant, as that account.',
        },
        {
          id: 'bad_alias',
          seen: ['Invalid Private key alias', 'Invalid alias provided'],
          meaning: 'The keystore holds no key under KeystoreAlias. Set KeystoreAlias to the alias the assistant showed, in lowercase.',
        },
        {
          id: 'bad_keystore',
          seen: ['Unable to read keystore file!', 'keystore password was incorrect', 'Keystore was tampered with'],
          meaning: 'The keystore could not be opened: the password in keystore-access.txt is not the keystore password, or this Java cannot read the keystore. Export the job again with the keystore password.',
        },
        {
          id: 'bad_key',
          seen: ['Unable to read Certificate!', 'PrivateKeyException', 'Unable to read private key'],
          meaning: 'Anaplan Connect could not read the certificate or the private key: the certificate file must hold one certificate, the key must be PKCS#8 PEM, and the passphrase must open it.',
        },
        {
          id: 'certificate_refused',
          seen: ['Certificate Authentication failed!'],
          meaning:
            'Anaplan refused the certificate. A Tenant Administrator must register this leaf certificate, certificate.pem, under Administration, Security, Certificates for the user, and it must not have expired. If the assistant\'s test login works, the tenant may refuse the v1 sign-in that Anaplan Connect 4.1.0 sends: this job then needs an Anaplan Connect release that sends v2.',
        },
      ];
    case 'oauth':
      return [
        {
          id: 'refresh_token_expired',
          // Anaplan Connect's own words for a 403 answer; a 400 invalid_grant (RFC 6749 §5.2) shows as the Feign error.
          seen: ['The refresh token has expired', 'Token Refresh failed!', 'invalid_grant', 'oauthRefreshToken'],
          meaning: settings.rotatable
            ? 'Anaplan no longer accepts the stored refresh token: it expired unused, or another copy of it was used first. Sign in again with the assistant, anaplan-setup oauth, as the account that runs this job.'
            : 'Anaplan no longer accepts the stored refresh token. If the OAuth client\'s refresh tokens rotate, set Rotatable=yes, as each run must save the new one; then sign in again with the assistant, anaplan-setup oauth, as the account that runs this job.',
        },
        {
          id: 'no_refresh_token',
          seen: ['Refresh token is not set for your client id', 'Could not decode the refresh token'],
          meaning: 'Anaplan Connect found no refresh token for ClientId in TokenStoreDir. Sign in with the assistant, anaplan-setup oauth --token-store-dir with that folder, as the account that runs this job.',
        },
      ];
  }
}
