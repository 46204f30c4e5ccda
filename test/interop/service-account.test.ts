import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { runCli, runNdjsonCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS } from '../emulator/server.js';
import { ANAPLAN_CONNECT_DIR, interopSkipReason } from './client.js';
import { SUCCESS, exportJob, useInterop, type JobRun } from './harness.js';

/**
 * The person in the seeds: a headless Linux server, the OAuth device grant, and a job that cron
 * runs as a service account. As root: a real account (useradd), the device sign-in and the export
 * with --run-as, then the crontab line run as cron runs it (that account, PATH=/usr/bin:/bin, its
 * home), with no command typed between the export and the run.
 */
const isRoot = process.getuid?.() === 0;
const hasUseradd = spawnSync('useradd', ['--help']).status === 0 && spawnSync('runuser', ['--help']).status === 0;
const skipReason = interopSkipReason() ?? (!isRoot ? 'not root (useradd needs it)' : !hasUseradd ? 'no useradd/runuser here' : null);
if (skipReason && interopSkipReason() === null) console.log(`interop service-account journey: skipped: ${skipReason}`);

const account = `svc-ac-${process.pid}`;
const user = SEED.users.integration;
const client = SEED_OAUTH_CLIENTS.rotatable;

/** The crontab line's command, run as cron runs it: as the account, with cron's short environment. */
function runAsCron(command: string, home: string): Promise<JobRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', account, '--', 'env', '-i', 'PATH=/usr/bin:/bin', `HOME=${home}`, `LOGNAME=${account}`, 'SHELL=/bin/sh', '/bin/sh', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, output: `${stdout}\n${stderr}` }));
  });
}

describe.skipIf(skipReason !== null)('the whole journey for a service account run by cron', () => {
  const interop = useInterop('service-account', { oauth: { interval: 1 } });
  let home = '';
  let jobRoot = '';

  beforeAll(() => {
    const added = spawnSync('useradd', ['--create-home', '--shell', '/bin/sh', account], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`useradd failed: ${added.stderr}`);
    home = spawnSync('getent', ['passwd', account], { encoding: 'utf8' }).stdout.split(':')[5] ?? '';
  });
  afterAll(async () => {
    spawnSync('userdel', ['--remove', account]);
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
      const run = await runAsCron(command, home);
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
