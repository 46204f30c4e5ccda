import * as z from 'zod';
import { URL_SAFE_CLIENT_ID } from '../anaplan/device-grant.js';
import { checkServiceUrl } from '../anaplan/endpoints.js';
import { charactersOutsideLatin1 } from '../anaplan/latin1.js';
import { AppError, isAppError } from '../errors.js';
import { TOKEN_STORE_FILE_NAME, tokenStoreFileName } from './oauth-token-store.js';
import { ABSOLUTE_PATH, NO_MODEL_MESSAGE, operationActsInModel, operationNamesModel, relativeLocalFileMessage, relativeLocalFiles } from './operation-rules.js';

/**
 * What the Anaplan Connect export needs to know. One member per auth method, told apart by
 * `method`.
 */
export type AnaplanConnectExportInput = BasicExportInput | CertificateExportInput | OAuthExportInput;

export type ExportPlatform = 'linux' | 'windows';

export type PasswordSource =
  | { source: 'env'; envVar: string }
  | { source: 'prompt' }
  | { source: 'inline'; value: string };

export interface ExportCommon {
  /** Anaplan Connect `-service`, e.g. https://api.anaplan.com */
  serviceUrl: string;
  /**
   * Anaplan Connect `-auth`, e.g. https://auth.anaplan.com. For OAuth the region's OAuth host,
   * e.g. https://us1a.app.anaplan.com: Anaplan Connect then calls {auth}/oauth/... (anaplan-facts §5).
   */
  authUrl: string;
  /** 32 hex characters when given. */
  workspaceId?: string;
  modelId?: string;
  platforms: ExportPlatform[];
  profileName?: string;
  regionName?: string;
  /** Written into the scripts' Operation; empty (the default) leaves Operation for the user to fill in. */
  operation?: string[];
  generatedBy: string;
  generatedAt: Date;
  /** Proxy, retry, timeout and chunk-size options, passed with the other connection options before the Operation (anaplan-facts §5). */
  connection?: ConnectionOptions;
  /** Absolute path of the Anaplan Connect folder on the machine that runs the job (the scripts' AnaplanConnectDir). */
  anaplanConnectDir?: string;
  /** Absolute path the scripts set JAVA_HOME to (AnaplanClient.sh finds Java via JAVA_HOME or `which java`). */
  javaHome?: string;
  /** Absolute path of the folder for the dated logs, <logDir>/anaplan-connect-YYYYMMDD-HHMMSS.log; default: `logs` next to the script. */
  logDir?: string;
  /**
   * A command run when Anaplan Connect exits non-zero. It gets ANAPLAN_JOB_EXIT_CODE and
   * ANAPLAN_JOB_LOG in its environment (the .sh also appends both as its last two arguments);
   * the script still exits with Anaplan Connect's exit code.
   */
  onFailure?: string;
  /** A daily run: written as crontab.txt (linux), schtasks.txt (windows) and into README.md. */
  schedule?: JobSchedule;
  /** Absolute path of the folder the files are written to: crontab.txt and schtasks.txt name the script there. */
  jobDir?: string;
  /** The account running the assistant (whose home holds keystore-access.txt or the token store it wrote), compared with schedule.account. */
  currentAccount?: string;
  /** Field-by-field notes for other tools using the same credentials: boomi-connection.md, informatica-connection.md (anaplan-facts §6). */
  integrationGuides?: IntegrationGuide[];
}

/** Anaplan Connect's connection options (anaplan-facts §5). Each is passed only when set. */
export interface ConnectionOptions {
  /** `-via`: http(s)://host:PORT, the port written out. */
  proxyUrl?: string;
  /** `-viauser`: [domain\[workstation\]]user (a domain means NTLM). Never a password: that comes from proxyPasswordEnvVar. */
  proxyUser?: string;
  /** The environment variable the job reads the proxy password from; the job passes `-viauser user:password`. */
  proxyPasswordEnvVar?: string;
  /** `-maxretrycount`, 3–15. */
  maxRetryCount?: number;
  /** `-retrytimeout`, 3–120 seconds. */
  retryTimeoutSeconds?: number;
  /** `-httptimeout`, 60–300 seconds. */
  httpTimeoutSeconds?: number;
  /** `-chunksize`, 1–50 MB. */
  chunkSizeMb?: number;
}

