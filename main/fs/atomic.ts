import { randomBytes } from 'node:crypto';
import { chmodSync, constants, lstatSync, mkdirSync } from 'node:fs';
import { chmod, copyFile, link, lstat, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError, isAppError } from '../core/errors.js';

/**
 * Safe file writing: a reader never sees half a file, modes are exactly what we ask for (the
 * umask can neither widen nor narrow them), and a failed write leaves no debris.
 */

export type FileContent = string | Uint8Array;

export interface FileToWrite {
  name: string;
  content: FileContent;
  mode: number;
}

export type WriteStatus = 'created' | 'replaced' | 'unchanged';

export interface WrittenFile {
  path: string;
  status: WriteStatus;
}

export interface WriteOptions {
  overwrite: boolean;
  /**
   * Asked about each replaced file, with its old content: a reason (such as "the password in
   * plain text") means no .bak copy of it is kept. The backup is still made, since putting the
   * folder back after a failed rename needs it, and removed once every new file is in place.
   */
  reasonNotToKeepBackup?: (name: string, previous: Buffer) => string | null;
}

/** A replaced file whose old content was not to be kept as a backup. */
export interface WithheldBackup {
  /** The replaced file. */
  path: string;
  /** As reasonNotToKeepBackup gave it. */
  reason: string;
  /** Set when the backup could not be removed: where it still is (made 0600 if possible), and why. */
  left?: { backup: string; problem: string };
}

export interface WriteReport {
  files: WrittenFile[];
  withheldBackups: WithheldBackup[];
}

export async function writeFileAtomic(path: string, content: FileContent, mode: number): Promise<void> {
  const target = resolve(path);
  const temp = await writeTempFile(dirname(target), basename(target), content, mode);
  try {
    await rename(temp, target);
  } catch (error) {
    await removeQuietly(temp);
    throw ioError(`Could not put ${target} in place`, error);
  }
  await fsyncDir(dirname(target));
}

/**
 * mkdir -p; folders it creates get exactly 0700, folders that already exist are left as they are.
 * Synchronous: the settings store opens synchronously, and a few mkdir calls do not need the pool.
 */
export function ensurePrivateDirSync(path: string): void {
  const target = resolve(path);
  let firstCreated: string | undefined;
  try {
    firstCreated = mkdirSync(target, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw errnoCode(error) === 'EEXIST' ? notAFolder(target) : ioError(`Could not create the folder ${target}`, error);
  }
  if (firstCreated === undefined) {
    let isDirectory: boolean;
    try {
      isDirectory = lstatSync(target).isDirectory();
    } catch (error) {
      throw ioError(`Could not check the folder ${target}`, error);
    }
    if (!isDirectory) throw notAFolder(target);
    return;
  }
  // The umask may have narrowed the mode of what we created; set it exactly, top down.
  for (const created of foldersFrom(resolve(firstCreated), target)) {
    try {
      chmodSync(created, 0o700);
    } catch (error) {
      throw ioError(`Could not make the folder ${created} private`, error);
    }
  }
}

/** ensurePrivateDirSync for async callers: a rejected promise instead of a throw. */
export async function ensurePrivateDir(path: string): Promise<void> {
  ensurePrivateDirSync(path);
}

/**
 * Writes several files into one folder, all or nothing as far as the file system allows:
 * plan (refusing conflicts before touching anything), write every temp file, make backups,
 * then rename. Anything failing before the renames leaves the folder exactly as it was.
 */
export async function writeFilesSafely(dir: string, files: readonly FileToWrite[], options: WriteOptions): Promise<WrittenFile[]> {
  return (await writeFilesSafelyReporting(dir, files, options)).files;
}

/** writeFilesSafely, also saying which backups were not kept (options.reasonNotToKeepBackup). */
export async function writeFilesSafelyReporting(dir: string, files: readonly FileToWrite[], options: WriteOptions): Promise<WriteReport> {
  const folder = resolve(dir);
  assertSafeNames(files);
  const plan = await planWrites(folder, files);
  refuseConflicts(folder, plan, options.overwrite);
  await ensurePrivateDir(folder);

  const staged = await stageTempFiles(folder, plan);
  let backups: string[] = [];
  try {
    backups = await makeBackups(staged);
  } catch (error) {
    await Promise.all(staged.map((step) => (step.temp ? removeQuietly(step.temp) : undefined)));
    throw error;
  }
  await commit(folder, staged, backups);
  await fsyncDir(folder);
  const withheldBackups = options.reasonNotToKeepBackup ? await withholdBackups(staged, options.reasonNotToKeepBackup) : [];
  if (withheldBackups.length > 0) await fsyncDir(folder);
  return { files: plan.map((step) => ({ path: step.path, status: step.status })), withheldBackups };
}

interface PlannedWrite {
  file: FileToWrite;
  path: string;
  status: WriteStatus;
  /** The content being replaced ('replaced' only). */
  previous?: Buffer;
  /** The replaced file's owner: kept when root replaces another account's file (a job account's token store). */
  owner?: { uid: number; gid: number };
}

interface StagedWrite extends PlannedWrite {
  /** Temp file holding the new content; absent for 'unchanged'. */
  temp?: string;
  backup?: string;
}

function assertSafeNames(files: readonly FileToWrite[]): void {
  const seen = new Set<string>();
  for (const { name } of files) {
    if (!isPlainFileName(name)) {
      throw new AppError(
        'bad_input',
        `"${name}" is not a plain file name (it is empty, contains a path separator or "..", or a control character). Nothing was written. This is a bug in the caller: file names must not point outside the chosen folder.`,
        { name },
      );
    }
    if (seen.has(name)) {
      throw new AppError('bad_input', `The file name "${name}" was given twice. Nothing was written.`, { name });
    }
    seen.add(name);
  }
}

function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== '.' &&
    !name.includes('..') &&
    !name.includes('/') &&
    !name.includes('\\') &&
    !/[\u0000-\u001f\u007f]/.test(name)
  );
}

