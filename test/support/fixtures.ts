// Small helpers and sample values shared by the unit tests (and by scripts/bench, which runs
// outside Vitest: nothing here touches Vitest until a helper that registers hooks is called).
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppError, isAppError } from '../../main/errors.js';
import type { CsrSubject } from '../../main/pki/subject.js';

/** A complete, valid certificate request subject. Frozen: spread it to make a variant. */
export const ADA: Readonly<CsrSubject> = Object.freeze({
  commonName: 'Ada Lovelace',
  email: 'ada@example.com',
  organization: 'Analytical Engines Ltd',
  organizationalUnit: 'Integration',
  locality: 'London',
  state: 'Greater London',
  country: 'GB',
});

/** A passphrase that passes the checks (long enough, no ':'). */
export const PASSPHRASE = 'tulip orbit canyon 42';

/** Awaits a promise that must reject with an AppError and returns that error; anything else fails the test. */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure with an AppError, but the promise resolved');
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion with no terminal and no input: whatever would prompt (a missing passphrase) fails instead of waiting. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...options });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function openssl(...args: string[]): RunResult {
  return run('openssl', args);
}

export function bash(script: string, options: RunOptions = {}): RunResult {
  return run('bash', ['-c', script], options);
}

/** The permission bits of a file or folder, setuid/setgid/sticky included. */
export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o7777;
}

/** One entry of a snapshot: its mode, and its content when it is a file (folders have none). */
export interface SnapshotEntry {
  mode: number;
  content?: string;
}

/** Every entry under `folder` (recursively, by relative path) with its mode and UTF-8 content: equal snapshots mean untouched. */
export async function snapshot(folder: string): Promise<Record<string, SnapshotEntry>> {
  const result: Record<string, SnapshotEntry> = {};
  for (const entry of (await readdir(folder, { recursive: true })).sort()) {
    const path = join(folder, entry);
    const stats = await stat(path);
    const mode = stats.mode & 0o7777;
    result[entry] = stats.isDirectory() ? { mode } : { content: await readFile(path, 'utf8'), mode };
  }
  return result;
}

/**
 * A fresh temporary folder for each test (in `tmpdir()`, named `prefix` + random), removed after it.
 * Call at the top of a test file or describe block; the returned function gives the current folder.
 */
export function useTempDir(prefix: string): () => string {
  let current: string | undefined;
  beforeEach(async () => {
    current = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    if (current) await rm(current, { recursive: true, force: true });
    current = undefined;
  });
  return () => {
    if (current === undefined) throw new Error(`the temporary folder '${prefix}…' exists only while a test runs`);
    return current;
  };
}

/** Lets each test change the process umask: the one from before the test is put back after it. */
export function restoreUmaskAfterEach(): void {
  let saved: number;
  beforeEach(() => {
    saved = process.umask();
  });
  afterEach(() => {
    process.umask(saved);
  });
}