export interface JobSchedule {
  /** "HH:MM", 24-hour clock, the job machine's local time. */
  time: string;
  /** The account that runs the job (cron user, Task Scheduler /RU). */
  account?: string;
}

export type IntegrationGuide = 'boomi' | 'informatica';

export interface BasicExportInput extends ExportCommon {
  method: 'basic';
  /** The Anaplan user's email. */
  user: string;
  password: PasswordSource;
}

/** Where Anaplan Connect gets the keystore password (anaplan-facts §5). */
export type KeystorePasswordSource =
  /**
   * Not in the scripts: Anaplan Connect reads ~/.anaplan/api-client/keystore-access.txt under
   * Java's user.home. `jobHome` is the folder it was written under: the .sh passes it as
   * -Duser.home, so the job's own check and Anaplan Connect look in the same place (anaplan-facts §8).
   * Without it, the account's home in the password database.
   */
  | { source: 'file'; jobHome?: string }
  /** `-keystorepass` in the script, chosen knowingly (clear text, and visible in the process list while the job runs). */
  | { source: 'inline'; value: string };

/** Where the passphrase of a PEM private key comes from (`-privatekey <file>:<passphrase>`, anaplan-facts §5). */
export type KeyPassphraseSource =
  /** The key is not encrypted: `-privatekey <file>:` (the trailing colon is still needed). */
  | { source: 'none' }
  /** Read from this environment variable when the job runs (default ANAPLAN_KEY_PASSPHRASE). */
  | { source: 'env'; envVar: string }
  /** Written into the script, chosen knowingly. */
  | { source: 'inline'; value: string };

/** The two forms Anaplan Connect accepts for certificate authentication. */
export type CertificateCredentials =
  /** `-keystore <file> -keystorealias <alias> [-keystorepass <password>]` */
  | { form: 'keystore'; keystorePath: string; alias: string; keystorePassword: KeystorePasswordSource }
  /** `-certificate <file> -privatekey <file>:<passphrase>` */
  | { form: 'pem'; certificatePath: string; privateKeyPath: string; keyPassphrase: KeyPassphraseSource };

export interface CertificateExportInput extends ExportCommon {
  method: 'certificate';
  /** The certificate's email, for README.md only (Anaplan reads the user from the certificate). */
  user?: string;
  /** ISO date (2027-05-31, or a full ISO date-time): when the certificate expires, for README.md and the warnings. */
  certificateNotAfter?: string;
  credentials: CertificateCredentials;
}

/**
 * The OAuth 2.0 device grant (anaplan-facts §4, §5): Anaplan Connect signs in with the refresh
 * token it finds in its token store, ks_<hex SHA-512/256(clientId)>.jks in AC_OAUTH_KEYSTORE_DIR.
 * `authUrl` is the OAuth host here.
 */
export interface OAuthExportInput extends ExportCommon {
  method: 'oauth';
  /** The signed-in user's email, README.md only. */
  user?: string;
  /** The Device grant OAuth client's ID (`-oauth-client-id`). */
  clientId: string;
  /** The client's refresh tokens rotate: the job passes `--rotatable` so Anaplan Connect saves each new one. */
  rotatable: boolean;
  /** Absolute path of the folder the scripts export as AC_OAUTH_KEYSTORE_DIR (where the assistant wrote ks_<...>.jks). Kept byte for byte. */
  tokenStoreDir: string;
  /** The token store's file name, ks_<64 hex>.jks; when given it must be the one Anaplan Connect derives from clientId. */
  tokenStoreFile?: string;
  /** ISO date or date-time, rotatable clients: when the stored refresh token expires unless the job runs before (README.md and warnings). */
  refreshTokenExpiresAt?: string;
}

