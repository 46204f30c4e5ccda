import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { access, lstat, readFile, stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { CHECK_MARKER } from '../export/check-diagnoses.js';
import { BAT_SCRIPT_NAME, SH_SCRIPT_NAME } from '../export/generated-file.js';
import { KEYSTORE_ACCESS_RELATIVE_PATH } from '../export/keystore-access.js';
import { tokenStoreFileName } from '../export/oauth-token-store.js';
import { readShSettings, type ShSettings } from '../export/sh-settings-read.js';
import { AppError } from '../errors.js';
import { jobAccount } from './job-account.js';

/**
 * `anaplan-setup check-job DIR` and the UI's "Check the job now": what tonight's run needs, checked
 * on this machine as the account running the check, then the job's own `anaplan-connect.sh --check`
 * (the real Anaplan Connect signing in and listing the workspaces, nothing of the Operation run).
 */

export interface JobCheck {
  name: string;
  ok: boolean;
  message: string;
}

export interface JobCheckResult {
  ok: boolean;
  checks: JobCheck[];
  workspaces: Array<{ id: string; name: string }>;
}

export interface JobCheckOptions {
  /** The environment the job's check runs with (the password variables, JAVA_HOME, PATH). Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** How long the sign-in may take (Anaplan Connect retries for a while when Anaplan cannot be reached). Default 5 minutes. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export async function checkJob(dir: string, options: JobCheckOptions = {}): Promise<JobCheckResult> {
  const env = options.env ?? process.env;
  if (!isAbsolute(dir)) throw new AppError('bad_input', `Give the job folder as a full path (got "${dir}").`);
  const folder = await statOrNull(dir);
  if (!folder?.isDirectory()) {
    throw new AppError('bad_input', `${dir} is not a folder. Give the folder the export wrote, the one holding ${SH_SCRIPT_NAME}.`);
  }
  const script = join(dir, SH_SCRIPT_NAME);
  const scriptText = await readFile(script, 'utf8').catch(() => null);
  if (scriptText === null) {
    if (await statOrNull(join(dir, BAT_SCRIPT_NAME))) {
      return finish([{ name: 'script', ok: false, message: `${dir} holds only the Windows job (${BAT_SCRIPT_NAME}): check it on the Windows server with "${BAT_SCRIPT_NAME} --check".` }], []);
    }
    throw new AppError('bad_input', `${dir} holds no ${SH_SCRIPT_NAME}. Give the folder the export wrote, or export the job for Linux (--platform linux or all).`);
  }
  const settings = readShSettings(scriptText);
  const checks: JobCheck[] = [await scriptCheck(script)];
  const clientDir = settings.get('AnaplanConnectDir') || dir;
  const client = await clientCheck(clientDir);
  checks.push(client.check);
  checks.push(javaCheck(settings, env, client.launcherText));
  checks.push(...(await credentialChecks(settings, env)));
  checks.push(await logCheck(settings, dir));
  if (!checks[0]?.ok || !client.check.ok) return finish(checks, []);
  const signIn = await runJobCheck(script, dir, env, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  checks.push(signIn.check);
  const workspaceId = settings.get('WorkspaceId') ?? '';
  if (signIn.check.ok && workspaceId) {
    const found = signIn.workspaces.some((workspace) => workspace.id.toUpperCase() === workspaceId.toUpperCase());
    checks.push({
      name: 'workspace',
      ok: found,
      message: found
        ? `The job's workspace ${workspaceId} is among the workspaces this user can reach.`
        : `The job's workspace ${workspaceId} is not among the workspaces this user can reach: check WorkspaceId, or ask a workspace administrator to add the user.`,
    });
  }
  return finish(checks, signIn.workspaces);
}

function finish(checks: JobCheck[], workspaces: JobCheckResult['workspaces']): JobCheckResult {
  return { ok: checks.every((check) => check.ok), checks, workspaces };
}

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

async function canAccess(path: string, mode: number): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

async function scriptCheck(script: string): Promise<JobCheck> {
  const info = await lstat(script);
  if (info.isSymbolicLink() || !info.isFile()) return { name: 'script', ok: false, message: `${script} is not a plain file.` };
  if (!(await canAccess(script, constants.X_OK))) {
    return { name: 'script', ok: false, message: `${script} is not executable by this account (mode ${octal(info.mode)}). Run: chmod 755 "${script}"` };
  }
  if (info.mode & 0o022) {
    return { name: 'script', ok: false, message: `Other accounts can change ${script} (mode ${octal(info.mode)}), and with it what the job runs. Run: chmod go-w "${script}"` };
  }
  return { name: 'script', ok: true, message: `${script} is executable (mode ${octal(info.mode)}, owner uid ${info.uid}).` };
}

async function clientCheck(folder: string): Promise<{ check: JobCheck; launcherText: string }> {
  const launcher = join(folder, 'AnaplanClient.sh');
  const text = await readFile(launcher, 'utf8').catch(() => null);
  if (text === null) {
    return {
      check: { name: 'anaplan-connect', ok: false, message: `AnaplanClient.sh was not found in ${folder}. Set AnaplanConnectDir in the script to the Anaplan Connect folder (export again with --anaplan-connect-dir).` },
      launcherText: '',
    };
  }
  if (!(await canAccess(launcher, constants.X_OK))) {
    return { check: { name: 'anaplan-connect', ok: false, message: `${launcher} is not executable. Run: chmod +x "${launcher}"` }, launcherText: text };
  }
  return { check: { name: 'anaplan-connect', ok: true, message: `Anaplan Connect: ${launcher}.` }, launcherText: text };
}

/** The Java AnaplanClient.sh will start: JAVA_HOME/bin/java when it exists, else java on the PATH; some launchers accept Java 8 only. */
function javaCheck(settings: ShSettings, env: NodeJS.ProcessEnv, launcherText: string): JobCheck {
  const javaHome = settings.get('JavaHome') || env.JAVA_HOME || '';
  const java = javaHome && isExecutable(join(javaHome, 'bin/java')) ? join(javaHome, 'bin/java') : onPath('java', env.PATH ?? '');
  if (!java) {
    return { name: 'java', ok: false, message: 'No Java found: AnaplanClient.sh looks at JAVA_HOME, then java on the PATH. Install Java 8 or newer, or set JavaHome in the script.' };
  }
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  const version = /version "([^"]+)"/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  if (probe.status !== 0 || !version) return { name: 'java', ok: false, message: `${java} does not run (java -version failed).` };
  // Older AnaplanClient.sh releases check `java -version | grep 1.8` and refuse any other Java.
  if (/grep\s+1\.8/.test(launcherText) && !version.startsWith('1.8')) {
    return { name: 'java', ok: false, message: `${java} is Java ${version}, but this AnaplanClient.sh accepts Java 8 (1.8) only. Set JavaHome in the script to a Java 8 installation.` };
  }
  return { name: 'java', ok: true, message: `Java ${version}: ${java}.` };
}