async function planWrites(folder: string, files: readonly FileToWrite[]): Promise<PlannedWrite[]> {
  return Promise.all(
    files.map(async (file): Promise<PlannedWrite> => {
      const path = join(folder, file.name);
      const existing = await existingContent(path);
      if (existing === null) return { file, path, status: 'created' };
      const { bytes, uid, gid } = existing;
      return bytes.equals(toBytes(file.content)) ? { file, path, status: 'unchanged' } : { file, path, status: 'replaced', previous: bytes, owner: { uid, gid } };
    }),
  );
}

/** The bytes and owner of the file at path, null when there is none; anything but a regular file is refused. */
async function existingContent(path: string): Promise<{ bytes: Buffer; uid: number; gid: number } | null> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw ioError(`Could not check ${path}`, error);
  }
  if (!stats.isFile()) {
    throw new AppError(
      'file_exists',
      `${path} already exists and is not a regular file (it is a folder, link or device), so it will not be replaced. Nothing was written. Choose another folder, or move it away first.`,
      { path },
    );
  }
  try {
    return { bytes: await readFile(path), uid: stats.uid, gid: stats.gid };
  } catch (error) {
    throw ioError(`Could not read ${path} to compare it`, error);
  }
}

function refuseConflicts(folder: string, plan: readonly PlannedWrite[], overwrite: boolean): void {
  if (overwrite) return;
  const conflicts = plan.filter((step) => step.status === 'replaced').map((step) => step.file.name);
  if (conflicts.length === 0) return;
  throw new AppError(
    'file_exists',
    `${conflicts.length === 1 ? 'This file already exists' : 'These files already exist'} in ${folder} with different content: ${conflicts.join(', ')}. Nothing was written. Choose another folder, or confirm that they may be replaced (CLI: --overwrite); the old versions are then kept as .bak files (except a script or bundle that held a secret in plain text).`,
    { folder, files: conflicts },
  );
}

async function stageTempFiles(folder: string, plan: readonly PlannedWrite[]): Promise<StagedWrite[]> {
  const staged: StagedWrite[] = [];
  try {
    for (const step of plan) {
      if (step.status === 'unchanged') {
        staged.push({ ...step });
      } else {
        staged.push({ ...step, temp: await writeTempFile(folder, step.file.name, step.file.content, step.file.mode, ownerToKeep(step.owner)) });
      }
    }
  } catch (error) {
    await Promise.all(staged.map((step) => (step.temp ? removeQuietly(step.temp) : undefined)));
    throw error;
  }
  return staged;
}

/** Backs up every file about to be replaced; returns the backups made, for rollback. */
async function makeBackups(staged: StagedWrite[]): Promise<string[]> {
  const made: string[] = [];
  try {
    for (const step of staged) {
      if (step.status !== 'replaced') continue;
      step.backup = await backUp(step.path);
      made.push(step.backup);
    }
  } catch (error) {
    await Promise.all(made.map(removeQuietly));
    throw error;
  }
  return made;
}

/** NAME.bak, else NAME.1.bak, NAME.2.bak, ...: an existing backup is never overwritten. */
async function backUp(path: string): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const candidate = n === 0 ? `${path}.bak` : `${path}.${n}.bak`;
    try {
      await linkOrCopyExclusive(path, candidate);
      return candidate;
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') continue;
      throw ioError(`Could not back up ${path} to ${candidate}`, error);
    }
  }
  throw new AppError(
    'io',
    `Could not back up ${path}: backups .bak up to .999.bak already exist. Nothing was written. Remove old backups you no longer need, then try again.`,
    { path },
  );
}

/** A hard link is instant and keeps the old file's mode; file systems without links get a copy. */
async function linkOrCopyExclusive(source: string, destination: string): Promise<void> {
  try {
    await link(source, destination);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
    await copyFile(source, destination, constants.COPYFILE_EXCL);
  }
}