export const DEFAULT_PASSWORD_ENV_VAR = 'ANAPLAN_PASSWORD';
export const DEFAULT_KEY_PASSPHRASE_ENV_VAR = 'ANAPLAN_KEY_PASSPHRASE';

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** RFC 5322 dot-atom local part (so `'`, `$`, `+` are allowed) at an ASCII domain; never a `:`. */
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,}$/;
/** C0 controls except TAB, and DEL: never useful in a setting, dangerous in a script or a terminal. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const noControlCharacters = (what: string) =>
  z.string().refine((value) => !CONTROL_CHARACTER.test(value), {
    message: `${what} must not contain line breaks or other control characters.`,
  });

const serviceUrl = (label: string) =>
  z.string().transform((value, ctx) => {
    try {
      return checkServiceUrl(label, value.trim());
    } catch (error) {
      ctx.issues.push({ code: 'custom', input: value, message: isAppError(error) ? error.message : `${label} is not a valid URL.` });
      return z.NEVER;
    }
  });

const hexId = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^(?:[0-9A-Fa-f]{32})?$/, {
      message: `${what} must be 32 hexadecimal characters (0-9, A-F), as shown in the model's URL or in the assistant's workspace list.`,
    })
    .transform((value) => value || undefined)
    .optional();

const userEmail = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (value.includes(':')) {
      // anaplan-facts §5: `-user user:password` is split at the first colon.
      ctx.addIssue({ code: 'custom', message: 'The user must not contain ":" (Anaplan Connect splits -user at the first colon).' });
    } else if (value.length > 254 || !EMAIL.test(value)) {
      ctx.addIssue({ code: 'custom', message: `The user must be the Anaplan user's email address, such as name@example.com.` });
    }
  });

const envVarName = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(ENV_VAR_NAME, {
      message: `The environment variable name must start with a letter or _ and hold only letters, digits and _ (for example ${fallback}).`,
    })
    .default(fallback);

const PasswordSourceSchema = z.discriminatedUnion(
  'source',
  [
    z.object({ source: z.literal('env'), envVar: envVarName(DEFAULT_PASSWORD_ENV_VAR) }),
    z.object({ source: z.literal('prompt') }),
    z.object({
      source: z.literal('inline'),
      value: noControlCharacters('The password')
        .pipe(z.string().min(1, { message: 'The password is empty.' }))
        // anaplan-facts §8: Anaplan Connect sends the password as ISO-8859-1.
        .refine((value) => charactersOutsideLatin1(value).length === 0, {
          message: 'The password holds a character that ISO-8859-1 (Latin-1) does not have, such as the euro sign: Anaplan Connect sends the password in ISO-8859-1, so the job could never sign in with it. Change the Anaplan password to one without such characters.',
        }),
    }),
  ],
  { error: 'The password source must be "env" (an environment variable), "prompt" or "inline" (written into the script).' },
);

/** An absolute path in Linux (/...) or Windows (C:\..., \\server\share) form. */

const absoluteFolder = (what: string, example: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem =
        filePathProblem(what, value, 'folder') ??
        (ABSOLUTE_PATH.test(value) ? undefined : `${what} must be a full path, such as ${example}: the job starts in another folder (cron starts it in the home folder).`);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional();

// anaplan-facts §5: -via <proxy url with explicit port>.
const PROXY_URL = /^(https?):\/\/([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})\/?$/;

const proxyUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (CONTROL_CHARACTER.test(value)) return fail('The proxy URL must not contain line breaks or other control characters.');
    if (/^https?:\/\/[^/]*@/i.test(value)) {
      return fail('The proxy URL must not contain a user name or password: give the user in proxyUser and the password in the environment variable named by proxyPasswordEnvVar.');
    }
    const match = PROXY_URL.exec(value);
    if (!match) {
      return fail(
        /^https?:\/\/[^/:]+\/?$/i.test(value)
          ? `The proxy URL "${value}" has no port: Anaplan Connect (-via) needs it written out, such as http://proxy.example.com:8080.`
          : `The proxy URL "${value}" must be http://host:port or https://host:port with the port written out, such as http://proxy.example.com:8080 (-via).`,
      );
    }
    const port = Number(match[3]);
    if (port < 1 || port > 65535) fail(`The proxy URL's port ${match[3]} must be from 1 to 65535.`);
  })
  .transform((value) => value.replace(/\/$/, ''));

