import { AppError } from '../errors.js';
import { cmdCommandLine } from './batch-quote.js';
import { BAT_SCRIPT_NAME, SH_SCRIPT_NAME, type ExportSettings } from './generated-file.js';
import { KEYSTORE_ACCESS_RELATIVE_PATH } from './keystore-access.js';
import { tokenStorePath } from './oauth-commands.js';
import { TOKEN_STORE_DIR_ENV, tokenStoreFileName } from './oauth-token-store.js';
import { shQuote } from './shell-quote.js';

/**
 * The daily schedule of the job: a crontab line (Linux) and a schtasks command (Windows), with
 * what the scheduled account must own. A job under cron or Task Scheduler runs as that account,
 * with that account's home (anaplan-facts §5).
 */

/** An environment variable holding a secret the job reads when it runs, and the file cron reads it from. */
export interface SecretVariable {
  name: string;
  what: string;
  /** The file in the job account's home folder the crontab line reads it from (chmod 600). */
  homeFile: string;
}

/** The secrets the job reads from its environment; the same file names README.md suggests. */
export function secretVariables(settings: ExportSettings): SecretVariable[] {
  const variables: SecretVariable[] = [];
  if (settings.method === 'basic' && settings.password.source === 'env') {
    variables.push({ name: settings.password.envVar, what: `the Anaplan password of ${settings.user}`, homeFile: '.anaplan-password' });
  }
  if (settings.method === 'certificate' && settings.credentials.form === 'pem' && settings.credentials.keyPassphrase.source === 'env') {
    variables.push({ name: settings.credentials.keyPassphrase.envVar, what: 'the passphrase of the private key', homeFile: '.anaplan-key-passphrase' });
  }
  const proxy = settings.connection;
  if (proxy?.proxyUser !== undefined && proxy.proxyPasswordEnvVar !== undefined) {
    variables.push({ name: proxy.proxyPasswordEnvVar, what: `the password of the proxy user ${proxy.proxyUser}`, homeFile: '.anaplan-proxy-password' });
  }
  return variables;
}

/** The account a name stands for, for comparing: DOMAIN\user and user@domain are user, case ignored. */
function accountKey(account: string): string {
  return (account.split('\\').pop() ?? account).split('@')[0]?.toLowerCase() ?? account.toLowerCase();
}

/** The scheduled account, when it is known to differ from the account that ran the assistant. */
export function scheduledAccountDiffers(settings: ExportSettings): { scheduled: string; current: string } | undefined {
  const scheduled = settings.schedule?.account;
  const current = settings.currentAccount;
  if (!scheduled || !current || accountKey(scheduled) === accountKey(current)) return undefined;
  return { scheduled, current };
}

const isPosixPath = (path: string) => path.startsWith('/');
const isWindowsPath = (path: string) => !isPosixPath(path);

/** The script's full path on the machine that runs it: in the folder it was written to, else in the Anaplan Connect folder. */
function jobPath(settings: ExportSettings, platform: 'linux' | 'windows'): string | undefined {
  const dir = [settings.jobDir, settings.anaplanConnectDir].find((candidate) => candidate !== undefined && (platform === 'linux' ? isPosixPath(candidate) : isWindowsPath(candidate)));
  if (!dir) return undefined;
  if (platform === 'linux') return isPosixPath(dir) ? `${dir.replace(/\/+$/, '')}/${SH_SCRIPT_NAME}` : undefined;
  return isWindowsPath(dir) ? `${dir.replace(/[\\/]+$/, '')}\\${BAT_SCRIPT_NAME}` : undefined;
}

function cronTime(time: string): { minute: number; hour: number } {
  const [hour, minute] = time.split(':').map(Number);
  return { hour: hour ?? 0, minute: minute ?? 0 };
}

/** A word for the crontab command (run by /bin/sh): bare when plain, else single-quoted; % is special to cron. */
function cronWord(value: string): string {
  const word = /^[A-Za-z0-9_./-]+$/.test(value) ? value : shQuote(value, 'The script path');
  return word.replaceAll('%', '\\%');
}

