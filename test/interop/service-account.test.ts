import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { runCli, runNdjsonCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS } from '../emulator/server.js';
import { ANAPLAN_CONNECT_DIR, interopSkipReason } from './client.js';
import { SUCCESS, exportJob, useInterop } from './harness.js';
import { runAsCron, serviceAccount } from './service-accounts.js';

/**
 * The person in the seeds: a headless Linux server, the OAuth device grant, and a job that cron
 * runs as a service account. As root: a real account (useradd), the device sign-in and the export
 * with --run-as, then the crontab line run as cron runs it (that account, PATH=/usr/bin:/bin, its
 * home), with no command typed between the export and the run.
 */
const isRoot = process.getuid?.() === 0;
const skipReason = interopSkipReason() ?? (!isRoot ? 'not root (useradd needs it)' : !serviceAccount.available ? 'no useradd/runuser here' : null);
if (skipReason && interopSkipReason() === null) console.log(`interop service-account journey: skipped: ${skipReason}`);

const account = serviceAccount.name('svc-ac');
const user = SEED.users.integration;
const client = SEED_OAUTH_CLIENTS.rotatable;

describe.skipIf(skipReason !== null)('the whole journey for a service account run by cron', () => {
  const interop = useInterop('service-account', { oauth: { interval: 1 } });
  let home = '';
  let jobRoot = '';

  beforeAll(() => {
    ({ home } = serviceAccount.add(account));
  });
  afterAll(async () => {
    serviceAccount.remove(account);
    if (jobRoot) await rm(jobRoot, { recursive: true, force: true });
  });

  test('device sign-in and export with --run-as, then the crontab line runs twice as that account, the rotated token saved each time', async () => {
    const url = interop.emulator.url;
    const signIn = await runNdjsonCli(['oauth', '--client-id', client.clientId, '--rotatable', '--run-as', account, '--auth-url', url, '--api-url', url, '--oauth-url', url, '--json'], {
      env: { HOME: interop.work, ANAPLAN_SETUP_HOME: join(interop.work, 'settings') },
      onEvent: (event) => {
        if (event.event === 'code') interop.emulator.approveDevice(String(event.userCode), user.email);
      },
    });
    expect(signIn.exit, signIn.stderr).toBe(0);
    const done = signIn.events.find((event) => event.event === 'done') ?? {};
    const store = join(home, tokenStoreFileName(client.clientId));
    expect(done).toMatchObject({ tokenStore: store, runAs: account, handOverCommands: [] });
    expect(String(done.next)).toContain(`--run-as ${account}`);
    const storeInfo = await stat(store);
    expect(storeInfo.mode & 0o777).toBe(0o600);
    expect(storeInfo.uid).toBe(Number(spawnSync('id', ['-u', account], { encoding: 'utf8' }).stdout.trim()));

    // A folder the account can reach (mkdtemp makes it 0700 for root).
    jobRoot = await mkdtemp(join(tmpdir(), 'interop-svc-'));
    await chmod(jobRoot, 0o755);
    const job = join(jobRoot, 'nightly');
    const exported = await exportJob(
      interop,
      ['--method', 'oauth', '--client-id', client.clientId, '--rotatable', '--run-as', account, '--out', job, '--workspace-id', SEED.workspaces.financePlanning.id, '--model-id', SEED.models.fpa.id,
        '--operation', 'process', '--process', SEED.modelObjects.processes[0].name, '--schedule', '02:30'],
      { oauth: true },
    );
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    const answer = exported.json<{ warnings: string[]; runAs: string; handOverCommands: string[] }>();
    expect(answer).toMatchObject({ runAs: account, handOverCommands: [] });
    expect(answer.warnings.join(' ')).not.toMatch(/cannot open/);
    expect((await stat(job)).uid).toBe(storeInfo.uid);

    const crontab = await readFile(join(job, 'crontab.txt'), 'utf8');
    expect(crontab).toContain(`crontab -u ${account}`);
    const line = crontab.trimEnd().split('\n').at(-1) ?? '';
    expect(line).toMatch(/^30 2 \* \* \* /);
    const command = line.split(' ').slice(5).join(' ');
    expect(command).toBe(join(job, 'anaplan-connect.sh'));
    expect(await readFile(join(job, 'anaplan-connect.sh'), 'utf8')).toContain(`AnaplanConnectDir='${ANAPLAN_CONNECT_DIR}'`);

    const stores: string[] = [(await readFile(store)).toString('base64')];
    for (const _ of [1, 2]) {
      const run = await runAsCron(account, command, home);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain(SUCCESS);
      stores.push((await readFile(store)).toString('base64'));
    }
    expect(new Set(stores).size).toBe(3);
    expect((await stat(store)).uid).toBe(storeInfo.uid);

    // check-job as root checks the job as its account: the rotated store stays that account's.
    const check = await runCli(['check-job', job, '--json']);
    expect(check.code, check.stdout).toBe(0);
    expect(check.json<{ checks: Array<{ name: string; message: string }> }>().checks.find((item) => item.name === 'sign-in')?.message).toContain(`run as ${account}`);
    expect((await stat(store)).uid).toBe(storeInfo.uid);
    expect((await stat(store)).mode & 0o777).toBe(0o600);
  });
});

