import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { runCli, runNdjsonCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS } from '../emulator/server.js';
import { interopSkipReason } from './client.js';
import { exportJob, runJob, useInterop } from './harness.js';

/** `anaplan-setup check-job DIR`: the static checks, then the job's own --check with the real Anaplan Connect. */
const user = SEED.users.integration;
const workspaceId = SEED.workspaces.financePlanning.id;
const ids = ['--workspace-id', workspaceId, '--model-id', SEED.models.fpa.id];
const processName = SEED.modelObjects.processes[0].name;

interface CheckAnswer {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; message: string }>;
  workspaces: Array<{ id: string; name: string }>;
}

const failedNames = (answer: CheckAnswer) => answer.checks.filter((check) => !check.ok).map((check) => check.name);

describe.skipIf(interopSkipReason() !== null)('anaplan-setup check-job with the real Anaplan Connect', () => {
  const interop = useInterop('check-job', { oauth: { interval: 1 } });

  test('Basic: a good job passes every check and lists the workspaces; a wrong password fails the sign-in, explained', async () => {
    const job = join(interop.work, 'basic-job');
    expect((await exportJob(interop, ['--method', 'basic', '--user', user.email, '--out', job, ...ids, '--operation', 'process', '--process', processName])).code).toBe(0);
    const before = interop.emulator.tasks.length;

    const good = await runCli(['check-job', job, '--json'], { env: { ANAPLAN_PASSWORD: user.password } });
    expect(good.code, good.stdout).toBe(0);
    const answer = good.json<CheckAnswer>();
    expect(answer.ok).toBe(true);
    expect(answer.checks.map((check) => check.name)).toEqual(['script', 'anaplan-connect', 'java', 'password', 'log', 'sign-in', 'workspace']);
    expect(answer.workspaces).toEqual(expect.arrayContaining([{ id: workspaceId, name: SEED.workspaces.financePlanning.name }]));
    expect(interop.emulator.tasks.length).toBe(before); // nothing of the Operation ran

    const wrong = await runCli(['check-job', job, '--json'], { env: { ANAPLAN_PASSWORD: 'not-the-password' } });
    expect(wrong.code).toBe(1);
    const refused = wrong.json<CheckAnswer>();
    expect(refused.ok).toBe(false);
    expect(failedNames(refused)).toEqual(['sign-in']);
    expect(refused.checks.find((check) => check.name === 'sign-in')?.message).toMatch(/CHECK FAILED: Anaplan refused the user and password/);

    const human = await runCli(['check-job', job], { env: {} });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/FAILED password +ANAPLAN_PASSWORD is not set/);
  });

  test('OAuth: a missing token store and a store open to other accounts are named; the sign-in is not attempted without it', async () => {
    const client = SEED_OAUTH_CLIENTS.deviceGrant;
    const tokenStoreDir = join(interop.work, 'tokens');
    const job = join(interop.work, 'oauth-job');
    const url = interop.emulator.url;
    expect((await exportJob(interop, ['--method', 'oauth', '--client-id', client.clientId, '--token-store-dir', tokenStoreDir, '--out', job, ...ids, '--operation', 'process', '--process', processName], { oauth: true })).code).toBe(0);
    const signIn = await runNdjsonCli(['oauth', '--client-id', client.clientId, '--token-store-dir', tokenStoreDir, '--auth-url', url, '--api-url', url, '--oauth-url', url, '--json'], {
      env: { HOME: interop.work, ANAPLAN_SETUP_HOME: join(interop.work, 'settings') },
      onEvent: (event) => {
        if (event.event === 'code') interop.emulator.approveDevice(String(event.userCode), user.email);
      },
    });
    expect(signIn.exit).toBe(0);
    const store = join(tokenStoreDir, tokenStoreFileName(client.clientId));

    const good = await runCli(['check-job', job, '--json']);
    expect(good.code, good.stdout).toBe(0);
    expect(good.json<CheckAnswer>().ok).toBe(true);

    await chmod(store, 0o644);
    const open = (await runCli(['check-job', job, '--json'])).json<CheckAnswer>();
    expect(failedNames(open)).toEqual(['token-store']);
    expect(open.checks.find((check) => check.name === 'token-store')?.message).toMatch(/chmod 600/);

    await rm(store);
    const missing = await runCli(['check-job', job, '--json']);
    expect(missing.code).toBe(1);
    const answer = missing.json<CheckAnswer>();
    expect(failedNames(answer)).toEqual(['token-store', 'sign-in']);
    expect(answer.checks.find((check) => check.name === 'token-store')?.message).toMatch(/was not found/);
    expect(answer.checks.find((check) => check.name === 'sign-in')?.message).toMatch(/exit code 2.*token store/s);
    // The job's own --check says the same.
    const script = await runJob(join(job, 'anaplan-connect.sh'), { HOME: interop.work }, ['--check']);
    expect(script.status).toBe(2);
  });

  test('a folder that holds no job is bad input (exit 2), saying what to give', async () => {
    const result = await runCli(['check-job', interop.work, '--json']);
    expect(result.code).toBe(2);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/holds no anaplan-connect\.sh/);
  });
});
