import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, type TestContext } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { createAssistant } from '../../main/core/assistant.js';
import type { EventName, EventPayload } from '../../main/contract.js';
import { createHttpClient } from '../../main/net/http.js';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { refreshTokenKey } from '../../main/store/secrets.js';
import { runCli, runNdjsonCli, type NdjsonRun } from '../support/cli.js';
import { findJdk } from '../support/java.js';
import { tokenStoreProbe } from '../support/token-store-probe.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator, type Fault } from '../emulator/server.js';
import { memoryKeychain } from '../support/memory-keychain.js';

/**
 * The refresh token the device grant brings is written to Anaplan Connect's token store as soon
 * as it arrives, before the user, workspaces and models are read: when those reads fail, the
 * token is not lost (the person retries `login --method oauth` instead of getting a new code).
 */

const user = SEED.users.integration;
const CLIENT = SEED_OAUTH_CLIENTS.deviceGrant.clientId;
const ME = '/2/0/users/me';
const WORKSPACES = '/2/0/workspaces';
const FOREVER = Number.POSITIVE_INFINITY;
const jdk = findJdk();

async function workFolder(context: Pick<TestContext, 'onTestFinished'>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oauth-persist-'));
  context.onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function emulatorFor(context: Pick<TestContext, 'onTestFinished'>): Promise<Emulator> {
  const emulator = await startEmulator({ oauth: { interval: 1 } });
  context.onTestFinished(() => emulator.close());
  return emulator;
}

const endpointFlags = (emulator: Emulator) => ['--auth-url', emulator.url, '--api-url', emulator.url, '--oauth-url', emulator.url];

/** `anaplan-setup oauth --json` to its end, approving the code as the integration user. */
function oauthApproved(emulator: Emulator, home: string, storeDir: string): Promise<NdjsonRun> {
  return runNdjsonCli(['oauth', '--client-id', CLIENT, '--token-store-dir', storeDir, ...endpointFlags(emulator), '--json'], {
    env: { HOME: home },
    onEvent: (event) => event.event === 'code' && emulator.approveDevice(String(event.userCode), user.email),
  });
}

/** The store holds, whole, a refresh token the emulator issued for this client; a JDK reads the same, as Anaplan Connect does. */
async function expectIssuedTokenStored(emulator: Emulator, storeDir: string): Promise<string> {
  const stored = readTokenStore(await readFile(join(storeDir, tokenStoreFileName(CLIENT))), CLIENT);
  expect(emulator.state.oauth.refreshTokens.get(stored)).toMatchObject({ clientId: CLIENT, userEmail: user.email });
  if (jdk) expect((await tokenStoreProbe(jdk)).read(storeDir, CLIENT)).toBe(stored);
  else console.warn('SKIPPED the JDK read of the token store: no JDK here.');
  return stored;
}

describe('anaplan-setup oauth: the refresh token is saved before the follow-up reads', () => {
  test.for<[string, Fault, RegExp]>([
    ['the workspace list answers 503 every time', { path: WORKSPACES, kind: 'status', status: 503, times: FOREVER }, /workspace list.*HTTP 503/],
    ['users/me resets the connection every time', { path: ME, kind: 'reset', times: FOREVER }, /was closed before the answer arrived/],
  ])('%s: the command fails with that problem, the store is written, and login --method oauth then works without a new code', { timeout: 60_000 }, async ([, fault, problem], context) => {
    const [emulator, home] = await Promise.all([emulatorFor(context), workFolder(context)]);
    const storeDir = join(home, 'store');
    emulator.addFault(fault);

    const run = await oauthApproved(emulator, home, storeDir);
    await expectIssuedTokenStored(emulator, storeDir);
    expect(run.stderr).toBe('');
    expect(run.exit).toBe(1);
    const last = run.events.at(-1) ?? {};
    expect(last).toMatchObject({ event: 'error', tokenStore: join(storeDir, tokenStoreFileName(CLIENT)) });
    const message = String(last.message);
    expect(message).toMatch(problem);
    expect(message).toMatch(/refresh token is saved/);
    expect(message).toContain(`anaplan-setup login --method oauth --client-id ${CLIENT} --token-store-dir ${storeDir}`);
    expect(message).toMatch(/no new code/i);

    // Once the service is back, the stored token is all it takes.
    emulator.reset();
    const login = await runCli(['login', '--method', 'oauth', '--client-id', CLIENT, '--token-store-dir', storeDir, ...endpointFlags(emulator), '--json'], { env: { HOME: home } });
    expect(login.code, login.stdout + login.stderr).toBe(0);
    expect(login.json<{ user: { email: string } }>().user.email).toBe(user.email);
    expect(emulator.log.filter((entry) => entry.path === '/oauth/device/code')).toEqual([]);
  });
});


describe('the device grant behind the UI (startDeviceFlow): the same order', () => {
  test('the workspace list fails after approval: an error event that says the token is saved, the store and the profile kept, and the test login then works', async (context) => {
    const [emulator, home] = await Promise.all([emulatorFor(context), workFolder(context)]);
    const settings = openNodeSettings(join(home, 'settings'));
    const keychain = memoryKeychain();
    const flowEvents: Array<EventPayload<'deviceFlow'>> = [];
    const handlers = createAssistant({
      settings,
      secrets: keychain,
      host: {
        frontDoor: 'browser',
        chooseFolder: null,
        chooseFile: null,
        openExternal: async () => false,
        emit: <E extends EventName>(event: E, payload: EventPayload<E>) => {
          if (event === 'deviceFlow') flowEvents.push(payload as EventPayload<'deviceFlow'>);
        },
      },
      httpClient: (s) => createHttpClient({ ...s, backoffMs: 5 }),
      version: 'test',
    });
    const saved = await handlers.saveProfile({ name: 'OAuth', email: user.email, endpoints: { authUrl: emulator.url, apiUrl: emulator.url, oauthUrl: emulator.url }, authMethod: 'oauth', step: 'credentials' });
    const profileId = saved.profiles[0]?.id ?? '';
    const storeDir = join(home, 'store');
    emulator.addFault({ path: WORKSPACES, kind: 'status', status: 503, times: FOREVER });

    const code = await handlers.startDeviceFlow({ profileId, clientId: CLIENT, rotatable: false, tokenStoreDir: storeDir, encoding: 'form', rememberRefreshToken: true });
    emulator.approveDevice(code.userCode, user.email);
    await expect.poll(() => flowEvents.find((event) => event.state === 'error' || event.state === 'done'), { timeout: 30_000 }).toBeDefined();
    const stored = await expectIssuedTokenStored(emulator, storeDir);
    const end = flowEvents.find((event) => event.state === 'error' || event.state === 'done');
    expect(end).toMatchObject({ state: 'error', error: { code: 'server_error' }, tokenStore: join(storeDir, tokenStoreFileName(CLIENT)) });
    expect(end?.message).toMatch(/workspace list.*HTTP 503/);
    expect(end?.message).toMatch(/refresh token is saved/);

    expect(keychain.values.get(refreshTokenKey(profileId))).toBe(stored);
    // The profile knows the client and the store, so the Test login step can use them.
    expect(settings.read().profiles[0]?.oauth).toMatchObject({ clientId: CLIENT, tokenStoreDir: storeDir, tokenStorePath: join(storeDir, tokenStoreFileName(CLIENT)) });

    emulator.reset();
    const login = await handlers.loginOAuth({ profileId });
    expect(login.user.email).toBe(user.email);
  }, 60_000);
});
