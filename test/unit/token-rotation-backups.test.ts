// Issue 13, finding 4 (first half), end to end: a rotatable OAuth client's refresh token is
// replaced at every sign-in, and each replaced store used to be kept as a numbered .bak. After
// about 1,000 rotations (.bak … .999.bak) the next save failed after Anaplan had already retired
// the stored token, and the job could never sign in again. A rotated store now replaces the old
// one with no backup at all. The real built `anaplan-setup login` signs in against the emulator.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEVICE_SCOPE } from '../../main/anaplan/device-grant.js';
import { readTokenStore, tokenStoreFileName, writeTokenStore } from '../../main/anaplan/token-store.js';
import { runCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

const CLIENT = SEED_OAUTH_CLIENTS.rotatable.clientId;
let emu: Emulator;
let home: string;

beforeAll(async () => {
  emu = await startEmulator();
  home = await mkdtemp(join(tmpdir(), 'token-rotation-backups-'));
});

afterAll(async () => {
  await emu.close();
  await rm(home, { recursive: true, force: true });
});

function knownToken(): string {
  const token = `refresh-${Math.random().toString(36).slice(2)}`;
  emu.state.oauth.refreshTokens.set(token, { value: token, clientId: CLIENT, userEmail: SEED.users.integration.email, scope: DEVICE_SCOPE, expiresAt: null });
  return token;
}

const login = (dir: string) =>
  runCli(['login', '--method', 'oauth', '--client-id', CLIENT, '--token-store-dir', dir, '--auth-url', emu.url, '--api-url', emu.url, '--oauth-url', emu.url, '--json'], {
    env: { HOME: home, ANAPLAN_SETUP_HOME: join(home, 'settings') },
  });

describe('anaplan-setup login with a rotating refresh token', () => {
  test('with .bak up to .999.bak next to the store (1,000 earlier rotations), the rotated token is still saved, and no backup is added', async () => {
    const dir = join(home, 'store');
    const first = knownToken();
    const { path } = await writeTokenStore(dir, CLIENT, first, { overwrite: false });
    for (let n = 0; n < 1000; n++) await writeFile(n === 0 ? `${path}.bak` : `${path}.${n}.bak`, 'an old backup', { mode: 0o600 });
    const before = (await readdir(dir)).sort();

    const result = await login(dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const stored = readTokenStore(await readFile(path), CLIENT);
    expect(stored).not.toBe(first);
    expect(emu.state.oauth.refreshTokens.has(stored)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(before);

    // And the next run signs in with it.
    const again = await login(dir);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  test('three sign-ins in a row: the folder holds the store alone', async () => {
    const dir = join(home, 'fresh-store');
    await writeTokenStore(dir, CLIENT, knownToken(), { overwrite: false });
    for (let n = 0; n < 3; n++) expect((await login(dir)).code).toBe(0);
    expect(await readdir(dir)).toEqual([tokenStoreFileName(CLIENT)]);
  });
});