function onPath(command: string, path: string): string | null {
  for (const folder of path.split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, command);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** A file this account may run (as `which` and the launcher test it). */
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A secret file the job reads: present, readable by this account, not open to others. */
async function secretFileCheck(name: string, path: string, what: string, fix: string, needsWrite = false): Promise<JobCheck> {
  const info = await statOrNull(path);
  if (!info?.isFile()) return { name, ok: false, message: `${what} ${path} was not found. ${fix}` };
  if (!(await canAccess(path, constants.R_OK | (needsWrite ? constants.W_OK : 0)))) {
    return { name, ok: false, message: `${what} ${path} cannot be ${needsWrite ? 'read and written' : 'read'} by this account (owner uid ${info.uid}, mode ${octal(info.mode)}). Let the account that runs the job own it (chmod 600).` };
  }
  if (info.size === 0) return { name, ok: false, message: `${what} ${path} is empty. ${fix}` };
  if (info.mode & 0o077) return { name, ok: false, message: `Other accounts can open ${what} ${path} (mode ${octal(info.mode)}). Run: chmod 600 "${path}"` };
  return { name, ok: true, message: `${what} ${path} is in place (mode ${octal(info.mode)}, owner uid ${info.uid}).` };
}

async function readableFileCheck(name: string, path: string, what: string): Promise<JobCheck> {
  const info = await statOrNull(path);
  if (!info?.isFile()) return { name, ok: false, message: `${what} ${path} was not found. Set its path in the script.` };
  if (!(await canAccess(path, constants.R_OK))) return { name, ok: false, message: `${what} ${path} cannot be read by this account.` };
  return { name, ok: true, message: `${what} ${path} is readable.` };
}

async function credentialChecks(settings: ShSettings, env: NodeJS.ProcessEnv): Promise<JobCheck[]> {
  const clientId = settings.get('ClientId');
  if (clientId !== undefined) {
    const dir = settings.get('TokenStoreDir') ?? '';
    const rotatable = settings.get('Rotatable') === 'yes';
    const fix = 'Sign in with the device grant as the account that runs the job (anaplan-setup oauth --client-id … --token-store-dir …).';
    return [await secretFileCheck('token-store', join(dir, tokenStoreFileName(clientId)), 'The OAuth token store', fix, rotatable)];
  }
  const keystore = settings.get('KeystoreFile');
  if (keystore !== undefined) {
    const checks = [await readableFileCheck('keystore', keystore, 'The keystore')];
    if (settings.get('KeystorePassword') === undefined) {
      // Empty JobHome: the running account's home in the password database, where Java's user.home points (anaplan-facts §8).
      const home = settings.get('JobHome') || jobAccount().home;
      const fix = 'Export the job again with the keystore password, for the account that runs it.';
      checks.push(await secretFileCheck('keystore-access', join(home, ...KEYSTORE_ACCESS_RELATIVE_PATH.split('/')), 'keystore-access.txt', fix));
    }
    return checks;
  }
  const certificate = settings.get('CertificateFile');
  if (certificate !== undefined) {
    const key = settings.get('PrivateKeyFile') ?? '';
    const checks = [await readableFileCheck('certificate', certificate, 'The certificate'), await secretFileCheck('private-key', key, 'The private key', 'Set PrivateKeyFile in the script.')];
    const variable = settings.get('KeyPassphraseVariable');
    if (variable !== undefined) checks.push(environmentCheck('key-passphrase', variable, env, 'the key passphrase'));
    return checks;
  }
  const variable = settings.get('PasswordVariable');
  if (variable !== undefined) return [environmentCheck('password', variable, env, `the password of ${settings.get('AnaplanUser') ?? 'the user'}`)];
  return [];
}

function environmentCheck(name: string, variable: string, env: NodeJS.ProcessEnv, what: string): JobCheck {
  return env[variable]
    ? { name, ok: true, message: `${variable} is set: ${what}.` }
    : { name, ok: false, message: `${variable} is not set in this environment, so the job has no ${what}. Set it where the job's account will see it (for cron: in the crontab or a file the job sources), then check again.` };
}


async function logCheck(settings: ShSettings, dir: string): Promise<JobCheck> {
  const logDir = settings.get('LogDir') || join(dir, 'logs');
  const existing = await statOrNull(logDir);
  const target = existing ? logDir : dirname(logDir);
  if (await canAccess(target, constants.W_OK | constants.X_OK)) return { name: 'log', ok: true, message: `The logs go to ${logDir}.` };
  return { name: 'log', ok: false, message: `This account cannot write ${existing ? logDir : `${target} to create ${logDir}`}, so the job would run without a log. Set LogDir in the script to a folder it can write.` };
}

const WORKSPACE_LINE = /\|--\s+([0-9A-Fa-f]{32})\t([^\t\n]*)/g;

/** Runs `anaplan-connect.sh --check` and reads its marker lines and the workspaces Anaplan Connect listed. */
async function runJobCheck(script: string, dir: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ check: JobCheck; workspaces: JobCheckResult['workspaces'] }> {
  // As root, a job that belongs to another account (exported with --run-as) is checked as that
  // account, as cron will run it: Anaplan Connect run as root would rewrite a rotating token store
  // owned by root, which the job's account could then no longer update.
  const owner = await ownerToRunAs(script);
  const [command, args] = owner ? ['runuser', ['-u', owner, '--', script, '--check']] : [script, ['--check']];
  const { code, output, timedOut } = await runCapturing(command, args, dir, env, timeoutMs);
  const workspaces = [...output.matchAll(WORKSPACE_LINE)].map((match) => ({ id: match[1] ?? '', name: (match[2] ?? '').trim() }));
  const markers = output
    .split('\n')
    .filter((line) => line.startsWith(CHECK_MARKER.failed) || line.startsWith(CHECK_MARKER.warning) || line.startsWith('ERROR:'))
    .map((line) => line.trim());
  if (timedOut) return { check: { name: 'sign-in', ok: false, message: `${SH_SCRIPT_NAME} --check did not finish within ${Math.round(timeoutMs / 1000)} s: Anaplan Connect may be retrying a connection that does not answer.` }, workspaces };
  if (code === 0) {
    const as = owner ? `, run as ${owner},` : '';
    return { check: { name: 'sign-in', ok: true, message: `Anaplan Connect${as} signed in as the job will and listed ${workspaces.length} workspace${workspaces.length === 1 ? '' : 's'}.` }, workspaces };
  }
  const said = markers.length > 0 ? markers.join(' ') : output.trim().split('\n').slice(-3).join(' ');
  return { check: { name: 'sign-in', ok: false, message: `${SH_SCRIPT_NAME} --check failed (exit code ${code}). ${said}` }, workspaces };
}

/** The account to run the job's check as: the script's owner, when this process is root and the owner is not. */
async function ownerToRunAs(script: string): Promise<string | null> {
  if (process.getuid?.() !== 0) return null;
  const { uid } = await stat(script);
  if (uid === 0) return null;
  const entry = spawnSync('getent', ['passwd', String(uid)], { encoding: 'utf8' });
  const name = entry.status === 0 ? entry.stdout.split(':')[0] : undefined;
  return name && spawnSync('runuser', ['--help']).status === 0 ? name : null;
}

function runCapturing(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 4 * 1024 * 1024) chunks.push(chunk); // a bound: the check prints a few lines
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: String(error.message), timedOut: false });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8'), timedOut });
    });
  });
}