/** Who must own or read what, for the scheduled account (README.md and crontab.txt / schtasks.txt). */
export function ownershipNotes(settings: ExportSettings, account: string): string[] {
  const notes: string[] = [];
  switch (settings.method) {
    case 'basic':
      break;
    case 'certificate': {
      const { credentials } = settings;
      if (credentials.form === 'keystore') {
        notes.push(`${account} must be able to read the keystore ${credentials.keystorePath}.`);
        if (credentials.keystorePassword.source === 'file') {
          notes.push(
            `${account} must own keystore-access.txt in its own home folder (${KEYSTORE_ACCESS_RELATIVE_PATH} under it): Anaplan Connect reads the keystore password from there, not from the home folder of whoever exported the job.`,
          );
        }
      } else {
        notes.push(`${account} must be able to read the certificate ${credentials.certificatePath} and the private key ${credentials.privateKeyPath} (the key readable by it only).`);
      }
      break;
    }
    case 'oauth': {
      const store = tokenStorePath(settings.tokenStoreDir, tokenStoreFileName(settings.clientId));
      notes.push(
        `${account} must own the token store ${store} and its folder${settings.rotatable ? ' and be able to write it (rotating refresh tokens: Anaplan Connect saves the new one on every run)' : ''}. The script sets ${TOKEN_STORE_DIR_ENV} to its folder.`,
      );
      break;
    }
  }
  for (const variable of secretVariables(settings)) {
    notes.push(`${variable.name} (${variable.what}) must be set for ${account}: on Linux in ~/${variable.homeFile} of that account (chmod 600, read by the crontab line), on Windows in that account's user environment.`);
  }
  notes.push(`${account} must be able to write the log folder (${settings.logDir ?? 'logs next to the script'}) and to run Anaplan Connect and Java.`);
  return notes;
}

/** crontab.txt: comments, then one line `MM HH * * * [VAR="$(cat ...)" ...] /path/to/anaplan-connect.sh`. */
export function buildCrontab(settings: ExportSettings): string {
  const schedule = settings.schedule;
  if (!schedule) throw new Error('buildCrontab needs a schedule');
  const { minute, hour } = cronTime(schedule.time);
  const account = schedule.account ?? 'the account that runs the job';
  const path = jobPath(settings, 'linux');
  const secrets = secretVariables(settings);
  const lines = [
    `# Anaplan Connect job${settings.profileName ? ` (${settings.profileName})` : ''}: every day at ${schedule.time}, this machine's local time${schedule.account ? `, as ${schedule.account}` : ''}.`,
    `# Install it as ${account}: signed in as that account, run crontab -e and add the last line of this file${schedule.account ? ` (as root: crontab -u ${schedule.account} -e)` : ''}.`,
    `# cron runs it with that account's home folder and environment, and a short PATH (/usr/bin:/bin).`,
    path ? `# The script: ${path}. Change the path if you copy it elsewhere.` : `# Replace /path/to/${SH_SCRIPT_NAME} with the full path of the script on this machine.`,
  ];
  if (!settings.javaHome) lines.push('# If java is not in /usr/bin, set JavaHome at the top of the script (cron does not read your login PATH).');
  for (const variable of secrets) {
    lines.push(
      `# ${variable.name}: ${variable.what}, read from ~/${variable.homeFile} of ${account} (never written here). Create it once, as that account:`,
      `#   (umask 077 && IFS= read -rs secret && printf '%s' "$secret" > ~/${variable.homeFile})`,
    );
  }
  if (settings.method === 'certificate' && settings.credentials.form === 'keystore' && settings.credentials.keystorePassword.source === 'file') {
    lines.push(`# Anaplan Connect reads the keystore password from ~/${KEYSTORE_ACCESS_RELATIVE_PATH} of ${account}: that account must own it (chmod 600).`);
  }
  if (settings.method === 'oauth') {
    lines.push(`# The script sets ${TOKEN_STORE_DIR_ENV}=${settings.tokenStoreDir} itself; ${account} must own the token store there.`);
  }
  lines.push(`# The script writes a dated log itself (LogDir${settings.logDir ? `: ${settings.logDir}` : ', a logs folder next to it'}); cron mails other output if mail is set up.`);
  const environment = secrets.map((variable) => `${variable.name}="$(cat "$HOME/${variable.homeFile}")" `).join('');
  lines.push(`${minute} ${hour} * * * ${environment}${path ? cronWord(path) : `/path/to/${SH_SCRIPT_NAME}`}`);
  return `${lines.join('\n')}\n`;
}