/** After a successful commit: removes the backups whose old content (as the plan read it) is not to be kept. */
async function withholdBackups(staged: readonly StagedWrite[], reasonNotToKeep: (name: string, previous: Buffer) => string | null): Promise<WithheldBackup[]> {
  const withheld: WithheldBackup[] = [];
  for (const { backup, previous, file, path } of staged) {
    if (!backup || !previous) continue;
    const reason = reasonNotToKeep(file.name, previous);
    if (reason === null) continue;
    try {
      await unlink(backup);
      withheld.push({ path, reason });
    } catch (error) {
      await chmod(backup, 0o600).catch(() => undefined);
      withheld.push({ path, reason, left: { backup, problem: describeErrno(errnoCode(error), error) } });
    }
  }
  return withheld;
}

async function commit(folder: string, staged: readonly StagedWrite[], backups: readonly string[]): Promise<void> {
  const done: StagedWrite[] = [];
  try {
    for (const step of staged) {
      if (step.temp) {
        await rename(step.temp, step.path);
      } else {
        await chmod(step.path, step.file.mode);
      }
      done.push(step);
    }
  } catch (error) {
    const restored = await rollBack(staged, done);
    throw ioError(
      restored
        ? `Could not finish writing the files in ${folder}; the folder was put back as it was`
        : `Could not finish writing the files in ${folder}; some files may be new and some old (backups: ${backups.join(', ') || 'none'})`,
      error,
    );
  }
}

/** Best effort after a failed rename: undo what was renamed, drop the temps that were not. */
async function rollBack(staged: readonly StagedWrite[], done: readonly StagedWrite[]): Promise<boolean> {
  let restored = true;
  for (const step of staged) {
    if (step.temp && !done.includes(step)) await removeQuietly(step.temp);
  }
  for (const step of done) {
    try {
      if (step.status === 'created') await unlink(step.path);
      else if (step.status === 'replaced' && step.backup) await rename(step.backup, step.path);
    } catch {
      restored = false;
    }
  }
  for (const step of staged) {
    if (step.backup && !done.includes(step)) await removeQuietly(step.backup);
  }
  return restored;
}

/**
 * Root replacing a file another account owns (a rotated refresh token in a service account's
 * token store, say) gives the new file that owner: otherwise the account's job could no longer
 * read its own 0600 file. Anyone else cannot give files away, and writes as itself.
 */
function ownerToKeep(owner: PlannedWrite['owner']): PlannedWrite['owner'] {
  return owner && process.getuid?.() === 0 && (owner.uid !== 0 || owner.gid !== 0) ? owner : undefined;
}

/** Creates a temp file next to the target (O_EXCL, random name), writes, fsyncs; returns its path. */
async function writeTempFile(folder: string, name: string, content: FileContent, mode: number, owner?: { uid: number; gid: number }): Promise<string> {
  const temp = join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    // open() applies the umask, which may narrow the mode; chmod sets it exactly.
    await handle.chmod(mode);
    if (owner) await handle.chown(owner.uid, owner.gid);
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    handle = undefined;
    return temp;
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await removeQuietly(temp);
    throw ioError(`Could not write ${join(folder, name)}`, error);
  }
}

async function fsyncDir(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows, some network file systems) refuse to open or fsync a folder.
    const code = errnoCode(error);
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP') {
      throw ioError(`Could not flush the folder ${folder} to disk`, error);
    }
  } finally {
    if (handle) await handle.close().catch(() => undefined);
  }
}

function notAFolder(path: string): AppError {
  return new AppError('io', `${path} exists but is not a folder. Choose another folder.`, { path });
}

/** The folders from `first` down to `last`, inclusive (first is an ancestor of last or equal). */
function foldersFrom(first: string, last: string): string[] {
  const chain: string[] = [];
  for (let current = last; ; current = dirname(current)) {
    chain.unshift(current);
    if (current === first || dirname(current) === current) break;
  }
  return chain;
}

async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

function toBytes(content: FileContent): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function ioError(what: string, error: unknown): AppError {
  if (isAppError(error)) return error;
  const code = errnoCode(error);
  return new AppError('io', `${what}: ${describeErrno(code, error)} ${adviceFor(code)}`, { errno: code });
}

function describeErrno(code: string | undefined, error: unknown): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied.';
    case 'ENOSPC':
      return 'the disk is full.';
    case 'EROFS':
      return 'the disk is read-only.';
    case 'ENAMETOOLONG':
      return 'the name is too long for this file system.';
    case 'ENOENT':
      return 'the folder does not exist.';
    case 'ENOTDIR':
      return 'part of the path is a file, not a folder.';
    default:
      return `${error instanceof Error ? error.message : String(error)}.`;
  }
}

function adviceFor(code: string | undefined): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'Choose a folder you can write to, then try again.';
    case 'ENOSPC':
      return 'Free some space, then try again.';
    default:
      return 'Check the folder, then try again.';
  }
}
