import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { RECORDER, buildJavaStandIn, runBat, splitCommandLine, windowsPath, writeBat, type CmdRun } from './cmd.js';

/**
 * One plain work folder per test file (no spaces: Wine is started on .bat files in it), holding a
 * copy of the recorder, the failure hooks, the records and the folders the jobs run from.
 */
export interface Bench {
  dir: string;
  /** Where runs start (Task Scheduler and cron start jobs elsewhere than in their folder). */
  elsewhere: string;
  /** HOME of the CLI and of the .sh runs; USERPROFILE of .bat runs that ask for it. */
  home: string;
  /** The recorder's copy the stand-in AnaplanClient.bat calls. */
  recorder: string;
  /** On the PATH of both scripts' runs: on-failure-hook (bash) and on-failure-hook.bat. */
  hooks: string;
  /** JAVA_HOME of the .bat runs: bin\java.exe answers -fullversion as JDK 17 does (java-stand-in.c). */
  javaHome: string;
}

export function useBench(): Bench {
  const bench = {} as Bench;
  beforeAll(async () => {
    bench.dir = await mkdtemp(join(tmpdir(), 'windows-'));
    bench.elsewhere = join(bench.dir, 'elsewhere');
    bench.home = join(bench.dir, 'home');
    bench.hooks = join(bench.dir, 'hooks');
    bench.recorder = join(bench.dir, 'bin', 'recorder.exe');
    bench.javaHome = join(bench.dir, 'jdk');
    await Promise.all([mkdir(bench.elsewhere), mkdir(bench.home), mkdir(bench.hooks), mkdir(join(bench.dir, 'bin')), mkdir(join(bench.javaHome, 'bin'), { recursive: true })]);
    await copyFile(RECORDER, bench.recorder);
    buildJavaStandIn(join(bench.javaHome, 'bin', 'java.exe'));
    await writeFile(join(bench.hooks, 'on-failure-hook'), HOOK_SH, { mode: 0o755 });
    await writeBat(join(bench.hooks, 'on-failure-hook.bat'), HOOK_BAT);
  });
  afterAll(async () => {
    if (bench.dir) await rm(bench.dir, { recursive: true, force: true });
  });
  return bench;
}

// The failure hooks, found on the PATH by name (OnFailure=on-failure-hook): each writes what it was
// given to HOOK_FILE and exits with HOOK_EXIT.
const HOOK_SH = [
  '#!/bin/bash',
  'printf \'%s\\n\' "ANAPLAN_JOB_EXIT_CODE=$ANAPLAN_JOB_EXIT_CODE" "ANAPLAN_JOB_LOG=$ANAPLAN_JOB_LOG" > "$HOOK_FILE"',
  'exit "${HOOK_EXIT:-0}"',
  '',
].join('\n');
// (The redirection first: Wine's cmd would look for "ANAPLAN_JOB_ " with the space before a trailing one.)
const HOOK_BAT = ['@echo off', '>"%HOOK_FILE%" set ANAPLAN_JOB_', 'if not defined HOOK_EXIT set "HOOK_EXIT=0"', 'exit /b %HOOK_EXIT%'];

/** `anaplan-setup export --platform … --out … ARGS --json`, with HOME and the settings in the bench. */
export function exportJob(bench: Bench, platform: 'all' | 'linux' | 'windows', out: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['export', '--platform', platform, '--out', out, ...args, '--json'], {
    env: { HOME: bench.home, ANAPLAN_SETUP_HOME: join(bench.dir, 'settings'), ...env },
  });
}

/** The export's answer, or a failure that shows why the CLI refused. */
export function expectExported(result: CliResult): void {
  if (result.code !== 0) throw new Error(`anaplan-setup export exited ${result.code}: ${result.stdout}${result.stderr}`);
}

// Stand-in for AnaplanClient.sh: prints STANDIN_SAYS (Anaplan Connect's output), records its
// arguments NUL-separated in ARGV_FILE and AC_OAUTH_KEYSTORE_DIR in ENV_FILE, exits with STANDIN_EXIT.
const CLIENT_SH = [
  '#!/bin/bash',
  'if [ -n "${STANDIN_SAYS-}" ]; then echo "$STANDIN_SAYS"; fi',
  'printf \'%s\\0\' "$@" > "$ARGV_FILE"',
  'if [ -n "${ENV_FILE-}" ]; then printf \'AC_OAUTH_KEYSTORE_DIR=%s\\n\' "${AC_OAUTH_KEYSTORE_DIR-}" > "$ENV_FILE"; fi',
  'exit "${STANDIN_EXIT:-0}"',
  '',
].join('\n');

