import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { runNdjsonCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS } from '../emulator/server.js';
import { ANAPLAN_CONNECT_DIR, interopSkipReason } from './client.js';
import { SUCCESS, exportJob, runJob, useInterop, type Interop } from './harness.js';

/**
 * OAuth device-grant jobs: the assistant's device sign-in leaves the refresh token in Anaplan
 * Connect's own token store, and the real client signs in with it, unattended, run after run.
 */
const user = SEED.users.integration;
const workspaceId = SEED.workspaces.financePlanning.id;
const modelId = SEED.models.fpa.id;
const ids = ['--workspace-id', workspaceId, '--model-id', modelId];
const processName = SEED.modelObjects.processes[0].name;

/** `anaplan-setup oauth`, the code approved on the emulator as the user would in a browser. */
async function signIn(interop: Interop, clientId: string, tokenStoreDir: string, rotatable: boolean): Promise<void> {
  const url = interop.emulator.url;
  const run = await runNdjsonCli(['oauth', '--client-id', clientId, ...(rotatable ? ['--rotatable'] : []), '--token-store-dir', tokenStoreDir, '--auth-url', url, '--api-url', url, '--oauth-url', url, '--json'], {
    env: { HOME: interop.work, ANAPLAN_SETUP_HOME: join(interop.work, 'settings') },
    onEvent: (event) => {
      if (event.event === 'code') interop.emulator.approveDevice(String(event.userCode), user.email);
    },
  });
  expect(run.exit, run.stderr + JSON.stringify(run.events)).toBe(0);
}

async function oauthJob(interop: Interop, name: string, clientId: string, options: { rotatableFlag: boolean }): Promise<{ script: string; store: string }> {
  const tokenStoreDir = join(interop.work, `${name}-tokens`);
  const job = join(interop.work, name);
  const exported = await exportJob(
    interop,
    ['--method', 'oauth', '--client-id', clientId, ...(options.rotatableFlag ? ['--rotatable'] : []), '--token-store-dir', tokenStoreDir, '--out', job, ...ids, '--operation', 'process', '--process', processName],
    { oauth: true },
  );
  expect(exported.code, exported.stdout).toBe(0);
  return { script: join(job, 'anaplan-connect.sh'), store: join(tokenStoreDir, tokenStoreFileName(clientId)) };
}

const storedToken = async (store: string, clientId: string) => readTokenStore(await readFile(store), clientId);

describe.skipIf(interopSkipReason() !== null)('OAuth jobs with the real Anaplan Connect', () => {
  // Anaplan Connect's --forceRegister polls every 3 s from the start, whatever the server asks.
  const interop = useInterop('oauth', { oauth: { interval: 1, slowDown: false } });

  test('non-rotating client: the job signs in with the stored refresh token, twice', async () => {
    const client = SEED_OAUTH_CLIENTS.deviceGrant;
    const { script, store } = await oauthJob(interop, 'oauth-fixed', client.clientId, { rotatableFlag: false });
    await signIn(interop, client.clientId, join(interop.work, 'oauth-fixed-tokens'), false);
    for (const _ of [1, 2]) {
      const run = await runJob(script, { HOME: interop.work });
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain(SUCCESS);
    }
    expect(await storedToken(store, client.clientId)).toBeTruthy();
  });

  test('rotating client with --rotatable: run twice, the new refresh token saved each time', async () => {
    const client = SEED_OAUTH_CLIENTS.rotatable;
    const { script, store } = await oauthJob(interop, 'oauth-rotating', client.clientId, { rotatableFlag: true });
    await signIn(interop, client.clientId, join(interop.work, 'oauth-rotating-tokens'), true);
    const seen = [await storedToken(store, client.clientId)];
    for (const _ of [1, 2]) {
      const run = await runJob(script, { HOME: interop.work });
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain(SUCCESS);
      seen.push(await storedToken(store, client.clientId));
    }
    expect(new Set(seen).size).toBe(3);
  });

  test('control: a rotating client exported without --rotatable fails on its second run, with the client\'s message', async () => {
    const client = SEED_OAUTH_CLIENTS.rotatable;
    const { script } = await oauthJob(interop, 'oauth-not-rotatable', client.clientId, { rotatableFlag: false });
    await signIn(interop, client.clientId, join(interop.work, 'oauth-not-rotatable-tokens'), false);
    const first = await runJob(script, { HOME: interop.work });
    expect(first.status, first.output).toBe(0);
    const second = await runJob(script, { HOME: interop.work });
    expect(second.status).toBe(1);
    // Anaplan Connect prints "The refresh token has expired…" for a 403, the Feign error for the RFC 6749 400 invalid_grant the emulator sends.
    expect(second.output).toMatch(/The refresh token has expired|invalid_grant/);
    const check = await runJob(script, { HOME: interop.work }, ['--check']);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/CHECK FAILED: .*set Rotatable=yes/);
  });

  test('the --forceRegister command the exported README gives, run verbatim and approved, leaves a store the job signs in with', async () => {
    const client = SEED_OAUTH_CLIENTS.deviceGrant;
    const tokenStoreDir = join(interop.work, 'oauth-register-tokens');
    await mkdir(tokenStoreDir, { recursive: true });
    const { script, store } = await oauthJob(interop, 'oauth-register', client.clientId, { rotatableFlag: false });
    const readme = await readFile(join(script, '..', 'README.md'), 'utf8');
    const command = readme.split('\n').find((line) => line.includes('./AnaplanClient.sh') && line.includes('--forceRegister'));
    expect(command).toBeDefined();

    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn('bash', ['-c', command ?? ''], { cwd: ANAPLAN_CONNECT_DIR, env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: interop.work }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let approved = false;
      const read = (chunk: Buffer) => {
        text += chunk.toString();
        const code = /User code: (\S+)/.exec(text)?.[1];
        if (code && !approved) {
          approved = true;
          interop.emulator.approveDevice(code, user.email);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('close', (code) => resolve({ code, text }));
    });
    expect(output.code, output.text).toBe(0);
    expect(output.text).toContain(workspaceId);
    expect(await storedToken(store, client.clientId)).toBeTruthy();
    const run = await runJob(script, { HOME: interop.work });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(SUCCESS);
  });

  test('--check: a good job lists the workspaces; a missing token store is named before Anaplan Connect runs', async () => {
    const client = SEED_OAUTH_CLIENTS.deviceGrant;
    const { script, store } = await oauthJob(interop, 'oauth-check', client.clientId, { rotatableFlag: false });
    await signIn(interop, client.clientId, join(interop.work, 'oauth-check-tokens'), false);
    const good = await runJob(script, { HOME: interop.work }, ['--check']);
    expect(good.status, good.output).toBe(0);
    expect(good.stdout).toContain(`CHECK OK: the job's workspace ${workspaceId} is among them.`);
    const tasksBefore = interop.emulator.tasks.length;
    await rm(store);
    const missing = await runJob(script, { HOME: interop.work }, ['--check']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/the OAuth token store ".*" was not found/);
    expect(interop.emulator.tasks.length).toBe(tasksBefore); // nothing of the Operation ran
  });
});
