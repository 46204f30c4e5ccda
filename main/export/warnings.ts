import { generatedOn, type ExportSettings } from './generated-file.js';
import type { BasicExportInput } from './input.js';
import { KEYSTORE_ACCESS_RELATIVE_PATH } from './keystore-access.js';
import { tokenStorePath } from './oauth-commands.js';
import { DEFAULT_ROTATABLE_LIFETIME_SECONDS, TOKEN_STORE_DIR_ENV, tokenStoreFileName } from './oauth-token-store.js';
import { ownershipNotes, scheduledAccountDiffers, schedulersRun } from './job-schedule.js';
import { expiryDay, expiryMoment } from './script-settings.js';

/** Human-readable warnings for the chosen export: shown before writing and repeated in README.md. */
export function exportWarnings(settings: ExportSettings): string[] {
  return [...methodWarnings(settings), ...jobWarnings(settings)];
}

function methodWarnings(settings: ExportSettings): string[] {
  switch (settings.method) {
    case 'basic':
      return basicWarnings(settings);
    case 'certificate':
      return certificateWarnings(settings);
    case 'oauth':
      return oauthWarnings(settings);
  }
}

/** Warnings about the job options (folders, proxy, schedule): none unless they were chosen. */
function jobWarnings(settings: ExportSettings): string[] {
  const warnings: string[] = [];
  const linux = settings.platforms.includes('linux');
  const windows = settings.platforms.includes('windows');
  // One value for both scripts: say which script needs another one (as for the token store folder).
  const folders: Array<[string, string, string | undefined]> = [
    ['The Anaplan Connect folder', 'AnaplanConnectDir', settings.anaplanConnectDir],
    ['JAVA_HOME', 'JavaHome', settings.javaHome],
    ['The log folder', 'LogDir', settings.logDir],
  ];
  for (const [what, name, value] of folders) {
    if (value === undefined) continue;
    const posix = value.startsWith('/');
    if (linux && !posix) warnings.push(`${what} ${value} is not a Linux path: set ${name} in anaplan-connect.sh to the folder on the Linux machine that runs the job.`);
    if (windows && posix) warnings.push(`${what} ${value} is not a Windows path: set ${name} in anaplan-connect.bat to the folder on the Windows machine that runs the job.`);
  }
  const proxy = settings.connection;
  if (proxy?.proxyUser !== undefined && proxy.proxyPasswordEnvVar !== undefined) {
    warnings.push(
      `Anaplan Connect takes the proxy password on its own command line (-viauser user:password), ${PROCESS_LIST}. It must be in the environment variable ${proxy.proxyPasswordEnvVar} of the account that runs the job.`,
    );
    if (windows) warnings.push(windowsSecretWarning(`the proxy password in ${proxy.proxyPasswordEnvVar}`, "Change the proxy user's password to one without them"));
  }
  if (settings.onFailure !== undefined && windows) {
    warnings.push(
      'On Windows the on-failure command runs through cmd /c as written and cannot contain "!". Write "%ANAPLAN_JOB_LOG%" in double quotes in it: the log path can hold spaces or &, which would otherwise split the command. A program whose path has spaces goes in double quotes too.',
    );
  }
  // AnaplanClient.bat's version check runs "JAVA_HOME\bin\java.exe" through cmd /c, which drops the quotes around a path holding one of these.
  if (windows && settings.javaHome !== undefined && /[()&^@]/.test(settings.javaHome)) {
    warnings.push(
      `JAVA_HOME ${settings.javaHome} holds one of ( ) & ^ @, which AnaplanClient.bat cannot take: its Java version check loses the quotes around the path and its own error path ends the whole cmd.exe. The Windows script passes the folder's 8.3 short name instead (C:\\PROGRA~2\\... for C:\\Program Files (x86)\\...), and stops with exit code 1 and a message where the drive has no 8.3 names. Java installed in a folder without these characters avoids it.`,
    );
  }
  const schedule = settings.schedule;
  if (schedule) {
    const differs = scheduledAccountDiffers(settings);
    if (differs) {
      warnings.push(
        `The job is scheduled to run as ${differs.scheduled}, but you (${differs.current}) exported it: ${schedulersRun(settings.platforms)} it as ${differs.scheduled}, with that account's home folder and environment, not yours. ${ownershipNotes(settings, differs.scheduled).join(' ')}`,
      );
    }
    if (settings.method === 'oauth' && settings.rotatable) {
      warnings.push(
        `The job is scheduled once a day, which is longer than the default lifetime of rotating refresh tokens (${DEFAULT_ROTATABLE_LIFETIME_SECONDS.toLocaleString('en-US')} seconds, about 12 hours): unless the client's lifetime was set to more than a day, the token expires between runs and every run fails at sign-in.`,
      );
    }
    if (linux && !settings.javaHome) {
      warnings.push('cron runs the job with a short PATH (/usr/bin:/bin): if java is not there, set JavaHome (JAVA_HOME), or AnaplanClient.sh will not find Java.');
    }
  }
  return warnings;
}

