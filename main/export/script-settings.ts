import type { ExportSettings } from './generated-file.js';
import type { CertificateExportInput, OAuthExportInput } from './input.js';
import { DEFAULT_ROTATABLE_LIFETIME_SECONDS, TOKEN_STORE_DIR_ENV, tokenStoreFileName } from './oauth-token-store.js';

/**
 * The settings block at the top of both scripts, as data: the .sh and the .bat render the same
 * list in their own dialect, so a setting added here appears in both.
 */
export type SettingLine =
  | { kind: 'comment'; text: string }
  /** javaArgument: ends a quoted argument of the java command line; command: a command line the script runs (OnFailure). */
  | { kind: 'set'; name: string; value: string; field: string; javaArgument: boolean; command?: true };

export interface Dialect {
  /** "AnaplanClient.sh" or "AnaplanClient.bat" */
  client: string;
  /** How the owner keeps a file holding the password private on this platform. */
  privateFileAdvice: string;
  /** Where Anaplan Connect finds keystore-access.txt on this platform, in words (two comment lines). */
  keystoreAccessLocation: [string, string];
  /** How the job's account keeps a folder to itself on this platform. */
  privateFolderAdvice: string;
}

const comment = (text: string): SettingLine => ({ kind: 'comment', text });
const set = (name: string, value: string, field: string, javaArgument = true): Extract<SettingLine, { kind: 'set' }> => ({ kind: 'set', name, value, field, javaArgument });

export function credentialSettingLines(settings: ExportSettings, dialect: Dialect): SettingLine[] {
  switch (settings.method) {
    case 'basic': {
      const user = [comment('The Anaplan user (email) the job signs in as.'), set('AnaplanUser', settings.user, 'The user')];
      const { password } = settings;
      switch (password.source) {
        case 'env':
          return [
            ...user,
            comment('Name of the environment variable that holds the password when the job runs (not the password).'),
            set('PasswordVariable', password.envVar, 'The password environment variable', false),
          ];
        case 'prompt':
          return [...user, comment('No password here: Anaplan Connect asks for it, so someone must be at the keyboard.')];
        case 'inline':
          return [
            ...user,
            comment(`The password, in clear text as you chose: ${dialect.privateFileAdvice}.`),
            set('AnaplanPassword', password.value, 'The password'),
          ];
      }
    }
    case 'certificate':
      return certificateSettingLines(settings.credentials, dialect);
    case 'oauth':
      return oauthSettingLines(settings, dialect);
  }
}

// anaplan-facts §5: -oauth-client-id <id> [--rotatable]; the refresh token is read from
// $AC_OAUTH_KEYSTORE_DIR/ks_<hex SHA-512/256(clientId)>.jks.
function oauthSettingLines(settings: OAuthExportInput, dialect: Dialect): SettingLine[] {
  return [
    comment(
      `The Device grant OAuth client (Administration / Security / OAuth Clients) whose refresh token this job uses${settings.user ? `, signed in as ${settings.user}` : ''}.`,
    ),
    set('ClientId', settings.clientId, 'The OAuth client ID'),
    comment(`yes: the client's refresh tokens rotate, so Anaplan Connect is given --rotatable and saves the new one on every run.`),
    comment('no: they do not rotate. It must match the client in Anaplan.'),
    set('Rotatable', settings.rotatable ? 'yes' : 'no', 'Rotatable', false),
    comment(`Full path of the folder of Anaplan Connect's refresh-token store for this client, the file`),
    comment(`${tokenStoreFileName(settings.clientId)} (its name comes from ClientId). Exported as ${TOKEN_STORE_DIR_ENV}.`),
    comment(`Keep the folder private to ${dialect.privateFolderAdvice}.`),
    set('TokenStoreDir', settings.tokenStoreDir, 'The token store folder', false),
  ];
}

// anaplan-facts §8: Anaplan Connect reads keystore-access.txt under Java's user.home, the home in
// the password database, not $HOME. The .sh sets user.home to this folder (JAVA_OPTS), so that its
// own check and Anaplan Connect look in the same place.
function jobHomeSettingLines(jobHome: string | undefined): SettingLine[] {
  return [
    comment('The home folder holding .anaplan/api-client/keystore-access.txt, given to Java as -Duser.home so that'),
    comment("Anaplan Connect reads it there. Empty: the home folder of the account running the job (in /etc/passwd)."),
    set('JobHome', jobHome ?? '', 'The job home folder', false),
  ];
}