// anaplan-facts §5: -viauser [domain\[workstation\]]user[:password]; the password is added by the job.
const proxyUser = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (CONTROL_CHARACTER.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'The proxy user must not contain line breaks or other control characters.' });
    } else if (value.includes(':')) {
      ctx.addIssue({
        code: 'custom',
        message:
          'The proxy user must not contain ":" or a password: the job reads the proxy password from the environment variable named by proxyPasswordEnvVar and passes -viauser user:password itself.',
      });
    } else if (!/^(?:[^\\]+\\){0,2}[^\\]+$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'The proxy user must be user, domain\\user or domain\\workstation\\user (a domain means NTLM).' });
    }
  });

const wholeNumber = (what: string, option: string, min: number, max: number, unit: string) =>
  z
    .number({ error: `${what} must be a whole number from ${min} to ${max}${unit} (Anaplan Connect ${option}).` })
    .int({ message: `${what} must be a whole number from ${min} to ${max}${unit} (Anaplan Connect ${option}).` })
    .min(min, { message: `${what} must be from ${min} to ${max}${unit} (Anaplan Connect ${option} accepts ${min}–${max}).` })
    .max(max, { message: `${what} must be from ${min} to ${max}${unit} (Anaplan Connect ${option} accepts ${min}–${max}).` })
    .optional();

const ConnectionOptionsSchema = z
  .object({
    proxyUrl: proxyUrl.optional(),
    proxyUser: proxyUser.optional(),
    proxyPasswordEnvVar: z
      .string()
      .trim()
      .regex(ENV_VAR_NAME, { message: 'The proxy password environment variable name must start with a letter or _ and hold only letters, digits and _ (for example ANAPLAN_PROXY_PASSWORD).' })
      .optional(),
    maxRetryCount: wholeNumber('The maximum retry count', '-maxretrycount', 3, 15, ''),
    retryTimeoutSeconds: wholeNumber('The retry timeout', '-retrytimeout', 3, 120, ' seconds'),
    httpTimeoutSeconds: wholeNumber('The HTTP timeout', '-httptimeout', 60, 300, ' seconds'),
    chunkSizeMb: wholeNumber('The chunk size', '-chunksize', 1, 50, ' MB'),
  })
  .superRefine((value, ctx) => {
    if (value.proxyUser !== undefined && value.proxyUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['proxyUrl'], message: 'A proxy user was given without a proxy URL: give the proxy URL too (http://host:port).' });
    }
    if (value.proxyUser !== undefined && value.proxyPasswordEnvVar === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['proxyPasswordEnvVar'],
        message: 'Name the environment variable that holds the proxy password (for example ANAPLAN_PROXY_PASSWORD): the proxy user has no password of its own here.',
      });
    }
    if (value.proxyPasswordEnvVar !== undefined && value.proxyUser === undefined) {
      ctx.addIssue({ code: 'custom', path: ['proxyUser'], message: 'A proxy password variable was given without a proxy user: give the proxy user too.' });
    }
  });

const accountName = (what: string) =>
  z
    .string()
    .trim()
    .min(1, { message: `${what} is empty.` })
    .max(256)
    .refine((value) => !CONTROL_CHARACTER.test(value) && !/["%<>|&^]/.test(value), {
      message: `${what} must be an account name such as jobuser or DOMAIN\\jobuser, without line breaks or the characters " % < > | & ^.`,
    });

const ScheduleSchema = z.object({
  time: z
    .string({ error: 'The schedule time is missing: give it as HH:MM (24-hour clock), such as 02:30.' })
    .trim()
    // 2:30 means 02:30.
    .transform((value) => (/^\d:\d\d$/.test(value) ? `0${value}` : value))
    .pipe(z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { message: 'The schedule time must be HH:MM on the 24-hour clock, such as 02:30 or 18:05.' })),
  account: accountName('The account that runs the job').optional(),
});

