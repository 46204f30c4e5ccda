import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, isAppError } from '../../main/errors.js';
import {
  buildAnaplanConnectFiles,
  writeAnaplanConnectExport,
  type AnaplanConnectExportRequest,
  type BasicExportRequest,
  type GeneratedFile,
} from '../../main/export/index.js';

/**
 * Shared by the export tests: runs a generated anaplan-connect.sh against a stand-in
 * AnaplanClient.sh that records its arguments, and checks the files the export writes.
 */

export const WORKSPACE_ID = '8A81B08E4F6D2B43014FBE8D0A1C2D3E';
export const MODEL_ID = '75A40874E6B64FA3AE0743278996850F';

/** The connection options every script passes after the credentials, with both IDs given. */
export const CONNECTION_ARGS = ['-service', 'https://api.anaplan.com', '-auth', 'https://auth.anaplan.com', '-workspace_id', WORKSPACE_ID, '-model_id', MODEL_ID];

// An Operation a hostile or unlucky user might enter: every word must reach Anaplan Connect unchanged.
export const HOSTILE_OPERATION = [
  '-file',
  'Sales "Q1" $(touch pwned).csv',
  '-put',
  "/data/it's `touch pwned` $HOME/* ; touch pwned.csv",
  '-import',
  'Sales from Sales.csv',
  '-execute',
];

export function fileNamed(files: GeneratedFile[], name: string): GeneratedFile {
  const file = files.find((candidate) => candidate.name === name);
  if (!file) throw new Error(`${name} was not generated (got ${files.map((f) => f.name).join(', ')})`);
  return file;
}

export function expectBadInput(run: () => unknown, ...fragments: Array<string | RegExp>): AppError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(isAppError(caught, 'bad_input')).toBe(true);
  const error = caught as AppError;
  for (const fragment of fragments) expect(error.message).toMatch(fragment);
  return error;
}

export const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
if (!hasShellcheck) console.warn('shellcheck is not installed: the shellcheck tests are skipped (bash -n still runs).');

/** A .bat must be CRLF throughout, ending with one. */
export function expectCrlfOnly(content: string): void {
  expect(content.endsWith('\r\n')).toBe(true);
  expect(content).not.toMatch(/[^\r]\n/);
  expect(content).not.toMatch(/\r(?!\n)/);
  expect(content.startsWith('@echo off\r\n')).toBe(true);
}

// Records its arguments NUL-separated (NUL cannot occur in an argument) and its working folder.
export const STAND_IN = ['#!/bin/bash', 'printf \'%s\\0\' "$@" > "$ARGV_FILE"', 'pwd -P > "$CWD_FILE"', 'exit "${STANDIN_EXIT:-0}"', ''].join('\n');

// The same, also recording AC_OAUTH_KEYSTORE_DIR as Anaplan Connect would see it: "set" and the
// value after a NUL when it is in its environment, "unset" when not.
export const OAUTH_STAND_IN = [
  '#!/bin/bash',
  'printf \'%s\\0\' "$@" > "$ARGV_FILE"',
  'pwd -P > "$CWD_FILE"',
  'if [ "${AC_OAUTH_KEYSTORE_DIR+set}" = set ]; then printf \'set\\0%s\' "$AC_OAUTH_KEYSTORE_DIR"; else printf unset; fi > "$KEYSTORE_DIR_FILE"',
  'exit "${STANDIN_EXIT:-0}"',
  '',
].join('\n');

export interface Job {
  folder: string;
  script: string;
  elsewhere: string;
  /** HOME of the job's runs: an empty folder under tmp unless the test fills it. */
  home: string;
  env: NodeJS.ProcessEnv;
  run(extraEnv?: NodeJS.ProcessEnv, how?: 'direct' | 'relative'): SpawnSyncReturns<string>;
  argv(): Promise<string[]>;
  cwd(): Promise<string>;
  /** AC_OAUTH_KEYSTORE_DIR as OAUTH_STAND_IN saw it: its value, or null when it was not set. */
  keystoreDir(): Promise<string | null>;
}

