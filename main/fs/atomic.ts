import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { copyFile, link, lstat, open, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError, isAppError } from '../errors.js';

/**
 * Safe file writing: a reader never sees half a file, modes are exactly what we ask for (the
 * umask can neither widen nor narrow them), and a failed write leaves no debris.
 *
 * A mode is only ever set through a handle: on a temp file we created (O_EXCL), or on an existing
 * file or folder opened with O_NOFOLLOW and checked to be the very one that was read. A path
 * swapped for a symbolic link in between (another account, in a folder it may write in) gets
 * nothing: chmod(path) would have changed the mode of whatever the link points to.
 */

/** 0 where the platform has no such flag (Windows): there the checks of the file's identity remain. */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const POSIX = process.platform !== 'win32';

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
   * Asked about each file to be replaced, with its old content, before anything is written: a
   * reason (such as "the password in plain text") means no copy of the old content is ever made.
   * The file is replaced by a rename over it; should a later rename of the same write fail, it
   * is put back from the content read here. A crash at any point leaves no backup of it.
   */
  reasonNotToKeepBackup?: (name: string, previous: Buffer) => string | null;
  /**
   * Whether an existing file already holds what is to be written (default: the same bytes). Such
   * a file is 'unchanged': left as it is, its mode set. A token store holding the same refresh
   * token is the same although its bytes (salts, dates) differ.
   */
  sameContent?: (name: string, existing: Buffer) => boolean;
}

/** A replaced file whose old content was not to be kept as a backup (none was made). */
export interface WithheldBackup {
  /** The replaced file. */
  path: string;
  /** As reasonNotToKeepBackup gave it. */
  reason: string;
}

/** The steps of writeFilesSafely a test may stop at (writeStepHooks). */
export type WriteStep = 'staged' | 'backed-up' | 'before-mode' | 'renamed' | 'committed';

/**
 * Test seam, never set by the application: called (synchronously) at each step of a write with
 * the file or folder concerned, so that a test can change the folder there, or stop the process,
 * as another account or a crash would.
 */
export const writeStepHooks: { reached?: (step: WriteStep, path: string) => void } = {};

export interface WriteReport {
  files: WrittenFile[];
  withheldBackups: WithheldBackup[];
  /** What the person should know about where the files went: a folder other accounts can change. */
  warnings: string[];
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
      writeStepHooks.reached?.('before-mode', created);
      setFolderModeSync(created, 0o700);
    } catch (error) {
      throw ioError(`Could not make the folder ${created} private`, error);
    }
  }
}