const commonShape = {
  serviceUrl: serviceUrl('The integration API URL (-service)'),
  authUrl: serviceUrl('The auth URL (-auth)'),
  workspaceId: hexId('The workspace ID'),
  modelId: hexId('The model ID'),
  platforms: z
    .array(z.enum(['linux', 'windows'], { error: 'A platform must be "linux" or "windows".' }))
    .min(1, { message: 'Choose at least one platform (linux, windows).' })
    .transform((platforms) => [...new Set(platforms)]),
  profileName: noControlCharacters('The profile name').pipe(z.string().max(200)).optional(),
  regionName: noControlCharacters('The region name').pipe(z.string().max(200)).optional(),
  operation: z.array(noControlCharacters('Each Operation word')).default([]),
  generatedBy: noControlCharacters('the generator’s name').pipe(z.string().min(1)),
  generatedAt: z.date({ error: 'generatedAt must be a valid date.' }),
  connection: ConnectionOptionsSchema.optional(),
  anaplanConnectDir: absoluteFolder('The Anaplan Connect folder', '/opt/anaplan-connect or C:\\AnaplanConnect'),
  javaHome: absoluteFolder('JAVA_HOME', '/usr/lib/jvm/java-17-openjdk or C:\\Program Files\\Java\\jdk-17'),
  logDir: absoluteFolder('The log folder', '/var/log/anaplan-connect or C:\\AnaplanConnect\\logs'),
  onFailure: noControlCharacters('The on-failure command')
    .pipe(z.string().trim().min(1, { message: 'The on-failure command is empty: leave it out, or give the command to run when Anaplan Connect fails.' }).max(2000))
    .optional(),
  schedule: ScheduleSchema.optional(),
  jobDir: absoluteFolder('The job folder', '/opt/anaplan/jobs/nightly or C:\\AnaplanConnect\\jobs'),
  currentAccount: accountName('The current account').optional(),
  integrationGuides: z
    .array(z.enum(['boomi', 'informatica'], { error: 'An integration guide must be "boomi" or "informatica".' }))
    .transform((guides) => [...new Set(guides)])
    .optional(),
};

/** Checks across fields every method shares: what the real Anaplan Connect would get wrong silently (anaplan-facts §8). */
function checkOperation(value: { operation: string[]; workspaceId?: string | undefined; modelId?: string | undefined; schedule?: unknown }, ctx: z.RefinementCtx): void {
  const { operation } = value;
  if (operationActsInModel(operation) && !(value.workspaceId && value.modelId) && !operationNamesModel(operation)) {
    ctx.addIssue({ code: 'custom', path: [value.workspaceId ? 'modelId' : 'workspaceId'], message: NO_MODEL_MESSAGE });
  }
  if (value.schedule !== undefined && operation.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['operation'],
      message: 'A scheduled job needs an Operation: without one the script stops with exit code 2 every night. Choose what the job does (CLI: --operation import, process or export), or leave the schedule out.',
    });
  }
  for (const { index, path } of relativeLocalFiles(operation)) {
    ctx.addIssue({ code: 'custom', path: ['operation', index], message: relativeLocalFileMessage(path) });
  }
}

const BasicExportInputSchema = z
  .object({
    method: z.literal('basic'),
    user: userEmail,
    password: PasswordSourceSchema,
    ...commonShape,
  })
  .superRefine((value, ctx) => {
    checkOperation(value, ctx);
    if (value.schedule !== undefined && value.password.source === 'prompt') {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule'],
        message: 'A scheduled job cannot answer the password prompt: nobody is at the keyboard. Choose the password from an environment variable (or a certificate), or leave the schedule out.',
      });
    }
  });

/**
 * A path as the job will use it: kept byte for byte (spaces included), but never empty, never a
 * control character, and never "~/...": neither the script (the path is quoted) nor Java expands "~".
 */
function filePathProblem(what: string, value: string, kind: 'file' | 'folder' = 'file'): string | undefined {
  if (value.trim() === '') return `${what} is empty. Enter the full path of the ${kind}.`;
  if (CONTROL_CHARACTER.test(value)) return `${what} must not contain line breaks or other control characters.`;
  if (/^~(?:[/\\]|$)/.test(value)) {
    return `${what} starts with "~", which neither the script nor Java expands. Enter the full path, such as /home/jobuser/keys/... or C:\\Users\\jobuser\\keys\\...`;
  }
  return undefined;
}

const filePath = (what: string) =>
  z.string().superRefine((value, ctx) => {
    const problem = filePathProblem(what, value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

// anaplan-facts §5: JKS stores aliases in lowercase; the assistant writes its keystores with such aliases.
const keystoreAlias = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (value === '') {
      ctx.addIssue({ code: 'custom', message: 'The key alias is empty. Enter the alias of the key entry in the keystore, such as anaplan-connect.' });
    } else if (!/^[a-z0-9][a-z0-9._-]*$/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'The key alias must hold only lowercase letters, digits, ".", "-" and "_", starting with a letter or digit (keystores keep aliases in lowercase), such as anaplan-connect.',
      });
    }
  });