/**
 * A secret the Windows job reads from the environment and passes through AnaplanClient.bat
 * (bat-script.ts secretCheck): what cannot pass, what the script does about it, and Java's code page.
 */
function windowsSecretWarning(what: string, fix: string): string {
  return `On Windows, ${what} must not contain " or ! or end with \\. AnaplanClient.bat runs with delayed expansion, which deletes each ! (and the text between two of them) and then, on a line holding one, every ^ in all the other arguments as well; a " would end the quoted argument, and a \\ before the closing quote makes Java read a quote. The Windows script checks the variable and stops with exit code 2 before anything is sent, so no failed sign-in counts towards a lockout. ${fix}. Java also reads its command line in the Windows ANSI code page (Windows-1252 in Western Europe and the Americas): a character outside it, such as a Polish or CJK letter on such a machine, arrives in Anaplan Connect as "?".`;
}

type OAuthSettings = Extract<ExportSettings, { method: 'oauth' }>;

// anaplan-facts §4, §5, §7.
function oauthWarnings(settings: OAuthSettings): string[] {
  const linux = settings.platforms.includes('linux');
  const windows = settings.platforms.includes('windows');
  const store = tokenStorePath(settings.tokenStoreDir, tokenStoreFileName(settings.clientId));
  const user = settings.user ?? 'the signed-in user';
  const warnings = [
    `The token store ${store} holds the refresh token only obfuscated (its password comes from the client ID, which is in the script): anyone who can read the file can use Anaplan as ${user}. Keep its folder owned by the account that runs the job and readable by that account only (${[
      linux && 'Linux: chmod 700 on the folder, chmod 600 on the file',
      windows && 'Windows: no other account in the folder\'s permissions',
    ]
      .filter(Boolean)
      .join('; ')}).`,
    `${schedulersRun(settings.platforms)} the job as the account it is scheduled for. The scripts set ${TOKEN_STORE_DIR_ENV} to ${settings.tokenStoreDir}, so Anaplan Connect reads the token store from there and not from that account's home folder: that account must be able to read${settings.rotatable ? ' and write' : ''} the file. The script stops (exit code 2) while the file is missing.`,
  ];
  if (settings.rotatable) {
    warnings.push(
      `The client's refresh tokens rotate: each run saves a new one, and it expires if the job does not run within the client's refresh-token lifetime (${DEFAULT_ROTATABLE_LIFETIME_SECONDS.toLocaleString('en-US')} seconds, about 12 hours, unless the Tenant security administrator set another one). A job that runs less often than that (a daily or weekly job with the default lifetime) finds its token expired and fails at sign-in every time: schedule it more often than the lifetime, or ask for a longer lifetime (at most about a year) or a client with non-rotating refresh tokens. After any longer gap, sign in again (see README.md).`,
      'Do not let two jobs, or a job and a person, use this token store at the same time: with rotating refresh tokens one run replaces the token the other has just read, and that run may fail at sign-in.',
    );
    if (settings.refreshTokenExpiresAt) warnings.push(refreshTokenExpiryWarning(settings, settings.refreshTokenExpiresAt));
  } else {
    warnings.push(
      `The client's refresh tokens do not rotate, so the stored one does not expire by itself, but a password change for ${user} (exception users must often change it every 90 days) or the user being disabled ends it, and the job then fails at sign-in until someone signs in again (see README.md). If the client is changed to rotating refresh tokens, set Rotatable to yes in the script, or the new tokens are not saved and the stored one goes stale.`,
    );
  }
  warnings.push(
    `The device grant is disabled for SSO users: ${user} must be an SSO exception user who signs in with a password.`,
    'Never add --forceRegister to the script or to Operation: it deletes the stored refresh token and waits for a new device sign-in on every run.',
  );
  // One folder for both scripts: say which script needs another one.
  const posix = settings.tokenStoreDir.startsWith('/');
  if (linux && !posix) {
    warnings.push(`The token store folder ${settings.tokenStoreDir} is not a Linux path: set TokenStoreDir in anaplan-connect.sh to the folder on the Linux machine that runs the job.`);
  }
  if (windows && posix) {
    warnings.push(`The token store folder ${settings.tokenStoreDir} is not a Windows path: set TokenStoreDir in anaplan-connect.bat to the folder on the Windows machine that runs the job.`);
  }
  return warnings;
}

