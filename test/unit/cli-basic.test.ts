import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { REGIONS } from '../../main/anaplan/regions.js';
import { runCli } from '../support/cli.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';

let emulator: Emulator;
let work: string;
let home: string;
const user = SEED.users.integration;
const workspaceId = SEED.workspaces.financePlanning.id;
const modelId = SEED.models.fpa.id;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'cli-'));
  home = await mkdtemp(join(tmpdir(), 'cli-home-'));
});

const env = () => ({ ANAPLAN_SETUP_HOME: join(home, 'settings'), HOME: home });
const endpoints = () => ['--auth-url', emulator.url, '--api-url', emulator.url];

async function passwordFile(value: string): Promise<string> {
  const path = join(work, 'password.txt');
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  return path;
}

describe('anaplan-setup regions', () => {
  test('--json lists all 19 regions with their hosts', async () => {
    const result = await runCli(['regions', '--json']);
    expect(result.code).toBe(0);
    const { regions } = result.json<{ regions: Array<Record<string, string>> }>();
    expect(regions).toHaveLength(19);
    expect(regions.map((r) => r.id)).toEqual(REGIONS.map((r) => r.id));
    expect(regions.find((r) => r.id === 'eu3')).toEqual({
      id: 'eu3',
      name: expect.any(String),
      apiUrl: 'https://eu3.api.anaplan.com',
      authUrl: 'https://eu3.auth.anaplan.com',
      oauthUrl: 'https://eu3.app.anaplan.com',
    });
    expect(regions.find((r) => r.id === 'au1')).toMatchObject({ apiUrl: 'https://api.au1a.app2.anaplan.com', authUrl: 'https://au1a.app2.anaplan.com' });
    expect(regions.find((r) => r.id === 'ca1')).toMatchObject({ apiUrl: 'https://ca1a.api.anaplan.com', oauthUrl: 'https://ca1a.app.anaplan.com' });
  });

  test('every command has --help, and --version prints the version', async () => {
    for (const command of ['regions', 'login', 'export', 'ui']) {
      const result = await runCli([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout).toContain(`anaplan-setup ${command}`);
    }
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('anaplan-setup login --method basic', () => {
  test('the right password: user and workspaces with models, as JSON', async () => {
    const result = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-file', await passwordFile(user.password), ...endpoints(), '--json'], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answer = result.json<{ user: { email: string }; workspaces: Array<{ id: string; name: string; models: Array<{ id: string; name: string }> }> }>();
    expect(answer.user.email).toBe(user.email);
    expect(answer.workspaces.find((w) => w.id === workspaceId)?.models).toContainEqual({ id: modelId, name: 'FP&A Model' });
  });

  test('the password from an environment variable, human output', async () => {
    const result = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'MY_PW', ...endpoints()], { env: { ...env(), MY_PW: user.password } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Login OK: integration\.user@example\.com/);
    expect(result.stdout).toContain(workspaceId);
  });

  test('a wrong password exits non-zero with a message a person understands, and writes nothing', async () => {
    const before = await readdir(work);
    const human = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-file', await passwordFile('not-it'), ...endpoints()], { env: env() });
    expect(human.code).not.toBe(0);
    expect(human.stderr).toMatch(/did not accept this email and password/);
    expect(human.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
    const json = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-file', join(work, 'password.txt'), ...endpoints(), '--json'], { env: env() });
    expect(json.code).not.toBe(0);
    expect(json.json()).toEqual({ error: { code: 'bad_credentials', message: expect.stringMatching(/exception user/) } });
    expect(await readdir(work)).toEqual([...before, 'password.txt'].sort());
    expect(await readdir(home)).toEqual([]);
  });

  test('secrets are never flag values; without a source and without a terminal it says how to give one', async () => {
    const asFlag = await runCli(['login', '--method', 'basic', '--user', user.email, '--password', user.password, ...endpoints(), '--json']);
    expect(asFlag.code).toBe(2);
    expect(asFlag.json<{ error: { code: string } }>().error.code).toBe('bad_input');
    const none = await runCli(['login', '--method', 'basic', '--user', user.email, ...endpoints(), '--json']);
    expect(none.code).toBe(2);
    expect(none.json<{ error: { message: string } }>().error.message).toMatch(/--password-file PATH or --password-env VARIABLE/);
  });

  test('bad flags get clear errors: unknown region, http to a remote host, bad email, missing password file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--user', user.email, '--password-env', 'X', '--region', 'mars1'], /Unknown region "mars1"/],
      [['--user', user.email, '--password-env', 'X', '--auth-url', 'http://auth.example.com', '--api-url', emulator.url], /must start with https/],
      [['--user', 'not-an-email', '--password-env', 'X', ...endpoints()], /--user: must be an email/],
      [['--user', user.email, '--password-file', join(work, 'missing.txt'), ...endpoints()], /does not exist/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['login', '--method', 'basic', ...args, '--json'], { env: { ...env(), X: 'x' } });
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.json<{ error: { message: string } }>().error.message).toMatch(message);
    }
  });
});

