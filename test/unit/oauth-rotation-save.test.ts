import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { resolveEndpoints } from '../../main/anaplan/endpoints.js';
import { tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { accessTokenFromStore } from '../../main/core/device-flow.js';
import { createHttpClient } from '../../main/net/http.js';
import { runNdjsonCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * A rotating client's new refresh token retires the stored one (anaplan-facts §4): when the new
 * one cannot be saved, the person is told that jobs will fail and how to recover. The save is
 * made to fail here (as root, folder permissions cannot make it fail).
 */
const failWrites = { on: false };
vi.mock('../../main/anaplan/token-store.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../main/anaplan/token-store.js')>();
  return {
    ...actual,
    writeTokenStore: (...args: Parameters<typeof actual.writeTokenStore>) => {
      if (failWrites.on) return Promise.reject(new Error('EROFS: read-only file system'));
      return actual.writeTokenStore(...args);
    },
  };
});

const client = SEED_OAUTH_CLIENTS.rotatable;
let emulator: Emulator;
let home: string;

beforeAll(async () => {
  emulator = await startEmulator({ oauth: { interval: 1 } });
  home = await mkdtemp(join(tmpdir(), 'rotation-save-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(home, { recursive: true, force: true });
});

test('a rotated refresh token that cannot be saved: an io error saying jobs will fail and how to recover', async () => {
  const storeDir = join(home, 'store');
  const signIn = await runNdjsonCli(['oauth', '--client-id', client.clientId, '--rotatable', '--token-store-dir', storeDir, '--auth-url', emulator.url, '--api-url', emulator.url, '--oauth-url', emulator.url, '--json'], {
    env: { HOME: home },
    onEvent: (event) => event.event === 'code' && emulator.approveDevice(String(event.userCode), SEED.users.integration.email),
  });
  expect(signIn.exit, signIn.stderr).toBe(0);
  const before = await readFile(join(storeDir, tokenStoreFileName(client.clientId)));

  failWrites.on = true;
  const http = createHttpClient({ backoffMs: 5 });
  try {
    const endpoints = resolveEndpoints({ authUrl: emulator.url, apiUrl: emulator.url, oauthUrl: emulator.url });
    await expect(accessTokenFromStore({ http, endpoints, clientId: client.clientId, tokenStoreDir: storeDir })).rejects.toMatchObject({
      code: 'io',
      message: expect.stringMatching(/retired the stored one, but the new one could not be saved[\s\S]*EROFS[\s\S]*Jobs using this token store will fail[\s\S]*anaplan-setup oauth --client-id/),
    });
  } finally {
    failWrites.on = false;
    await http.close();
  }
  // Nothing half-written: the store is as it was.
  expect(await readFile(join(storeDir, tokenStoreFileName(client.clientId)))).toEqual(before);
});
