import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError, isAppError } from '../errors.js';
import { ensurePrivateDirSync } from '../fs/atomic.js';
import { migrateSettings, type Settings } from './settings-schema.js';

/** What conf and electron-store have in common: the whole store as one object. */
export interface ConfLike {
  store: Record<string, unknown>;
  readonly path: string;
}

export interface SettingsStore {
  read(): Settings;
  update(change: (settings: Settings) => Settings): Settings;
  readonly path: string;
}

/**
 * The settings of every front door over one conf or electron-store instance. Several processes
 * share the file (the desktop app, `anaplan-setup ui`, CLI commands with --profile): every
 * read-modify-write holds the lock file next to it (withSettingsLock) and reads the file again
 * inside the lock, so one save never overwrites another's. Plain reads need no lock: conf
 * replaces the file in one rename.
 */
export function settingsStoreOver(conf: ConfLike): SettingsStore {
  const read = (): Settings => {
    try {
      return migrateSettings(conf.store);
    } catch (error) {
      throw new AppError(
        'io',
        `The settings file ${conf.path} could not be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Move it aside or delete it to start with fresh settings.`,
      );
    }
  };
  return {
    path: conf.path,
    read,
    update(change) {
      return withSettingsLock(`${conf.path}.lock`, () => {
        const next = migrateSettings(change(read()));
        conf.store = next as unknown as Record<string, unknown>;
        return next;
      });
    },
  };
}

/**
 * One folder for the settings of every front door, so the CLI sees what the desktop app set up.
 * `ANAPLAN_SETUP_HOME` overrides it (tests, portable installs).
 */
export function settingsDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.ANAPLAN_SETUP_HOME) return env.ANAPLAN_SETUP_HOME;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'anaplan-setup');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'anaplan-setup');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'anaplan-setup');
}

/**
 * Call before a store opens the folder (conf and electron-store would create it with the umask's
 * mode): a missing settings folder, and any missing parent, is created readable by its owner only,
 * since the settings say where keys live. A folder that exists is left as the user has it.
 */
export function prepareSettingsDir(dir: string = settingsDir()): string {
  try {
    ensurePrivateDirSync(dir);
  } catch (error) {
    const why = isAppError(error) ? error.message : String(error);
    throw new AppError('io', `The settings folder ${dir} could not be prepared. ${why} Or set ANAPLAN_SETUP_HOME to a folder you can write.`);
  }
  return dir;
}

export const SETTINGS_FILE_OPTIONS = {
  configName: 'settings',
  // Settings hold no secrets in plain text, but they do say where keys live: keep them private.
  configFileMode: 0o600,
} as const;

/** A save holds the lock for milliseconds: one held this long belongs to a process that hangs or is gone. */
const LOCK_ABANDONED_AFTER_MS = 10_000;
/** How long a save waits for the lock before giving up with a message. */
const LOCK_WAIT_MS = 20_000;

/** What a lock file holds: who took it, where and when, and a nonce that tells this taking from any other. */
interface LockOwner {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

/** The lock files this process holds now: a nested update would wait for itself. */
const held = new Set<string>();

/**
 * Runs `work` holding the lock file `lockPath`: created with O_EXCL (only one process can), holding
 * the owner's pid, host and time; retried with growing, jittered waits. A lock whose owner is
 * gone (a pid that no longer runs on this host) or that is older than any save could take is
 * broken, by one process at a time and only if it is still the very lock judged abandoned.
 * Synchronous, as the settings store is: Electron's main process and the CLI both call it.
 */
export function withSettingsLock<T>(lockPath: string, work: () => T): T {
  if (held.has(lockPath)) throw new AppError('internal', `The settings were changed while being changed (${lockPath}). This is a bug: nothing was saved.`);
  const owner = acquireLock(lockPath);
  held.add(lockPath);
  try {
    return work();
  } finally {
    held.delete(lockPath);
    releaseLock(lockPath, owner);
  }
}

function acquireLock(lockPath: string): LockOwner {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    const owner: LockOwner = { pid: process.pid, host: hostname(), at: Date.now(), nonce: randomBytes(8).toString('hex') };
    if (createExclusive(lockPath, JSON.stringify(owner))) return owner;
    if (breakIfAbandoned(lockPath)) continue;
    if (Date.now() >= deadline) throw lockBusy(lockPath);
    sleepSync(Math.min(25, 1.5 ** attempt) * (0.5 + Math.random()));
  }
}