// The stand-in for the job-option tests: records its arguments (NUL-separated) and its working
// folder like STAND_IN, records JAVA_HOME ("unset" when not in its environment), prints a line to
// each of stdout and stderr (for the log), and exits with STANDIN_EXIT.
export const JOB_STAND_IN = [
  '#!/bin/bash',
  'printf \'%s\\0\' "$@" > "$ARGV_FILE"',
  'pwd -P > "$CWD_FILE"',
  'if [ "${JAVA_HOME+set}" = set ]; then printf \'set\\0%s\' "$JAVA_HOME"; else printf unset; fi > "$JAVA_HOME_FILE"',
  'echo "stand-in: Anaplan Connect output"',
  'echo "stand-in: Anaplan Connect error output" >&2',
  'exit "${STANDIN_EXIT:-0}"',
  '',
].join('\n');

/**
 * A folder with a hostile name holding the stand-in and the generated script; runs start elsewhere.
 * The dated logs go to <tmp>/job-logs unless the input names a log folder, so that the job folder
 * holds only what the export wrote; `logDir: 'next-to-script'` keeps the script's default (a logs
 * folder next to it).
 */
export async function setUpJob(
  tmp: string,
  input: AnaplanConnectExportRequest,
  options: { standIn?: 'missing' | 'not-executable'; client?: string; logDir?: 'next-to-script' } = {},
): Promise<Job> {
  const folder = join(tmp, "Anaplan Connect 'q' $HOME `x`");
  const elsewhere = join(tmp, 'elsewhere');
  const home = join(tmp, 'home');
  await Promise.all([mkdir(folder), mkdir(elsewhere), mkdir(home)]);
  if (options.standIn !== 'missing') {
    await writeFile(join(folder, 'AnaplanClient.sh'), options.client ?? STAND_IN);
    await chmod(join(folder, 'AnaplanClient.sh'), options.standIn === 'not-executable' ? 0o644 : 0o755);
  }
  const logDir = options.logDir === 'next-to-script' ? {} : { logDir: join(tmp, 'job-logs') };
  await writeAnaplanConnectExport(folder, { ...logDir, ...input, platforms: ['linux'] }, { overwrite: false });
  const argvFile = join(tmp, 'argv.bin');
  const cwdFile = join(tmp, 'cwd.txt');
  const keystoreDirFile = join(tmp, 'keystore-dir.bin');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    ARGV_FILE: argvFile,
    CWD_FILE: cwdFile,
    KEYSTORE_DIR_FILE: keystoreDirFile,
    JAVA_HOME_FILE: join(tmp, 'java-home.bin'),
    LC_ALL: 'C.UTF-8',
  };
  const script = join(folder, 'anaplan-connect.sh');
  return {
    folder,
    script,
    elsewhere,
    home,
    env,
    run(extraEnv = {}, how = 'direct') {
      const [command, args] = how === 'direct' ? [script, []] : ['bash', [join('..', folder.slice(tmp.length + 1), 'anaplan-connect.sh')]];
      return spawnSync(command, args, { cwd: elsewhere, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 30_000 });
    },
    async argv() {
      const recorded = await readFile(argvFile, 'utf8');
      return recorded.split('\0').slice(0, -1);
    },
    async cwd() {
      return (await readFile(cwdFile, 'utf8')).trimEnd();
    },
    async keystoreDir() {
      const recorded = await readFile(keystoreDirFile, 'utf8');
      if (recorded === 'unset') return null;
      expect(recorded.startsWith('set\0')).toBe(true);
      return recorded.slice('set\0'.length);
    },
  };
}

/** No file named pwned* appeared anywhere under tmp: no value was run as a command. */
export async function expectNothingExecuted(tmp: string): Promise<void> {
  const all = await readdir(tmp, { recursive: true });
  expect(all.filter((entry) => entry.split('/').pop()?.startsWith('pwned'))).toEqual([]);
}

/** The Operation ends argv, and every given auth or connection option comes before its first word. */
export function expectOptionsBeforeOperation(argv: string[], operation: string[], options: string[]): void {
  const firstOperationWord = argv.length - operation.length;
  expect(argv.slice(firstOperationWord)).toEqual(operation);
  for (const option of options) {
    const index = argv.indexOf(option);
    if (index !== -1) expect(index, option).toBeLessThan(firstOperationWord);
  }
}