function certificateSettingLines(credentials: CertificateExportInput['credentials'], dialect: Dialect): SettingLine[] {
  const where = 'Full path (a relative path starts from the Anaplan Connect folder)';
  switch (credentials.form) {
    case 'keystore': {
      const keystore = [
        comment(`The keystore (.p12 or .jks) holding the certificate and its private key. ${where}.`),
        set('KeystoreFile', credentials.keystorePath, 'The keystore file'),
        comment('The alias of the key entry in the keystore (lowercase).'),
        set('KeystoreAlias', credentials.alias, 'The key alias'),
      ];
      const { keystorePassword } = credentials;
      switch (keystorePassword.source) {
        case 'file':
          return [
            ...keystore,
            comment(`No keystore password here: Anaplan Connect reads it from ${dialect.keystoreAccessLocation[0]}`),
            comment(`${dialect.keystoreAccessLocation[1]} of the account that runs this job (see README.md).`),
            ...(dialect.client.endsWith('.sh') ? jobHomeSettingLines(keystorePassword.jobHome) : []),
          ];
        case 'inline':
          return [
            ...keystore,
            comment(`The keystore password, in clear text as you chose: ${dialect.privateFileAdvice}.`),
            set('KeystorePassword', keystorePassword.value, 'The keystore password'),
          ];
      }
    }
    case 'pem': {
      const files = [
        comment(`The certificate registered in Anaplan: one certificate, PEM or DER. ${where}.`),
        set('CertificateFile', credentials.certificatePath, 'The certificate file'),
        comment(`Its private key, PKCS#8 PEM (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY). ${where}.`),
        set('PrivateKeyFile', credentials.privateKeyPath, 'The private key file'),
      ];
      const { keyPassphrase } = credentials;
      switch (keyPassphrase.source) {
        case 'none':
          return [...files, comment('The private key is not encrypted: no passphrase.')];
        case 'env':
          return [
            ...files,
            comment('Name of the environment variable that holds the key passphrase when the job runs (not the passphrase).'),
            comment('The passphrase must not contain ":" (Anaplan Connect splits -privatekey at the last ":").'),
            set('KeyPassphraseVariable', keyPassphrase.envVar, 'The key passphrase environment variable', false),
          ];
        case 'inline':
          return [
            ...files,
            comment(`The key passphrase, in clear text as you chose: ${dialect.privateFileAdvice}. No ":" in it.`),
            set('KeyPassphrase', keyPassphrase.value, 'The key passphrase'),
          ];
      }
    }
  }
}

/** The job's sign-in method, for the scripts' first comment line. */
export function scriptMethodTitle(settings: ExportSettings): string {
  switch (settings.method) {
    case 'basic':
      return 'Basic authentication (user name and password)';
    case 'certificate':
      return settings.credentials.form === 'keystore'
        ? 'Certificate authentication (keystore)'
        : 'Certificate authentication (certificate and private key files)';
    case 'oauth':
      return `OAuth 2.0 device grant (${settings.rotatable ? 'rotating' : 'non-rotating'} refresh token in Anaplan Connect's token store)`;
  }
}

/** Lines for the scripts' header comment, below "Generated by": what the job's credentials need. */
export function credentialHeaderNotes(settings: ExportSettings): string[] {
  switch (settings.method) {
    case 'basic':
      return [];
    case 'certificate': {
      const notes = [
        'The certificate must be registered in Anaplan by a Tenant Administrator (Administration / Security / Certificates).',
      ];
      if (settings.certificateNotAfter) {
        notes.push(`The certificate expires on ${expiryDay(settings.certificateNotAfter)}: renew it before then (see README.md).`);
      }
      return notes;
    }
    case 'oauth': {
      const notes = [
        'Anaplan Connect signs in with the refresh token in its token store (TokenStoreDir below), written by the device sign-in.',
        'Never add --forceRegister here: it deletes the stored token and waits for a new sign-in (see README.md).',
      ];
      if (settings.rotatable) {
        notes.push(
          `Rotating refresh tokens: each run saves a new one; if the job does not run within the client's refresh-token lifetime (${DEFAULT_ROTATABLE_LIFETIME_SECONDS.toLocaleString('en-US')} s, about 12 hours, unless set otherwise), it expires.`,
        );
      }
      return notes;
    }
  }
}