describe.skipIf(skipReason !== null)('an administrator without root prepares the job of another account', () => {
  const interop = useInterop('service-account-staged', { oauth: { interval: 1 } });
  const admin = serviceAccount.name('adm-ac');
  const service = serviceAccount.name('svc-st');
  let adminHome = '';
  let serviceHome = '';
  let serviceUid = -1;

  beforeAll(() => {
    ({ home: adminHome } = serviceAccount.add(admin));
    ({ home: serviceHome, uid: serviceUid } = serviceAccount.add(service));
  });
  afterAll(() => {
    serviceAccount.remove(admin);
    serviceAccount.remove(service);
  });

  test('the token store is staged, never half-placed; the sudo install commands shown place it for the account, as its own', async () => {
    const url = interop.emulator.url;
    const signIn = await runNdjsonCli(['oauth', '--client-id', client.clientId, '--run-as', service, '--auth-url', url, '--api-url', url, '--oauth-url', url, '--json'], {
      env: { HOME: adminHome, ANAPLAN_SETUP_HOME: join(adminHome, 'settings') },
      asAccount: admin,
      onEvent: (event) => {
        if (event.event === 'code') interop.emulator.approveDevice(String(event.userCode), user.email);
      },
    });
    expect(signIn.exit, signIn.stderr).toBe(0);
    const done = signIn.events.find((event) => event.event === 'done') ?? {};
    const store = join(serviceHome, tokenStoreFileName(client.clientId));
    expect(done.tokenStore).toBe(store);
    const commands = done.handOverCommands as string[];
    expect(commands.join('\n')).toMatch(new RegExp(`^sudo install -o ${service} .*-m 600 .*\\.anaplan-setup-handover/${service}/.* '?${store}'?$`, 'm'));
    // Nothing was written where this account may not write: the store waits in its own staging folder.
    expect(spawnSync('test', ['-e', store]).status).not.toBe(0);

    // What a person with root pastes: the commands as shown (sudo is this test's root already).
    for (const command of commands) {
      const ran = spawnSync('sh', ['-c', command.replace(/^sudo /, '')], { encoding: 'utf8' });
      expect(ran.status, `${command}: ${ran.stderr}`).toBe(0);
    }
    const placed = await stat(store);
    expect(placed.uid).toBe(serviceUid);
    expect(placed.mode & 0o777).toBe(0o600);
    expect(readTokenStore(await readFile(store), client.clientId)).toMatch(/\S/);
    expect(spawnSync('test', ['-e', join(adminHome, '.anaplan-setup-handover', service)]).status).not.toBe(0);
  });

  test("a Test login by an account that could not save a rotated token asks Anaplan nothing and says whose store it is", async () => {
    const url = interop.emulator.url;
    const store = join(serviceHome, tokenStoreFileName(client.clientId));
    // Readable by the administrator (the home 0755, the store 0644), writable only by its owner.
    expect((await stat(serviceHome)).mode & 0o777).toBe(0o755);
    await chmod(store, 0o644);
    const before = await readFile(store);
    const refreshes = () => interop.emulator.log.filter((entry) => entry.path === '/oauth/token' && entry.body.includes('refresh_token')).length;
    const asked = refreshes();
    const login = await runNdjsonCli(['login', '--method', 'oauth', '--client-id', client.clientId, '--token-store-dir', serviceHome, '--auth-url', url, '--api-url', url, '--oauth-url', url, '--json'], {
      env: { HOME: adminHome, ANAPLAN_SETUP_HOME: join(adminHome, 'settings') },
      asAccount: admin,
    });
    expect(login.exit).not.toBe(0);
    const error = (login.events[0]?.error ?? {}) as { code?: string; message?: string };
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(/cannot write in its folder.*belongs to the account that runs the job.*Nothing was sent to Anaplan/);
    expect(refreshes()).toBe(asked);
    expect((await readFile(store)).equals(before)).toBe(true);
    // As placed (0600): not even readable by the administrator, and said so, not "no token store".
    await chmod(store, 0o600);
    const unreadable = await runNdjsonCli(['login', '--method', 'oauth', '--client-id', client.clientId, '--token-store-dir', serviceHome, '--auth-url', url, '--api-url', url, '--oauth-url', url, '--json'], {
      env: { HOME: adminHome, ANAPLAN_SETUP_HOME: join(adminHome, 'settings') },
      asAccount: admin,
    });
    expect(String((unreadable.events[0]?.error as { message?: string } | undefined)?.message)).toMatch(/^This account cannot read .*belongs to the account that runs the job/);
    expect(refreshes()).toBe(asked);
  });
});
