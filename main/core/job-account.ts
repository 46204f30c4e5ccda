import { spawnSync } from 'node:child_process';
import { lchown, lstat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { tokenStoreDir } from '../anaplan/token-store.js';
import { shellWord } from '../pki/posix-shell.js';
import { AppError } from '../errors.js';

/**
 * The account that runs the job (cron, a service account such as svc-anaplan): everything the job
 * reads must be in its home and readable by it (anaplan-facts §5, §7: a token store under the
 * desktop user's home while cron runs as another account is a trap). Java's user.home is the home
 * in the password database, so that is where it is looked up.
 */
export interface JobAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** The account running the assistant: nothing to hand over. */
  current: boolean;
}

const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/** The account named (from the password database), or the current one when none is named. */
export function jobAccount(name?: string): JobAccount {
  const me = userInfo();
  if (name === undefined || name === '' || name === me.username) {
    return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir, current: true };
  }
  if (!ACCOUNT_NAME.test(name)) throw accountProblem(`"${name}" is not an account name (letters, digits, ".", "_", "-"). Give the account that runs the job, such as svc-anaplan.`);
  if (process.platform === 'win32') throw accountProblem('Another account that runs the job can be named on Linux and macOS. On Windows, run the assistant signed in as the account that runs the job.');
  const entry = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const fields = entry.status === 0 ? entry.stdout.trim().split(':') : [];
  if (fields.length < 7) {
    throw accountProblem(`There is no account "${name}" on this machine (getent passwd ${name} found nothing). Create it first, for example: sudo useradd --system --create-home ${name}. Nothing was written.`);
  }
  return { name, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '', current: false };
}

/** A problem with the account named: the UI shows it next to its field ("runAs"), the CLI names --run-as. */
function accountProblem(message: string): AppError {
  return new AppError('bad_input', message, { problems: [{ field: 'runAs', message }] });
}

/** Whether this process can give files to another account (chown needs root). */
export function canHandOver(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Makes what was written the job account's: as root, `lchown` of each path (never following a
 * link), modes as written (0600 files, 0700 folders for secrets). For the current account nothing
 * changes. Otherwise nothing is changed and the commands that would do it are returned.
 */
export async function handOver(account: JobAccount, paths: readonly string[]): Promise<string[]> {
  if (account.current || paths.length === 0) return [];
  if (!canHandOver()) return [`sudo chown ${account.name}: ${paths.map(shellWord).join(' ')}`];
  for (const path of paths) {
    const info = await lstat(path);
    if (info.isSymbolicLink()) throw new AppError('io', `${path} is a symbolic link: it was not handed to ${account.name}. Remove the link and try again.`);
    await lchown(path, account.uid, account.gid);
  }
  return [];
}

/** The folders above `path` that `account` cannot pass through (no x for it): the job could not reach what is inside. */
export async function foldersClosedTo(account: JobAccount, path: string): Promise<string[]> {
  if (account.uid === 0) return [];
  const closed: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      const info = await lstat(dir);
      const bit = info.uid === account.uid ? 0o100 : info.gid === account.gid ? 0o010 : 0o001;
      if ((info.mode & bit) === 0) closed.push(dir);
    } catch {
      /* not there yet: created for the job */
    }
    if (dirname(dir) === dir) break;
  }
  return closed.reverse();
}

/**
 * The token store's default folder for the job account: for the current account where Anaplan
 * Connect looks ($AC_OAUTH_KEYSTORE_DIR, else user.home); for another, its home (its user.home).
 */
export function defaultTokenStoreDir(account: JobAccount): string {
  return account.current ? tokenStoreDir() : account.home;
}

/** Where a file for another account is staged when it cannot be handed over here. */
export function stagingDir(account: JobAccount): string {
  return join(userInfo().homedir, '.anaplan-setup-handover', account.name);
}

/** `sudo install` lines that place staged files for the account, as it must own them. */
export function installCommands(account: JobAccount, files: ReadonlyArray<{ from: string; to: string }>): string[] {
  const owner = `-o ${account.name} -g ${account.gid}`;
  // The account's home exists and is its own: its mode is left as the administrator set it.
  const folders = [...new Set(files.map((file) => dirname(file.to)))].filter((folder) => folder !== account.home);
  return [
    ...folders.map((folder) => `sudo install -d ${owner} -m 700 ${shellWord(folder)}`),
    ...files.map((file) => `sudo install ${owner} -m 600 ${shellWord(file.from)} ${shellWord(file.to)}`),
    `rm -rf ${shellWord(stagingDir(account))}`,
  ];
}