/**
 * Stand-in for AnaplanClient.bat. Like Anaplan's, it turns on delayed expansion and hands its
 * arguments on as they came (%*) to one program, which here is the recorder: it writes its command
 * line, as Java's launcher would get it, to CLIENT_RECORD and exits with CLIENT_EXIT (the recorder's
 * RECORD_FILE and RECORD_EXIT, set here only: a recorder run as the failure hook keeps its own).
 * Before that it prints STANDIN_SAYS (Anaplan Connect's output) and writes AC_OAUTH_KEYSTORE_DIR
 * to ENV_FILE. The recorder's line holds no "!" (refused in values and secrets), so delayed
 * expansion leaves it alone (calibrated, r06).
 */
function clientBat(recorder: string): string[] {
  return [
    '@echo off',
    "rem Stand-in for Anaplan Connect's AnaplanClient.bat (the windows test suite): its arguments go to the recorder as they came.",
    'setlocal EnableExtensions EnableDelayedExpansion',
    'if defined STANDIN_SAYS echo %STANDIN_SAYS%',
    'if defined ENV_FILE >"%ENV_FILE%" 2>nul set AC_OAUTH_KEYSTORE_DIR',
    'set "RECORD_FILE=%CLIENT_RECORD%"',
    'set "RECORD_EXIT=%CLIENT_EXIT%"',
    `"${windowsPath(recorder)}" %*`,
  ];
}

/** Puts both stand-ins into the Anaplan Connect folder. */
export async function placeStandIns(bench: Bench, folder: string): Promise<void> {
  await writeFile(join(folder, 'AnaplanClient.sh'), CLIENT_SH);
  await chmod(join(folder, 'AnaplanClient.sh'), 0o755);
  await writeBat(join(folder, 'AnaplanClient.bat'), clientBat(bench.recorder));
}

export interface JobRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The arguments Anaplan Connect got, or null when the stand-in was not run. */
  argv: string[] | null;
  /** AC_OAUTH_KEYSTORE_DIR as Anaplan Connect saw it ('' when not set), or null when the stand-in was not run. */
  tokenStoreDir: string | null;
  /** What the failure hook was given, or null when it did not run. */
  hook: { exitCode: string; log: string } | null;
}

export interface RunOptions {
  /** In the environment of the run: passwords, and anything else. */
  env?: Record<string, string>;
  /** The stand-in's exit code (CLIENT_EXIT for the .bat's, STANDIN_EXIT for the .sh's). */
  clientExit?: number;
  /** A line the stand-in prints before it exits, as Anaplan Connect would. */
  clientSays?: string;
  /** The exit code of the failure hook (HOOK_EXIT; RECORD_EXIT for a recorder run as the hook). */
  hookExit?: number;
  /** .bat only: USERPROFILE for the run (the job account's profile folder). */
  userProfile?: string;
  /** .bat only: false runs it without JAVA_HOME (the prefix's registry has no Java either). */
  java?: boolean;
}

