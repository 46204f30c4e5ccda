import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'bin/anaplan-setup.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** Runs the built `anaplan-setup` exactly as a person or a cron job would: a child process, no TTY. */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json<T>() {
          return JSON.parse(stdout) as T;
        },
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

export interface NdjsonRun {
  exit: number;
  stderr: string;
  /** Every line of stdout, parsed (a line that is not JSON fails the run). */
  events: Array<Record<string, unknown>>;
  /** Whatever stdout held after its last newline: '' when every line ended. */
  unterminated: string;
}

/**
 * Runs the built CLI to the end where it prints one JSON object per line (`oauth --json`),
 * handing each event to `onEvent` as it arrives (to approve a code on the emulator, say).
 */
export function runNdjsonCli(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; onEvent?: (event: Record<string, unknown>) => void; asAccount?: string },
): Promise<NdjsonRun> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', ...options.env };
    // As another account (root only): runuser, with this environment.
    const [command, commandArgs] = options.asAccount
      ? ['runuser', ['-u', options.asAccount, '--', 'env', ...Object.entries(env).map(([key, value]) => `${key}=${value}`), process.execPath, CLI, ...args]]
      : [process.execPath, [CLI, ...args]];
    const child = spawn(command, commandArgs, { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const events: Array<Record<string, unknown>> = [];
    let buffer = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
        buffer = buffer.slice(newline + 1);
        events.push(event);
        options.onEvent?.(event);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exit: code ?? -1, stderr, events, unterminated: buffer }));
  });
}