const jobHomeFolder = z.string().superRefine((value, ctx) => {
  const problem =
    filePathProblem('The home folder of the account that runs the job', value, 'folder') ??
    (ABSOLUTE_PATH.test(value) ? undefined : 'The home folder of the account that runs the job must be a full path, such as /home/jobuser.');
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// AnaplanClient.sh expands ${JAVA_OPTS} unquoted, so the .sh's -Duser.home=<folder> must be one word there.
function checkJobHomeForSh(value: { platforms: ExportPlatform[]; credentials: CertificateCredentials }, ctx: z.RefinementCtx): void {
  const { credentials } = value;
  if (credentials.form !== 'keystore' || credentials.keystorePassword.source !== 'file' || !value.platforms.includes('linux')) return;
  const home = credentials.keystorePassword.jobHome;
  if (home !== undefined && /[\s*?[\]]/.test(home)) {
    ctx.addIssue({
      code: 'custom',
      path: ['credentials', 'keystorePassword', 'jobHome'],
      message: 'The home folder of the account that runs the job must not contain spaces or the characters * ? [ ] for the Linux script: it passes the folder to Java as -Duser.home in JAVA_OPTS, which AnaplanClient.sh splits at spaces. Use an account whose home has none of them.',
    });
  }
}

const KeystorePasswordSourceSchema = z.discriminatedUnion(
  'source',
  [
    z.object({ source: z.literal('file'), jobHome: jobHomeFolder.optional() }),
    z.object({
      source: z.literal('inline'),
      value: noControlCharacters('The keystore password')
        .pipe(z.string().min(1, { message: 'The keystore password is empty.' }))
        // anaplan-facts §5 (Program.getKeyStorePassword): "?" means "ask for it at the terminal".
        .refine((value) => value !== '?', { message: 'The keystore password cannot be "?": Anaplan Connect reads -keystorepass ? as "ask for the password at the terminal".' }),
    }),
  ],
  { error: 'The keystore password source must be "file" (Anaplan Connect reads keystore-access.txt) or "inline" (written into the script).' },
);

// anaplan-facts §5: -privatekey <file>:<passphrase> is split at the LAST ":".
const PASSPHRASE_COLON =
  'The key passphrase contains ":", which Anaplan Connect cannot take: it splits -privatekey <file>:<passphrase> at the last ":", so the passphrase would be cut there. Encrypt the private key again with a passphrase without ":", then export again.';

const KeyPassphraseSourceSchema = z.discriminatedUnion(
  'source',
  [
    z.object({ source: z.literal('none') }),
    z.object({ source: z.literal('env'), envVar: envVarName(DEFAULT_KEY_PASSPHRASE_ENV_VAR) }),
    z.object({
      source: z.literal('inline'),
      value: noControlCharacters('The key passphrase')
        .pipe(z.string().min(1, { message: 'The key passphrase is empty. For a private key that is not encrypted, choose "none".' }))
        .refine((value) => !value.includes(':'), { message: PASSPHRASE_COLON }),
    }),
  ],
  {
    error: 'The key passphrase source must be "none" (the key is not encrypted), "env" (an environment variable) or "inline" (written into the script).',
  },
);

const CertificateCredentialsSchema = z.discriminatedUnion(
  'form',
  [
    z.object({
      form: z.literal('keystore'),
      keystorePath: filePath('The keystore file'),
      alias: keystoreAlias,
      keystorePassword: KeystorePasswordSourceSchema,
    }),
    z.object({
      form: z.literal('pem'),
      certificatePath: filePath('The certificate file'),
      privateKeyPath: filePath('The private key file'),
      keyPassphrase: KeyPassphraseSourceSchema,
    }),
  ],
  { error: 'The certificate form must be "keystore" (a .p12 or .jks file and an alias) or "pem" (a certificate file and a private key file).' },
);

const optionalEmail = (whose: string) =>
  z
    .string()
    .trim()
    .refine((value) => value === '' || (value.length <= 254 && EMAIL.test(value)), {
      message: `The user must be ${whose} email address, such as name@example.com, or be left out.`,
    })
    .transform((value) => value || undefined)
    .optional();

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** True for a real calendar day (V8's Date.parse accepts 2027-02-30). */
function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const isoDate = (what: string) =>
  z
    .string()
    .trim()
    .refine((value) => value === '' || isIsoDate(value), {
      message: `${what} must be an ISO date such as 2027-05-31 (or a date-time such as 2027-05-31T23:59:59Z).`,
    })
    .transform((value) => value || undefined)
    .optional();

const CertificateExportInputSchema = z
  .object({
    method: z.literal('certificate'),
    user: optionalEmail(`the certificate's`),
    certificateNotAfter: isoDate('The certificate expiry date'),
    credentials: CertificateCredentialsSchema,
    ...commonShape,
  })
  .superRefine((value, ctx) => {
    checkOperation(value, ctx);
    checkJobHomeForSh(value, ctx);
  });

/** RFC 3986 unreserved characters: what a client ID written into both scripts and hashed into a file name may hold. */
// The same rule as the device sign-in, so that every client ID that signs in also exports.
const OAUTH_CLIENT_ID = URL_SAFE_CLIENT_ID;

const oauthClientId = z
  .string({ error: `The OAuth client ID is missing. Enter the ID of the Device grant OAuth client (Administration › Security › OAuth Clients).` })
  .trim()
  .regex(OAUTH_CLIENT_ID, {
    message: `The OAuth client ID must be the Device grant client's ID as shown under Administration › Security › OAuth Clients: 8 to 128 letters, digits, ".", "_", "~" or "-", without spaces.`,
  });

// anaplan-facts §5: Anaplan Connect ignores a blank AC_OAUTH_KEYSTORE_DIR (it then uses Java's
// user.home) and joins the folder and the file name as they are, so the folder must be absolute.
const tokenStoreDir = z
  .string({ error: 'The token store folder is missing. Enter the full path of the folder where the device sign-in wrote the token store.' })
  .superRefine((value, ctx) => {
    const problem =
      filePathProblem('The token store folder', value, 'folder') ??
      (ABSOLUTE_PATH.test(value)
        ? undefined
        : 'The token store folder must be a full path, such as /home/jobuser/.anaplan/oauth or C:\\Users\\jobuser\\.anaplan\\oauth: Anaplan Connect would look for a relative one in the folder the job starts in.');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const tokenStoreFile = z
  .string()
  .trim()
  .refine((value) => value === '' || TOKEN_STORE_FILE_NAME.test(value), {
    message: 'The token store file must be the file name Anaplan Connect uses, ks_ followed by 64 lowercase hexadecimal characters and .jks (the name only, not a path).',
  })
  .transform((value) => value || undefined)
  .optional();

const OAuthExportInputSchema = z
  .object({
    method: z.literal('oauth'),
    user: optionalEmail(`the signed-in user's`),
    clientId: oauthClientId,
    rotatable: z.boolean({ error: 'Say whether the OAuth client\'s refresh tokens rotate (true) or not (false), as set on the client in Anaplan.' }),
    tokenStoreDir,
    tokenStoreFile,
    refreshTokenExpiresAt: isoDate('The refresh token expiry'),
    ...commonShape,
  })
  .superRefine((value, ctx) => {
    checkOperation(value, ctx);
    // An invalid client ID has its own message already; there is no file name to compare with.
    if (value.tokenStoreFile === undefined || !OAUTH_CLIENT_ID.test(value.clientId)) return;
    const expected = tokenStoreFileName(value.clientId);
    if (value.tokenStoreFile !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenStoreFile'],
        message: `${value.tokenStoreFile} is not the token store of client ${value.clientId}: Anaplan Connect looks for ${expected}. Sign in again with this client ID, or check the client ID.`,
      });
    }
  });

export const AnaplanConnectExportInputSchema = z.discriminatedUnion('method', [BasicExportInputSchema, CertificateExportInputSchema, OAuthExportInputSchema], {
  error: 'The auth method must be "basic", "certificate" or "oauth".',
});

/** What callers may pass: like the input, with defaults (envVar, operation) still optional. */
export type AnaplanConnectExportRequest = z.input<typeof AnaplanConnectExportInputSchema>;
export type BasicExportRequest = Extract<AnaplanConnectExportRequest, { method: 'basic' }>;
export type CertificateExportRequest = Extract<AnaplanConnectExportRequest, { method: 'certificate' }>;
export type OAuthExportRequest = Extract<AnaplanConnectExportRequest, { method: 'oauth' }>;

// Compile-time proof that the schema produces exactly the documented input type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.output<typeof AnaplanConnectExportInputSchema>, Required<Pick<AnaplanConnectExportInput, 'operation'>> & AnaplanConnectExportInput> = true;
void schemaMatchesInterface;

const FIELD_LABELS: Record<string, string> = {
  method: 'method',
  user: 'user',
  password: 'password',
  'password.source': 'password source',
  'password.envVar': 'password environment variable',
  'password.value': 'password',
  certificateNotAfter: 'certificate expiry date',
  credentials: 'certificate credentials',
  'credentials.form': 'certificate form',
  'credentials.keystorePath': 'keystore file',
  'credentials.alias': 'key alias',
  'credentials.keystorePassword': 'keystore password',
  'credentials.keystorePassword.source': 'keystore password source',
  'credentials.keystorePassword.value': 'keystore password',
  'credentials.keystorePassword.jobHome': 'home folder of the account that runs the job',
  'credentials.certificatePath': 'certificate file',
  'credentials.privateKeyPath': 'private key file',
  'credentials.keyPassphrase': 'key passphrase',
  'credentials.keyPassphrase.source': 'key passphrase source',
  'credentials.keyPassphrase.envVar': 'key passphrase environment variable',
  'credentials.keyPassphrase.value': 'key passphrase',
  clientId: 'OAuth client ID',
  rotatable: 'rotatable',
  tokenStoreDir: 'token store folder',
  tokenStoreFile: 'token store file',
  refreshTokenExpiresAt: 'refresh token expiry',
  serviceUrl: 'service URL',
  authUrl: 'auth URL',
  workspaceId: 'workspace ID',
  modelId: 'model ID',
  platforms: 'platforms',
  profileName: 'profile name',
  regionName: 'region name',
  operation: 'Operation',
  generatedBy: 'the generator’s name',
  generatedAt: 'the generation date',
  connection: 'connection options',
  'connection.proxyUrl': 'proxy URL (-via)',
  'connection.proxyUser': 'proxy user (-viauser)',
  'connection.proxyPasswordEnvVar': 'proxy password environment variable',
  'connection.maxRetryCount': 'retries (-maxretrycount)',
  'connection.retryTimeoutSeconds': 'retry wait (-retrytimeout)',
  'connection.httpTimeoutSeconds': 'HTTP timeout (-httptimeout)',
  'connection.chunkSizeMb': 'chunk size (-chunksize)',
  anaplanConnectDir: 'Anaplan Connect folder',
  javaHome: 'JAVA_HOME',
  logDir: 'log folder',
  onFailure: 'command to run on failure',
  schedule: 'schedule',
  'schedule.time': 'daily run time',
  'schedule.account': 'account the schedule runs as',
  currentAccount: 'current account',
  jobDir: 'job folder',
  integrationGuides: 'integration guides',
};

/** Validates and normalises (trims, strips trailing slashes, fills defaults); throws AppError('bad_input'). */
export function parseAnaplanConnectExportInput(raw: unknown): AnaplanConnectExportInput & { operation: string[] } {
  const result = AnaplanConnectExportInputSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${fieldLabel(issue.path)}: ${issue.message}`);
  throw new AppError(
    'bad_input',
    `The export settings are not valid, so nothing was generated. ${problems.join(' ')} Correct ${problems.length === 1 ? 'this' : 'these'} and try again.`,
    // One problem per field, keyed by its path in the input: the UI shows each next to its field.
    { problems: result.error.issues.map((issue) => ({ field: issue.path.filter((part) => typeof part === 'string').join('.'), message: issue.message })) },
  );
}

function fieldLabel(path: readonly PropertyKey[]): string {
  const key = path.filter((part) => typeof part === 'string').join('.');
  const index = path.find((part) => typeof part === 'number');
  const label = FIELD_LABELS[key] ?? (key || 'input');
  return index === undefined ? label : `${label} (item ${index + 1})`;
}