describe('anaplan-setup export --method basic', () => {
  test('writes the .sh (0755, LF), the .bat (CRLF) and README.md, with no password, and lists them as JSON', async () => {
    const out = join(work, 'job');
    const result = await runCli(['export', '--method', 'basic', '--user', user.email, '--platform', 'all', '--out', out, '--workspace-id', workspaceId, '--model-id', modelId, '--region', 'eu3', '--json'], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answer = result.json<{ files: string[] }>();
    expect(answer.files.sort()).toEqual(
      ['README.md', 'anaplan-connect.bat', 'anaplan-connect.sh', 'boomi-connection.md', 'informatica-connection.md'].map((name) => join(out, name)),
    );
    const boomi = await readFile(join(out, 'boomi-connection.md'), 'utf8');
    expect(boomi).toContain('https://eu3.api.anaplan.com/2/0');
    expect(boomi).toContain('https://eu3.auth.anaplan.com/token/authenticate');
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    expect((await stat(join(out, 'anaplan-connect.sh'))).mode & 0o777).toBe(0o755);
    expect(sh).not.toContain('\r');
    execFileSync('bash', ['-n', join(out, 'anaplan-connect.sh')]);
    expect(sh).toContain('https://eu3.api.anaplan.com');
    expect(sh).toContain('https://eu3.auth.anaplan.com');
    expect(sh).toContain(workspaceId);
    expect(sh).toContain(modelId);
    const bat = await readFile(join(out, 'anaplan-connect.bat'), 'utf8');
    expect(bat.split('\r\n').length).toBeGreaterThan(10);
    expect(bat.replaceAll('\r\n', '')).not.toContain('\n');
    expect(await readFile(join(out, 'README.md'), 'utf8')).toMatch(/ANAPLAN_PASSWORD/);
  });

  test('refuses to replace files that differ, leaving them untouched; --overwrite replaces and keeps a backup', async () => {
    const out = join(work, 'job');
    const args = ['export', '--method', 'basic', '--user', user.email, '--platform', 'linux', '--out', out, '--json'];
    expect((await runCli(args, { env: env() })).code).toBe(0);
    await writeFile(join(out, 'anaplan-connect.sh'), '# my edits\n');
    const refused = await runCli([...args.slice(0, 4), 'other.user@example.com', ...args.slice(5)], { env: env() });
    expect(refused.code).not.toBe(0);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('file_exists');
    expect(await readFile(join(out, 'anaplan-connect.sh'), 'utf8')).toBe('# my edits\n');
    const replaced = await runCli([...args, '--overwrite'], { env: env() });
    expect(replaced.code).toBe(0);
    const names = await readdir(out);
    expect(names.some((n) => n.startsWith('anaplan-connect.sh') && n.endsWith('.bak'))).toBe(true);
  });

  test('the password is written only when chosen knowingly (inline), and never taken from a flag', async () => {
    const out = join(work, 'inline');
    const result = await runCli(
      ['export', '--method', 'basic', '--user', user.email, '--platform', 'linux', '--out', out, '--password-source', 'inline', '--password-file', await passwordFile('S3cret-Value!'), '--json'],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('S3cret-Value!');
    expect(await readFile(join(out, 'anaplan-connect.sh'), 'utf8')).toContain('S3cret-Value!');
    const envOut = join(work, 'env');
    await runCli(['export', '--method', 'basic', '--user', user.email, '--platform', 'all', '--out', envOut, '--json'], { env: env() });
    for (const name of await readdir(envOut)) expect(await readFile(join(envOut, name), 'utf8')).not.toContain('S3cret-Value!');
  });

  test('--bundle adds one ZIP of the job that unzip reads, with the script still executable', async () => {
    const out = join(work, 'bundled');
    const result = await runCli(['export', '--method', 'basic', '--user', user.email, '--out', out, '--bundle', '--json'], { env: env() });
    expect(result.code, result.stdout).toBe(0);
    expect(result.json<{ files: string[] }>().files).toContain(join(out, 'anaplan-connect-job.zip'));
    execFileSync('unzip', ['-q', join(out, 'anaplan-connect-job.zip'), '-d', join(work, 'unzipped')]);
    expect(await readFile(join(work, 'unzipped', 'anaplan-connect.sh'), 'utf8')).toBe(await readFile(join(out, 'anaplan-connect.sh'), 'utf8'));
    expect((await stat(join(work, 'unzipped', 'anaplan-connect.sh'))).mode & 0o777).toBe(0o755);
    // The same job exported again the same day is unchanged, bundle included.
    const again = await runCli(['export', '--method', 'basic', '--user', user.email, '--out', out, '--bundle', '--json'], { env: env() });
    expect(again.json<{ details: Array<{ status: string }> }>().details.every((f) => f.status === 'unchanged')).toBe(true);
  });

  test('--operation import, proxy and retry options, and --schedule: the job runs unattended as composed', async () => {
    const out = join(work, 'scheduled');
    const result = await runCli(
      ['export', '--method', 'basic', '--user', user.email, '--platform', 'linux', '--out', out, '--operation', 'import', '--file', 'employees.csv', '--local-file', '/data/employees.csv', '--import', 'Employees from employees.csv',
        '--workspace-id', SEED.workspaces.financePlanning.id, '--model-id', SEED.models.fpa.id,
        '--proxy', 'http://proxy.example.com:3128', '--max-retry-count', '5', '--schedule', '02:30', '--json'],
      { env: env() },
    );
    expect(result.code, result.stdout).toBe(0);
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    expect(sh).toContain("Operation=(-file 'employees.csv' -put '/data/employees.csv' -import 'Employees from employees.csv' -execute)");
    expect(sh).toContain("ProxyUrl='http://proxy.example.com:3128'");
    expect(sh).toContain('-maxretrycount "$MaxRetryCount"');
    expect(await readFile(join(out, 'crontab.txt'), 'utf8')).toMatch(/^30 2 \* \* \* /m);
    const outOfRange = await runCli(['export', '--method', 'basic', '--user', user.email, '--out', join(work, 'bad'), '--http-timeout', '10', '--json'], { env: env() });
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.json<{ error: { message: string } }>().error.message).toMatch(/60.*300/);
    const noPort = await runCli(['export', '--method', 'basic', '--user', user.email, '--out', join(work, 'bad'), '--proxy', 'http://proxy.example.com', '--json'], { env: env() });
    expect(noPort.code).toBe(2);
    expect(noPort.json<{ error: { message: string } }>().error.message).toMatch(/port/);
    const incomplete = await runCli(['export', '--method', 'basic', '--user', user.email, '--out', join(work, 'bad'), '--operation', 'process', '--json'], { env: env() });
    expect(incomplete.json<{ error: { message: string } }>().error.message).toMatch(/--process/);
  });

  test('bad input writes nothing: bad IDs, unknown platform, missing --out', async () => {
    for (const extra of [['--workspace-id', 'xyz', '--out', join(work, 'a')], ['--platform', 'solaris', '--out', join(work, 'b')], []]) {
      const result = await runCli(['export', '--method', 'basic', '--user', user.email, ...extra, '--json'], { env: env() });
      expect(result.code, extra.join(' ')).toBe(2);
      expect(result.json<{ error: { code: string } }>().error.code).toBe('bad_input');
    }
    expect(await readdir(work)).toEqual([]);
  });
});
