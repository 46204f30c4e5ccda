import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js';
import { ANAPLAN_CONNECT_DIR } from './client.js';

/** What Anaplan Connect prints when a task it ran completed (Task.java). */
export const SUCCESS = 'The operation was successful';

export interface Interop {
  emulator: Emulator;
  /** A fresh folder per file, removed afterwards. */
  work: string;
}

/** One emulator and one work folder for a test file. */
export function useInterop(prefix: string, options: EmulatorOptions = {}): Interop {
  const interop = {} as Interop;
  beforeAll(async () => {
    interop.emulator = await startEmulator(options);
    interop.work = await mkdtemp(join(tmpdir(), `interop-${prefix}-`));
  });
  afterAll(async () => {
    await interop.emulator?.close();
    if (interop.work) await rm(interop.work, { recursive: true, force: true });
  });
  return interop;
}

/** `anaplan-setup export … --platform linux` against the emulator, the job pointed at the real Anaplan Connect. */
export function exportJob(interop: Interop, args: string[], options: { cwd?: string; env?: Record<string, string>; oauth?: boolean } = {}): Promise<CliResult> {
  const url = interop.emulator.url;
  const endpoints = options.oauth ? ['--api-url', url, '--oauth-url', url, '--auth-url', url] : ['--auth-url', url, '--api-url', url];
  return runCli(['export', '--platform', 'linux', '--anaplan-connect-dir', ANAPLAN_CONNECT_DIR, ...endpoints, ...args, '--json'], {
    cwd: options.cwd,
    env: { HOME: interop.work, ANAPLAN_SETUP_HOME: join(interop.work, 'settings'), ...options.env },
  });
}

export interface JobRun {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

/**
 * Runs the exported script as cron would: from another folder, with a short PATH and only the
 * environment given (HOME included), nothing typed. Asynchronous: the emulator answers from this
 * same process, so a synchronous child would wait for it forever.
 */
export async function runJob(script: string, env: Record<string, string>, args: string[] = []): Promise<JobRun> {
  const elsewhere = join(tmpdir(), 'interop-cwd');
  await mkdir(elsewhere, { recursive: true });
  return runChild(script, args, elsewhere, env);
}

/** Anaplan Connect itself, as a person would call it (to prove what it does, not what the scripts do). */
export function runClient(args: string[], env: Record<string, string> = {}): Promise<JobRun> {
  return runChild(join(ANAPLAN_CONNECT_DIR, 'AnaplanClient.sh'), args, ANAPLAN_CONNECT_DIR, env);
}

const CHILD_TIMEOUT_MS = 150_000;

function runChild(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<JobRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}

export function expectJSON<T>(result: CliResult): T {
  if (result.code !== 0) throw new Error(`anaplan-setup exited ${result.code}: ${result.stdout}${result.stderr}`);
  return result.json<T>();
}