/** chmod on the folder itself, never through a link put in its place. */
function setFolderModeSync(path: string, mode: number): void {
  if (!POSIX) {
    chmodSync(path, mode);
    return;
  }
  const fd = openSync(path, constants.O_RDONLY | O_NOFOLLOW | O_DIRECTORY);
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** ensurePrivateDirSync for async callers: a rejected promise instead of a throw. */
export async function ensurePrivateDir(path: string): Promise<void> {
  ensurePrivateDirSync(path);
}

/**
 * Writes several files into one folder, all or nothing as far as the file system allows:
 * plan (refusing conflicts before touching anything), write every temp file, make backups
 * (none of a file holding a secret, see reasonNotToKeepBackup), then rename. Anything failing
 * before the renames leaves the folder exactly as it was; a rename failing puts back what was
 * renamed before it.
 */
export async function writeFilesSafely(dir: string, files: readonly FileToWrite[], options: WriteOptions): Promise<WrittenFile[]> {
  return (await writeFilesSafelyReporting(dir, files, options)).files;
}

/** writeFilesSafely, also saying which backups were not kept (options.reasonNotToKeepBackup). */
export async function writeFilesSafelyReporting(dir: string, files: readonly FileToWrite[], options: WriteOptions): Promise<WriteReport> {
  const folder = resolve(dir);
  assertSafeNames(files);
  const plan = await planWrites(folder, files, options.sameContent);
  refuseConflicts(folder, plan, options.overwrite);
  for (const step of plan) {
    if (step.status === 'replaced' && step.previous) step.withheld = options.reasonNotToKeepBackup?.(step.file.name, step.previous) ?? undefined;
  }
  await ensurePrivateDir(folder);
  const warnings = await othersMayChange(folder);

  const staged = await stageTempFiles(folder, plan);
  writeStepHooks.reached?.('staged', folder);
  let backups: string[] = [];
  try {
    backups = await makeBackups(staged);
  } catch (error) {
    await Promise.all(staged.map((step) => (step.temp ? removeQuietly(step.temp) : undefined)));
    throw error;
  }
  writeStepHooks.reached?.('backed-up', folder);
  await commit(folder, staged, backups);
  await fsyncDir(folder);
  writeStepHooks.reached?.('committed', folder);
  const withheldBackups = staged.flatMap((step) => (step.withheld ? [{ path: step.path, reason: step.withheld }] : []));
  return { files: plan.map((step) => ({ path: step.path, status: step.status })), withheldBackups, warnings };
}

/** Which file was found at a path: the one a later step must still find there. */
interface FoundFile {
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
}

interface PlannedWrite {
  file: FileToWrite;
  path: string;
  status: WriteStatus;
  /** The file found at path ('replaced' and 'unchanged'). */
  found?: FoundFile;
  /** The content being replaced ('replaced' only). */
  previous?: Buffer;
  /** The replaced file's owner: kept when root replaces another account's file (a job account's token store). */
  owner?: { uid: number; gid: number };
  /** Why no copy of the replaced content may exist (reasonNotToKeepBackup): no backup is made. */
  withheld?: string | undefined;
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

async function planWrites(folder: string, files: readonly FileToWrite[], sameContent: WriteOptions['sameContent']): Promise<PlannedWrite[]> {
  return Promise.all(
    files.map(async (file): Promise<PlannedWrite> => {
      const path = join(folder, file.name);
      const existing = await existingContent(path);
      if (existing === null) return { file, path, status: 'created' };
      const { bytes, found } = existing;
      const same = sameContent ? sameContent(file.name, bytes) : bytes.equals(toBytes(file.content));
      return same ? { file, path, status: 'unchanged', found } : { file, path, status: 'replaced', found, previous: bytes, owner: { uid: found.uid, gid: found.gid } };
    }),
  );
}

/**
 * The bytes of the regular file at path, null when there is none. Anything else (a folder, a
 * link, a device) is refused, as writeFilesSafely refuses to replace it.
 */
export async function readExistingFile(path: string): Promise<Buffer | null> {
  return (await existingContent(resolve(path)))?.bytes ?? null;
}

/** The bytes of the file at path and which file it is, null when there is none; anything but a regular file is refused. */
async function existingContent(path: string): Promise<{ bytes: Buffer; found: FoundFile } | null> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw ioError(`Could not check ${path}`, error);
  }
  if (!stats.isFile()) throw notARegularFile(path);
  // Read through a handle on the very file just checked: not through a link put in its place.
  const handle = await openNoFollow(path, stats);
  try {
    const bytes = await handle.readFile();
    return { bytes, found: { dev: stats.dev, ino: stats.ino, mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid } };
  } catch (error) {
    throw ioError(`Could not read ${path} to compare it`, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Opens the regular file at path for reading without following a link, and checks it is the
 * file `expected` describes (the one checked or read before): anything else is refused.
 */
async function openNoFollow(path: string, expected: { dev: number; ino: number }): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    // ELOOP (EMLINK on FreeBSD): it is a link now; ENOENT: it is gone.
    if (code === 'ELOOP' || code === 'EMLINK' || code === 'ENOENT') throw changedUnderfoot(path);
    throw ioError(`Could not open ${path}`, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.dev !== expected.dev || stats.ino !== expected.ino) throw changedUnderfoot(path);
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw ioError(`Could not check ${path}`, error);
  }
}

/** Sets the mode of a file found 'unchanged', on a handle to that very file. */
async function setModeOfFound(path: string, found: FoundFile, mode: number): Promise<void> {
  const handle = await openNoFollow(path, found);
  try {
    if (((await handle.stat()).mode & 0o7777) !== mode) await handle.chmod(mode);
  } catch (error) {
    throw ioError(`Could not set the mode of ${path}`, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function notARegularFile(path: string): AppError {
  return new AppError(
    'file_exists',
    `${path} already exists and is not a regular file (it is a folder, link or device), so it will not be replaced. Nothing was written. Choose another folder, or move it away first.`,
    { path },
  );
}

function changedUnderfoot(path: string): AppError {
  return new AppError(
    'file_exists',
    `${path} was replaced (by another file, or a link) while it was being written, so it was left alone: its mode was not changed. Another account may be able to change files in ${dirname(path)}: write to a folder only you can change, then try again.`,
    { path },
  );
}

function refuseConflicts(folder: string, plan: readonly PlannedWrite[], overwrite: boolean): void {
  if (overwrite) return;
  const conflicts = plan.filter((step) => step.status === 'replaced').map((step) => step.file.name);
  if (conflicts.length === 0) return;
  throw new AppError(
    'file_exists',
    `${conflicts.length === 1 ? 'This file already exists' : 'These files already exist'} in ${folder} with different content: ${conflicts.join(', ')}. Nothing was written. Choose another folder, or confirm that they may be replaced (CLI: --overwrite); the old versions are then kept as .bak files (except one that held a secret, such as a script or bundle with a password in plain text).`,
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

/** Backs up every file about to be replaced, except those whose content may not be copied; returns the backups made, for rollback. */
async function makeBackups(staged: StagedWrite[]): Promise<string[]> {
  const made: string[] = [];
  try {
    for (const step of staged) {
      if (step.status !== 'replaced' || step.withheld) continue;
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

/**
 * Renames every temp file over its target and sets the mode of the unchanged files. The files
 * replaced without a backup come last: a failure before them needs no copy of their content, and
 * only a failure between two of them has one put back from memory.
 */
async function commit(folder: string, staged: readonly StagedWrite[], backups: readonly string[]): Promise<void> {
  const order = [...staged.filter((step) => !step.withheld), ...staged.filter((step) => step.withheld)];
  const done: StagedWrite[] = [];
  try {
    for (const step of order) {
      if (step.temp) {
        await rename(step.temp, step.path);
        writeStepHooks.reached?.('renamed', step.path);
      } else if (step.found) {
        writeStepHooks.reached?.('before-mode', step.path);
        await setModeOfFound(step.path, step.found, step.file.mode);
      }
      done.push(step);
    }
  } catch (error) {
    const restored = await rollBack(folder, staged, done);
    const outcome = restored ? 'the folder was put back as it was' : `some files may be new and some old (backups: ${backups.join(', ') || 'none'})`;
    // A refusal of our own (a file swapped while being written) keeps its words, and says what became of the rest.
    if (isAppError(error)) throw new AppError(error.code, `${error.message.replace(/\.?$/, '.')} Writing the files in ${folder} stopped there: ${outcome}.`, error.details);
    throw ioError(`Could not finish writing the files in ${folder}; ${outcome}`, error);
  }
}

/** Best effort after a failed rename: undo what was renamed, drop the temps that were not. */
async function rollBack(folder: string, staged: readonly StagedWrite[], done: readonly StagedWrite[]): Promise<boolean> {
  let restored = true;
  for (const step of staged) {
    if (step.temp && !done.includes(step)) await removeQuietly(step.temp);
  }
  for (const step of done) {
    try {
      if (step.status === 'created') await unlink(step.path);
      else if (step.status === 'replaced' && step.backup) await rename(step.backup, step.path);
      else if (step.status === 'replaced' && step.previous && step.found) await putBack(folder, step, step.previous, step.found);
    } catch {
      restored = false;
    }
  }
  for (const step of staged) {
    if (step.backup && !done.includes(step)) await removeQuietly(step.backup);
  }
  return restored;
}

/** A file replaced without a backup, written back from the content read when planning (as atomically as it was replaced). */
async function putBack(folder: string, step: StagedWrite, previous: Buffer, found: FoundFile): Promise<void> {
  const temp = await writeTempFile(folder, step.file.name, previous, found.mode, ownerToKeep(step.owner));
  try {
    await rename(temp, step.path);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}

/**
 * The folders at and above `folder` (as given, and as links resolve it) that accounts other than
 * the owner may write in without the sticky bit: any of them could swap the files written here
 * for others, or for links to other files, between two steps of a write. One warning each.
 */
async function othersMayChange(folder: string): Promise<string[]> {
  if (!POSIX) return [];
  const chain = new Set<string>();
  for (const start of [folder, await realpath(folder).catch(() => folder)]) {
    for (let current = start; ; current = dirname(current)) {
      chain.add(current);
      if (dirname(current) === current) break;
    }
  }
  const warnings: string[] = [];
  for (const path of chain) {
    const stats = await lstat(path).catch(() => null);
    if (!stats?.isDirectory()) continue;
    const mode = stats.mode & 0o7777;
    if ((mode & 0o022) === 0 || (mode & 0o1000) !== 0) continue;
    const who = (mode & 0o002) !== 0 ? 'every account' : 'the accounts of its group';
    const where = path === folder ? 'the files written in it' : `the files written in ${folder}`;
    warnings.push(
      `${path} can be changed by other accounts (mode 0${mode.toString(8)}: ${who} may write in it, and it has no sticky bit), so one of them could swap ${where} for others, or for links to other files. Make it writable by its owner only (chmod go-w '${path}'), or choose a folder only you can change.`,
    );
  }
  return warnings;
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
    case 'ELOOP':
      return 'it is a symbolic link (it may have been put there by another account).';
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