function releaseLock(lockPath: string, owner: LockOwner): void {
  // Only our own: had the lock been judged abandoned and taken over, it now belongs to another save.
  const current = inspectLock(lockPath);
  if (current && parseOwner(current.text)?.nonce === owner.nonce) {
    try {
      unlinkSync(lockPath);
    } catch {
      // Gone already; or left, to be judged abandoned by the next save.
    }
  }
}

/** Creates the file with O_EXCL and writes `text` into it; false when it exists already. */
function createExclusive(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new AppError('io', `The settings could not be locked for saving (${path}: ${error instanceof Error ? error.message : String(error)}). Check that the folder ${dirname(path)} exists and is yours, then try again.`);
  }
  try {
    writeSync(fd, text);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(path);
    throw new AppError('io', `The settings could not be locked for saving (${path}: ${error instanceof Error ? error.message : String(error)}). Free some space, then try again.`);
  }
  closeSync(fd);
  return true;
}

interface SeenLock {
  text: string;
  ino: number;
  mtimeMs: number;
}

function inspectLock(path: string): SeenLock | null {
  try {
    const { ino, mtimeMs } = statSync(path);
    return { text: readFileSync(path, 'utf8'), ino, mtimeMs };
  } catch {
    return null;
  }
}

/** True when the lock is gone or was broken (try again at once), false when it is held. */
function breakIfAbandoned(lockPath: string): boolean {
  const seen = inspectLock(lockPath);
  if (seen === null) return true;
  if (!isAbandoned(lockPath, seen)) return false;
  // One breaker at a time: two processes that both judged the same lock abandoned must not
  // remove, the second time, the new lock the next save has just taken.
  const breaker = `${lockPath}.break`;
  if (!createExclusive(breaker, String(process.pid))) {
    const other = inspectLock(breaker);
    if (other && Date.now() - other.mtimeMs > LOCK_ABANDONED_AFTER_MS) unlinkQuietly(breaker); // its breaker died mid-way
    return false;
  }
  try {
    const again = inspectLock(lockPath);
    if (again && again.ino === seen.ino && again.mtimeMs === seen.mtimeMs && again.text === seen.text) unlinkQuietly(lockPath);
  } finally {
    unlinkQuietly(breaker);
  }
  return true;
}

function isAbandoned(lockPath: string, seen: SeenLock): boolean {
  const owner = parseOwner(seen.text);
  // A lock not filled in yet is as old as its file: its taker is writing it, or died doing so.
  const age = Date.now() - (owner?.at ?? seen.mtimeMs);
  if (age > LOCK_ABANDONED_AFTER_MS) return true;
  if (!owner || owner.host !== hostname()) return false;
  // This pid, but not this process's lock: left by an earlier process that had the same pid.
  if (owner.pid === process.pid) return !held.has(lockPath);
  return !isRunning(owner.pid);
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { pid, host, at, nonce } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof host !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) return null;
    return { pid, host, at, nonce: typeof nonce === 'string' ? nonce : '' };
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another account.
    return errnoCode(error) === 'EPERM';
  }
}

function lockBusy(lockPath: string): AppError {
  const owner = parseOwner(inspectLock(lockPath)?.text ?? '');
  const who = owner ? ` (process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`})` : '';
  return new AppError(
    'io',
    `The settings are being saved by another window or command${who}, which has not finished within ${LOCK_WAIT_MS / 1000} seconds. Nothing was saved. Try again; if no other Anaplan Connect Setup Assistant is running, delete ${lockPath}.`,
  );
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Waits without returning to the event loop: the store's callers are synchronous. */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