function refreshTokenExpiryWarning(settings: OAuthSettings, expiresAt: string): string {
  const when = expiryMoment(expiresAt);
  if (Date.parse(expiresAt) <= settings.generatedAt.getTime()) {
    return `The refresh token the assistant stored expired at ${when}: the job fails at sign-in until someone signs in again (see README.md).`;
  }
  return `The refresh token the assistant stored expires at ${when} unless the job runs before then: run it once by hand, or schedule it, before that.`;
}

type CertificateSettings = Extract<ExportSettings, { method: 'certificate' }>;

const PROCESS_LIST = 'so while the job runs anyone who can list processes on this machine (ps on Linux, Task Manager or wmic on Windows) can see it';

function certificateWarnings(settings: CertificateSettings): string[] {
  const warnings: string[] = [];
  const { credentials } = settings;
  const linux = settings.platforms.includes('linux');
  const windows = settings.platforms.includes('windows');
  if (credentials.form === 'keystore') {
    const { keystorePassword } = credentials;
    switch (keystorePassword.source) {
      case 'file':
        // anaplan-facts §5: read under the home of the account that runs the job; obfuscated only.
        warnings.push(
          `Anaplan Connect reads the keystore password from ${KEYSTORE_ACCESS_RELATIVE_PATH} in the home folder of the account that runs the job (${[
            linux && `Linux: ~/${KEYSTORE_ACCESS_RELATIVE_PATH}`,
            windows && `Windows: %USERPROFILE%\\${KEYSTORE_ACCESS_RELATIVE_PATH.replaceAll('/', '\\')}`,
          ]
            .filter(Boolean)
            .join('; ')}). ${schedulersRun(settings.platforms)} the job as that account, with that account's home folder: a file in your own home folder does not help a job that runs as another account. The script stops (exit code 2) while the file is missing.`,
          'keystore-access.txt keeps the keystore password off the command line, but it is only obfuscated, not encrypted: anyone who can read it can recover the password. Keep it readable by the job\'s account only (chmod 600 on Linux).',
        );
        break;
      case 'inline':
        warnings.push(
          `Anaplan Connect takes the keystore password on its own command line (-keystorepass), ${PROCESS_LIST}. To keep it off the command line, let Anaplan Connect read it from keystore-access.txt instead.`,
          'The keystore password is stored in clear text in the script: anyone who can read the script and the keystore can sign in to Anaplan with the certificate. The script is written readable by you only; keep it that way, and keep it out of shared folders, version control and e-mail.',
        );
        break;
    }
  } else {
    const { keyPassphrase } = credentials;
    switch (keyPassphrase.source) {
      case 'none':
        warnings.push(
          'The private key is not encrypted: anyone who can read the key file can sign in to Anaplan with the certificate. Keep it readable by the job\'s account only (chmod 600 on Linux), out of shared folders and backups others can read.',
        );
        break;
      case 'env':
        warnings.push(
          `Anaplan Connect takes the key passphrase on its own command line (-privatekey <file>:<passphrase>), ${PROCESS_LIST}. A keystore whose password Anaplan Connect reads from keystore-access.txt keeps it off the command line.`,
          `The key passphrase must be in the environment variable ${keyPassphrase.envVar} of the account that runs the job. Jobs started by cron or Task Scheduler do not read your login settings: set it where that account's job will see it.`,
          // anaplan-facts §5: split at the last ":".
          `The passphrase in ${keyPassphrase.envVar} must not contain ":": Anaplan Connect splits -privatekey <file>:<passphrase> at the last ":", so it would be cut there.${linux ? ' The Linux script checks this and stops with exit code 2.' : ''}${windows ? ' The Windows script cannot check it: the sign-in fails.' : ''}`,
        );
        if (windows) {
          warnings.push(windowsSecretWarning(`the key passphrase in ${keyPassphrase.envVar}`, 'Encrypt the key again with a passphrase without them'));
        }
        break;
      case 'inline':
        warnings.push(
          `Anaplan Connect takes the key passphrase on its own command line (-privatekey <file>:<passphrase>), ${PROCESS_LIST}. A keystore whose password Anaplan Connect reads from keystore-access.txt keeps it off the command line.`,
          'The key passphrase is stored in clear text in the script: anyone who can read the script and the key file can sign in to Anaplan with the certificate. The script is written readable by you only; keep it that way, and keep it out of shared folders, version control and e-mail.',
        );
        break;
    }
  }
  // anaplan-facts §3: the Tenant Administrator uploads the leaf certificate only.
  warnings.push(
    `A Tenant Administrator must have registered the certificate${settings.user ? ` of ${settings.user}` : ''} in Anaplan (Administration › Security › Certificates), uploading the leaf certificate only: certificate.pem, one PEM block. Uploading the whole chain gives the misleading error "email should not be blank [null]".`,
  );
  warnings.push(expiryWarning(settings));
  return warnings;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function expiryWarning(settings: CertificateSettings): string {
  const renew =
    'The assistant can make a new certificate signing request (CSR) with the same subject; the new certificate must be registered in Anaplan again and put where the job reads it.';
  if (!settings.certificateNotAfter) {
    return `Certificates expire (after at most about 3 years), and the job then fails at sign-in. Note when this one expires and renew it before then. ${renew}`;
  }
  const day = expiryDay(settings.certificateNotAfter);
  // Whole days between the export's day and the expiry day, so the same export on the same day gives the same text.
  const daysLeft = Math.round((Date.parse(day) - Date.parse(generatedOn(settings))) / DAY_MS);
  if (daysLeft < 0) {
    return `The certificate expired on ${day}: Anaplan refuses it, so the job fails at sign-in. Get a new certificate before using this job. ${renew}`;
  }
  const when = daysLeft === 0 ? 'today' : `in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
  return `The certificate expires on ${day} (${when}); from then on the job fails at sign-in. Renew it before then. ${renew}`;
}

function basicWarnings(settings: BasicExportInput & { platforms: ExportSettings['platforms'] }): string[] {
  const warnings: string[] = [];
  const { password } = settings;
  if (password.source !== 'prompt') {
    // anaplan-facts §5: Basic credentials travel as `-user user:password` on the command line.
    warnings.push(
      'Anaplan Connect takes the password on its own command line (-user user:password), so while the job runs anyone who can list processes on this machine (ps on Linux, Task Manager or wmic on Windows) can see it. Run the job on a machine or account that others cannot inspect, or use a certificate instead of a password.',
    );
  }
  switch (password.source) {
    case 'env':
      warnings.push(
        `The password must be in the environment variable ${password.envVar} of the account that runs the job. Jobs started by cron or Task Scheduler do not read your login settings: set it where that account's job will see it.`,
      );
      if (settings.platforms.includes('windows')) {
        warnings.push(windowsSecretWarning(`the password in ${password.envVar}`, 'Choose a password without them for this user'));
      }
      break;
    case 'prompt':
      warnings.push(
        'Anaplan Connect will ask for the password each time the script runs, so it only works with someone at the keyboard: it cannot run from cron or Task Scheduler.',
      );
      break;
    case 'inline':
      warnings.push(
        `The password is stored in clear text in the script. Anyone who can read the file can sign in to Anaplan as ${settings.user}. The script is written readable by you only; keep it that way, and keep it out of shared folders, version control and e-mail.`,
      );
      break;
  }
  // anaplan-facts §7: exception users' passwords expire.
  warnings.push(
    'If this user\'s password expires (many tenants make exception users change it every 90 days), the job fails at sign-in until the new password is set where the job reads it.',
  );
  return warnings;
}