/** A fresh temporary folder (named from prefix) for each test, handed to use and removed after it. */
export function useTempDir(prefix: string, use: (dir: string) => void): void {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    use(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}

/** Writes the anaplan-connect.sh generated from input into dir, and returns its path. */
export async function writeShIn(dir: string, input: AnaplanConnectExportRequest): Promise<string> {
  const path = join(dir, 'anaplan-connect.sh');
  await writeFile(path, fileNamed(buildAnaplanConnectFiles(input), 'anaplan-connect.sh').content);
  return path;
}

/** bash -n finds nothing wrong with the script at path. */
export function expectBashSyntaxOk(path: string): void {
  const syntax = spawnSync('bash', ['-n', path], { encoding: 'utf8' });
  expect(syntax.stderr).toBe('');
  expect(syntax.status).toBe(0);
}

/** shellcheck at the given severity finds nothing in the script at path. */
export function expectShellcheckClean(path: string, severity: 'style' | 'warning'): void {
  const check = spawnSync('shellcheck', ['-S', severity, path], { encoding: 'utf8' });
  expect(check.stdout).toBe('');
  expect(check.status).toBe(0);
}

/** The files are the .sh (LF, bash), the CRLF .bat and the README, in that order; returns the scripts. */
export function expectScriptsAndReadme(files: GeneratedFile[]): { sh: GeneratedFile; bat: GeneratedFile } {
  expect(files.map((file) => file.name)).toEqual(['anaplan-connect.sh', 'anaplan-connect.bat', 'README.md']);
  const sh = fileNamed(files, 'anaplan-connect.sh');
  expect(sh.content).not.toContain('\r');
  expect(sh.content.startsWith('#!/bin/bash\n')).toBe(true);
  const bat = fileNamed(files, 'anaplan-connect.bat');
  expectCrlfOnly(bat.content);
  return { sh, bat };
}

type SharedFields = Pick<BasicExportRequest, 'serviceUrl' | 'authUrl' | 'workspaceId' | 'modelId' | 'platforms' | 'profileName' | 'regionName' | 'generatedBy' | 'generatedAt'>;

/** The fields the export tests' inputs share (Anaplan's public URLs, Europe 1), with overrides. */
export function sharedFields(overrides: Partial<SharedFields> = {}): SharedFields {
  return {
    serviceUrl: 'https://api.anaplan.com',
    authUrl: 'https://auth.anaplan.com',
    workspaceId: WORKSPACE_ID,
    modelId: MODEL_ID,
    platforms: ['linux', 'windows'],
    profileName: 'Production',
    regionName: 'Europe 1 (eu1)',
    generatedBy: 'Anaplan Connect Setup Assistant 0.1.0',
    generatedAt: new Date('2026-05-01T10:00:00Z'),
    ...overrides,
  };
}

/**
 * The syntax tests of the generated .sh, one of each per case: bash -n with the ordinary and the
 * hostile input, shellcheck at style level with the ordinary one, at warning level with the hostile
 * one. Hostile values add only SC2016 (info: "$HOME" inside single quotes does not expand), which
 * is the point.
 */
export function itPassesShellChecks<T, R extends AnaplanConnectExportRequest>(
  cases: Array<[string, T]>,
  writeSh: (input: R) => Promise<string>,
  inputs: { ordinary: (value: T) => R; hostile: (value: T) => R },
  titles: { prefix?: string; style?: string } = {},
): void {
  const prefix = titles.prefix ?? '%s';
  it.each(cases)(`${prefix}: the .sh passes bash -n, with ordinary and hostile values`, async (_label, value) => {
    for (const input of [inputs.ordinary(value), inputs.hostile(value)]) {
      expectBashSyntaxOk(await writeSh(input));
    }
  });

  it.skipIf(!hasShellcheck).each(cases)(`${prefix}: ${titles.style ?? 'shellcheck passes at every level with ordinary values'}`, async (_label, value) => {
    expectShellcheckClean(await writeSh(inputs.ordinary(value)), 'style');
  });

  it.skipIf(!hasShellcheck).each(cases)(`${prefix}: shellcheck -S warning passes with hostile values`, async (_label, value) => {
    expectShellcheckClean(await writeSh(inputs.hostile(value)), 'warning');
  });
}
