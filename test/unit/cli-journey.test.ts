import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jobAccount } from '../../main/core/job-account.js';
import { runCli, runNdjsonCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * The journey of the person in the seeds through the command line: what to ask the administrator,
 * the account that runs the job, a schedule that would fail every night, a client that rotates
 * without being told, and what is left before tonight's run.
 */
let emulator: Emulator;
let work: string;
const user = SEED.users.integration;
const ids = ['--workspace-id', SEED.workspaces.financePlanning.id, '--model-id', SEED.models.fpa.id];

beforeAll(async () => {
  emulator = await startEmulator({ oauth: { interval: 1 } });
  work = await mkdtemp(join(tmpdir(), 'cli-journey-'));
});
afterAll(() => emulator.close());

const endpoints = () => ['--auth-url', emulator.url, '--api-url', emulator.url, '--oauth-url', emulator.url];

test('a command-line mistake is reported once, in one line, with the way to the help', async () => {
  for (const args of [['frobnicate'], ['export', '--bogus']]) {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Error \(bad_input\): .*\(run with --help for usage\)$/);
  }
});

test('ui on a port already in use says so and how to go on', async () => {
  const { createServer } = await import('node:net');
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const result = await runCli(['ui', '--no-open', '--port', String(port)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain(`anaplan-setup ui --port ${port + 1}`);
    expect(result.stderr).not.toMatch(/EADDRINUSE|Something unexpected/);
  } finally {
    taken.close();
  }
});

describe('anaplan-setup admin-checklist', () => {
  test.each([
    ['basic', [/SSO exception user/, /untick "Single Sign-On"/, /need not be a Tenant Administrator/, /30, 60 or 90 days/, /IP allowlist/, /Workspace access/]],
    ['certificate', [/registers the leaf certificate/, /certificate\.pem/, /email should not be blank \[null\]/, /Multipurpose/, /IP allowlist/]],
    ['oauth', [/SSO exception user/, /Device grant OAuth client/, /client ID/, /refresh tokens rotate/, /lifetime/, /30, 60 or 90 days/, /IP allowlist/]],
  ] as const)('--method %s: Markdown on stdout with what to ask for', async (method, expected) => {
    const result = await runCli(['admin-checklist', '--method', method]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# What to ask your Anaplan administrator/);
    for (const pattern of expected) expect(result.stdout).toMatch(pattern);
    expect(result.stdout.match(/^- \[ \] /gm)?.length).toBeGreaterThanOrEqual(4);
  });

  test('a wrong method is bad input', async () => {
    const result = await runCli(['admin-checklist', '--method', 'saml', '--json']);
    expect(result.code).toBe(2);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/basic, certificate or oauth/);
  });
});

describe('export: the account, the schedule and what is left', () => {
  test('an account that does not exist is refused before anything is written, saying how to create it', async () => {
    const result = await runCli(['export', '--method', 'basic', '--user', user.email, '--out', join(work, 'nobody'), '--run-as', 'no-such-account-xyz', ...endpoints(), '--json']);
    expect(result.code).toBe(2);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/There is no account "no-such-account-xyz".*useradd/);
  });

  test('a schedule without an Operation is refused (it would exit 2 every night)', async () => {
    const result = await runCli(['export', '--method', 'basic', '--user', user.email, '--out', join(work, 'no-op'), ...ids, '--schedule', '02:30', ...endpoints(), '--json']);
    expect(result.code).toBe(2);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/scheduled job needs an Operation/);
  });

  test('crontab.txt names the script where it was written; the next steps carry the real paths and the account', async () => {
    const out = join(work, 'scheduled');
    const me = userInfo().username;
    const result = await runCli([
      'export', '--method', 'oauth', '--client-id', SEED_OAUTH_CLIENTS.deviceGrant.clientId, '--token-store-dir', join(work, 'tokens'), '--out', out, ...ids,
      '--operation', 'process', '--process', 'Nightly Load', '--schedule', '02:30', '--schedule-account', me, ...endpoints(), '--json',
    ]);
    expect(result.code, result.stdout).toBe(0);
    const crontab = await readFile(join(out, 'crontab.txt'), 'utf8');
    expect(crontab.trimEnd().split('\n').at(-1)).toBe(`30 2 * * * ${join(out, 'anaplan-connect.sh')}`);
    expect(crontab).not.toContain('/path/to/');
    const { nextSteps, runAs } = result.json<{ nextSteps: Array<{ text: string; command?: string }>; runAs: string }>();
    expect(runAs).toBe(me);
    const commands = nextSteps.map((step) => step.command ?? '').join('\n');
    expect(commands).toContain(`sudo -u ${me} -H '${join(out, 'anaplan-connect.sh')}' --check`);
    expect(commands).toContain(`tail -n 1 '${join(out, 'crontab.txt')}') | crontab -u ${me} -`);
    // OAuth: no password anywhere in what is left to do.
    expect(JSON.stringify(nextSteps)).not.toMatch(/ANAPLAN_PASSWORD|password of/);
  });

  test('the current account is what --run-as means by default, and its home is where Java looks', () => {
    const me = jobAccount();
    expect(me).toMatchObject({ name: userInfo().username, uid: userInfo().uid, current: true });
    expect(jobAccount(userInfo().username).current).toBe(true);
  });
});

describe('login --method oauth: a client whose refresh tokens rotate, not said to', () => {
  test('the refresh returns a new token: "rotated": true, a warning that the job needs --rotatable, the new token saved', async () => {
    const client = SEED_OAUTH_CLIENTS.rotatable;
    const dir = join(work, 'rotating');
    const signIn = await runNdjsonCli(['oauth', '--client-id', client.clientId, '--token-store-dir', dir, ...endpoints(), '--json'], {
      env: { HOME: work },
      onEvent: (event) => {
        if (event.event === 'code') emulator.approveDevice(String(event.userCode), user.email);
      },
    });
    expect(signIn.exit, signIn.stderr).toBe(0);
    const done = signIn.events.find((event) => event.event === 'done');
    // The hint repeats the endpoints, so it can be pasted as it is.
    expect(String(done?.next)).toContain(`--api-url ${emulator.url}`);
    const login = await runCli(['login', '--method', 'oauth', '--client-id', client.clientId, '--token-store-dir', dir, ...endpoints(), '--json'], { env: { HOME: work } });
    expect(login.code, login.stdout).toBe(0);
    const answer = login.json<{ rotated: boolean; warnings: string[] }>();
    expect(answer.rotated).toBe(true);
    expect(answer.warnings.join(' ')).toMatch(/refresh tokens rotate.*--rotatable/);
    const known = await runCli(['login', '--method', 'oauth', '--client-id', client.clientId, '--token-store-dir', dir, '--rotatable', ...endpoints(), '--json'], { env: { HOME: work } });
    expect(known.json<{ rotated: boolean; warnings?: string[] }>()).toMatchObject({ rotated: true });
    expect(known.json<{ warnings?: string[] }>().warnings ?? []).toEqual([]);
  });
});