/** An ISO date as its day, an ISO date-time as "YYYY-MM-DD HH:MM UTC" (a rotating refresh token may last only hours). */
export function expiryMoment(value: string): string {
  if (value.length <= 10) return value;
  return `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The day part of an ISO date or date-time, as written. */
export function expiryDay(notAfter: string): string {
  return notAfter.slice(0, 10);
}

export function connectionSettingLines(settings: ExportSettings, dialect: Dialect): SettingLine[] {
  return [
    // anaplan-facts §5: for OAuth, -auth is the OAuth host (Anaplan Connect calls {auth}/oauth/...).
    comment(
      settings.method === 'oauth'
        ? 'Anaplan integration API (-service) and OAuth host (-auth; Anaplan Connect calls AuthUrl/oauth/...).'
        : 'Anaplan integration API (-service) and authentication service (-auth).',
    ),
    set('ServiceUrl', settings.serviceUrl, 'The service URL'),
    set('AuthUrl', settings.authUrl, 'The auth URL'),
    comment('Workspace and model IDs (32 hexadecimal characters). Empty: none is passed.'),
    set('WorkspaceId', settings.workspaceId ?? '', 'The workspace ID'),
    set('ModelId', settings.modelId ?? '', 'The model ID'),
    comment(`Folder holding ${dialect.client}. Empty: the folder this script is in.`),
    set('AnaplanConnectDir', settings.anaplanConnectDir ?? '', 'The Anaplan Connect folder', false),
    ...proxyAndRetrySettingLines(settings),
    ...jobSettingLines(settings, dialect),
  ];
}

/** Whether any of Anaplan Connect's connection options was chosen: only then do the scripts carry them. */
export function hasConnectionOptions(settings: Pick<ExportSettings, 'connection'>): boolean {
  const connection = settings.connection;
  return connection !== undefined && Object.values(connection).some((value) => value !== undefined);
}

/**
 * The settings behind `-via`, `-viauser`, `-maxretrycount`, `-retrytimeout`, `-httptimeout`,
 * `-chunksize` (anaplan-facts §5), one per chosen option: a setting emptied later is not passed.
 */
export const CONNECTION_OPTION_SETTINGS = [
  { key: 'maxRetryCount', name: 'MaxRetryCount', option: '-maxretrycount', what: 'retries', range: '3-15' },
  { key: 'retryTimeoutSeconds', name: 'RetryTimeout', option: '-retrytimeout', what: 'seconds between retries', range: '3-120' },
  { key: 'httpTimeoutSeconds', name: 'HttpTimeout', option: '-httptimeout', what: 'seconds to wait for an answer', range: '60-300' },
  { key: 'chunkSizeMb', name: 'ChunkSize', option: '-chunksize', what: 'MB per uploaded chunk', range: '1-50' },
] as const;

function proxyAndRetrySettingLines(settings: ExportSettings): SettingLine[] {
  const connection = settings.connection;
  if (!connection || !hasConnectionOptions(settings)) return [];
  const lines: SettingLine[] = [];
  if (connection.proxyUrl !== undefined) {
    lines.push(comment('Proxy (-via): http://host:port or https://host:port, the port written out. Empty: no proxy.'), set('ProxyUrl', connection.proxyUrl, 'The proxy URL'));
  }
  if (connection.proxyUser !== undefined && connection.proxyPasswordEnvVar !== undefined) {
    lines.push(
      comment('Proxy user (-viauser): user, domain\\user or domain\\workstation\\user (a domain means NTLM). No password here:'),
      comment('the job reads it from the environment variable named below and passes -viauser user:password.'),
      set('ProxyUser', connection.proxyUser, 'The proxy user', false),
      set('ProxyPasswordVariable', connection.proxyPasswordEnvVar, 'The proxy password environment variable', false),
    );
  }
  const chosen = CONNECTION_OPTION_SETTINGS.filter((option) => connection[option.key] !== undefined);
  if (chosen.length > 0) {
    lines.push(comment("Retries, timeouts and upload chunks (whole numbers; empty: Anaplan Connect's default):"));
    for (const option of chosen) {
      lines.push(comment(`${option.option}: ${option.range} ${option.what}.`), set(option.name, String(connection[option.key]), option.option));
    }
  }
  return lines;
}

function jobSettingLines(settings: ExportSettings, dialect: Dialect): SettingLine[] {
  const sh = dialect.client.endsWith('.sh');
  return [
    // anaplan-facts §8: AnaplanClient.bat 4.x looks at JAVA_HOME, then the registry, never the PATH.
    comment(
      sh
        ? `Java for Anaplan Connect, exported as JAVA_HOME. Empty: ${dialect.client} finds Java itself (JAVA_HOME, or java on the PATH, which is short under cron).`
        : `Java for Anaplan Connect, exported as JAVA_HOME. Empty: JAVA_HOME, else the registry keys Java 8 installers write, as ${dialect.client} looks (not the PATH).`,
    ),
    set('JavaHome', settings.javaHome ?? '', 'JAVA_HOME', false),
    comment('Folder for the dated logs, anaplan-connect-YYYYMMDD-HHMMSS.log. Empty: a logs folder next to this script.'),
    set('LogDir', settings.logDir ?? '', 'The log folder', false),
    comment('Command run when Anaplan Connect fails (exits non-zero), such as a notification. It gets ANAPLAN_JOB_EXIT_CODE'),
    ...(sh
      ? [comment('and ANAPLAN_JOB_LOG in its environment, and both as its last two arguments. Empty: none.')]
      : [
          comment('and ANAPLAN_JOB_LOG in its environment; it runs through cmd /c as written, double quotes allowed.'),
          comment('Write "%ANAPLAN_JOB_LOG%" in double quotes: the log path may hold spaces or an ampersand. Empty: none.'),
        ]),
    { ...set('OnFailure', settings.onFailure ?? '', 'The on-failure command', false), command: true },
  ];
}