/** Task Scheduler names cannot hold \ / : * ? " < > | (a \ would make a folder). */
export function taskName(settings: ExportSettings): string {
  const profile = (settings.profileName ?? 'job').replace(/[\\/:*?"<>|%]/g, '-').trim() || 'job';
  return `Anaplan Connect - ${profile}`;
}

/**
 * The schtasks /Create command (one line), to paste into a command prompt. schtasks reads its
 * arguments as CommandLineToArgvW does, where \" is a literal quote, so /TR "\"C:\...\job.bat\""
 * gives it "C:\...\job.bat" with the quotes Task Scheduler needs for a path with spaces. cmd.exe
 * reads the same line first and knows no \": to it the path stands outside quotes, where & | < > ^
 * would be its own syntax (R&D would split the line). cmdCommandLine escapes them for cmd.exe there.
 */
export function schtasksCommand(settings: ExportSettings): string {
  const schedule = settings.schedule;
  if (!schedule) throw new Error('schtasksCommand needs a schedule');
  const path = jobPath(settings, 'windows') ?? `C:\\path\\${BAT_SCRIPT_NAME}`;
  if (path.includes('"')) {
    throw new AppError('bad_input', `The job folder ${path} contains a double quote, which a Windows path cannot hold. Nothing was generated. Give the folder the job runs from on Windows.`, { field: 'jobDir' });
  }
  const account = schedule.account ?? settings.currentAccount;
  const runAs = account ? ` /RU ${/\s/.test(account) ? `"${account}"` : account}` : '';
  return cmdCommandLine(`schtasks /Create /SC DAILY /ST ${schedule.time} /TN "${taskName(settings)}" /TR "\\"${path}\\""${runAs}`, 'The path of the Windows script', 'Keep the job in a folder whose path has no "%", or leave out the schedule and create the task in Task Scheduler by hand.');
}

/** schtasks.txt (CRLF): comments, then the schtasks command to paste into a command prompt. */
export function buildSchtasks(settings: ExportSettings): string {
  const schedule = settings.schedule;
  if (!schedule) throw new Error('buildSchtasks needs a schedule');
  const account = schedule.account ?? settings.currentAccount;
  const who = account ?? 'the account that runs the job';
  const lines = [
    `rem Anaplan Connect job${settings.profileName ? ` (${settings.profileName})` : ''}: every day at ${schedule.time}, this machine's local time${account ? `, as ${account}` : ''}.`,
    'rem Paste the last line into a command prompt (as an administrator when the task runs as another account).',
    account
      ? `rem schtasks asks for the password of ${account}, so that the task runs whether or not that account is signed in.`
      : 'rem Without /RU the task runs as you, and only while you are signed in: add /RU <account> to run it as the job account.',
    'rem Task Scheduler runs it with that account\'s profile folder and user environment.',
    jobPath(settings, 'windows')
      ? `rem The script: ${jobPath(settings, 'windows')}. Change the path if you copy it elsewhere.`
      : `rem Replace C:\\path\\${BAT_SCRIPT_NAME} with the full path of the script on this machine.`,
  ];
  for (const variable of secretVariables(settings)) {
    lines.push(
      `rem ${variable.name}: ${variable.what}, in the user environment of ${who} (never written here). Signed in as that account, run:`,
      `rem   powershell -NoProfile -Command "[Environment]::SetEnvironmentVariable('${variable.name}', [Net.NetworkCredential]::new('', (Read-Host -AsSecureString '${variable.name}')).Password, 'User')"`,
    );
  }
  if (settings.method === 'certificate' && settings.credentials.form === 'keystore' && settings.credentials.keystorePassword.source === 'file') {
    lines.push(`rem Anaplan Connect reads the keystore password from %USERPROFILE%\\${KEYSTORE_ACCESS_RELATIVE_PATH.replaceAll('/', '\\')} of ${who}: that account must own it.`);
  }
  if (settings.method === 'oauth') {
    lines.push(`rem The script sets ${TOKEN_STORE_DIR_ENV}=${settings.tokenStoreDir} itself; ${who} must own the token store there.`);
  }
  lines.push(schtasksCommand(settings));
  return `${lines.join('\r\n')}\r\n`;
}

/** "cron runs", "Task Scheduler runs" or "cron and Task Scheduler run": who runs the job, for the platforms exported. */
export function schedulersRun(platforms: readonly string[]): string {
  const names = [platforms.includes('linux') && 'cron', platforms.includes('windows') && 'Task Scheduler'].filter(Boolean);
  return `${names.join(' and ')} ${names.length > 1 ? 'run' : 'runs'}`;
}