/** Runs the exported anaplan-connect.sh from elsewhere, as cron would, with the stand-in's record. */
export async function runSh(bench: Bench, script: string, options: RunOptions = {}): Promise<JobRun> {
  const records = await freshRecords(bench, 'sh');
  const run = spawnSync(script, [], {
    cwd: bench.elsewhere,
    env: {
      PATH: `${bench.hooks}:/usr/bin:/bin`,
      HOME: bench.home,
      LANG: 'C.UTF-8',
      ARGV_FILE: records.argv,
      ENV_FILE: records.env,
      HOOK_FILE: records.hook,
      STANDIN_EXIT: String(options.clientExit ?? 0),
      ...(options.clientSays ? { STANDIN_SAYS: options.clientSays } : {}),
      ...(options.hookExit !== undefined ? { HOOK_EXIT: String(options.hookExit) } : {}),
      ...options.env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const recorded = await readOrNull(records.argv);
  return {
    status: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    argv: recorded === null ? null : recorded.split('\0').slice(0, -1),
    tokenStoreDir: parseEnvRecord(await readOrNull(records.env)),
    hook: parseHook(await readOrNull(records.hook)),
  };
}

/**
 * Runs the exported anaplan-connect.bat under the calibrated cmd.exe as Task Scheduler would: a
 * launcher in the bench changes to another folder and starts the .bat by its full path (without
 * CALL, so its exit /b code is cmd's exit code). The paths reach the launcher through the
 * environment (as Unicode: a path written into the launcher would be read in the OEM code page).
 * The recorded command line is split as Java would.
 */
export async function runBatJob(bench: Bench, script: string, options: RunOptions = {}): Promise<JobRun & { commandLine: string | null; hookCommandLine: string | null }> {
  const records = await freshRecords(bench, 'bat');
  const launcher = join(bench.dir, 'run-job.bat');
  // Calibration k02: %~dp0 of a .bat in a folder named with "%" is not what Windows gives.
  if (script.includes('%')) throw new Error(`${script}: a folder named with % is a known Wine difference (k02)`);
  await writeBat(launcher, [
    '@echo off',
    'cd /d "%RUN_FROM%"',
    ...(options.userProfile ? ['set "USERPROFILE=%RUN_PROFILE%"'] : []),
    '"%RUN_JOB%"',
  ]);
  const run: CmdRun = await runBat(launcher, {
    cwd: bench.elsewhere,
    env: {
      RUN_FROM: windowsPath(bench.elsewhere),
      RUN_JOB: windowsPath(script),
      ...(options.userProfile ? { RUN_PROFILE: windowsPath(options.userProfile) } : {}),
      CLIENT_RECORD: windowsPath(records.argv),
      CLIENT_EXIT: String(options.clientExit ?? 0),
      RECORD_FILE: windowsPath(records.hookLine),
      RECORD_EXIT: String(options.hookExit ?? 0),
      ENV_FILE: windowsPath(records.env),
      HOOK_FILE: windowsPath(records.hook),
      WINEPATH: windowsPath(bench.hooks),
      ...(options.java === false ? {} : { JAVA_HOME: windowsPath(bench.javaHome) }),
      ...(options.clientSays ? { STANDIN_SAYS: options.clientSays } : {}),
      ...(options.hookExit !== undefined ? { HOOK_EXIT: String(options.hookExit) } : {}),
      ...options.env,
    },
  });
  const commandLine = await readOrNull(records.argv);
  return {
    ...run,
    commandLine,
    argv: commandLine === null ? null : splitCommandLine(commandLine).slice(1),
    tokenStoreDir: parseEnvRecord(await readOrNull(records.env)),
    hook: parseHook(await readOrNull(records.hook)),
    hookCommandLine: await readOrNull(records.hookLine),
  };
}

async function freshRecords(bench: Bench, kind: string): Promise<{ argv: string; env: string; hook: string; hookLine: string }> {
  const dir = join(bench.dir, `records-${kind}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  return { argv: join(dir, 'argv'), env: join(dir, 'env'), hook: join(dir, 'hook'), hookLine: join(dir, 'hook-line') };
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** `NAME=value` lines (cmd's `set PREFIX` output or the .sh hook's), as a map. */
function lines(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const equals = line.indexOf('=');
    if (equals > 0) map.set(line.slice(0, equals).toUpperCase(), line.slice(equals + 1));
  }
  return map;
}

function parseEnvRecord(text: string | null): string | null {
  if (text === null) return null;
  return lines(text).get('AC_OAUTH_KEYSTORE_DIR') ?? '';
}

function parseHook(text: string | null): { exitCode: string; log: string } | null {
  if (text === null) return null;
  const map = lines(text);
  return { exitCode: map.get('ANAPLAN_JOB_EXIT_CODE') ?? '', log: map.get('ANAPLAN_JOB_LOG') ?? '' };
}

/** Anaplan's workspace and model IDs in the tests (any 32 hex characters). */
export const IDS = ['--workspace-id', '8A81B08E4F6D2B43014FBE8D0A1C2D3E', '--model-id', '75A40874E6B64FA3AE0743278996850F'];
