import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startUi, type UiProcess } from '../support/browser.js';
import { SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * Ctrl+C on `anaplan-setup ui` ends it at once, even while a device-code sign-in is still
 * polling in the background (its timers must not keep the process alive for the code's life).
 */
let emulator: Emulator;
let dir: string;
let ui: UiProcess | undefined;

beforeAll(async () => {
  emulator = await startEmulator();
  dir = await mkdtemp(join(tmpdir(), 'ui-shutdown-'));
});
afterAll(async () => {
  ui?.child.kill('SIGKILL');
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** The launch secret, exchanged once for the session cookie, as the page does. */
async function sessionOf(ui: UiProcess): Promise<string> {
  const url = new URL(ui.url);
  const response = await fetch(`${url.origin}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ launch: url.hash.replace('#token=', '') }),
  });
  if (!response.ok) throw new Error(`session: ${response.status} ${await response.text()}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function call<T>(ui: UiProcess, cookie: string, method: string, payload: unknown): Promise<T> {
  const url = new URL(ui.url);
  const response = await fetch(`${url.origin}/api/call/${method}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const outcome = (await response.json()) as { ok: boolean; value: T; error?: unknown };
  if (!outcome.ok) throw new Error(`${method}: ${JSON.stringify(outcome.error)}`);
  return outcome.value;
}

test('SIGTERM during a device-code sign-in: the ui host exits within seconds', async () => {
  ui = await startUi({ ANAPLAN_SETUP_HOME: join(dir, 'settings'), HOME: dir });
  const cookie = await sessionOf(ui);
  const settings = await call<{ profiles: Array<{ id: string }> }>(ui, cookie, 'saveProfile', {
    name: 'Shutdown',
    endpoints: { authUrl: emulator.url, apiUrl: emulator.url, oauthUrl: emulator.url },
    authMethod: 'oauth',
    step: 'method',
  });
  const code = await call<{ userCode: string }>(ui, cookie, 'startDeviceFlow', {
    profileId: settings.profiles[0]!.id,
    clientId: SEED_OAUTH_CLIENTS.rotatable.clientId,
    tokenStoreDir: join(dir, 'store'),
  });
  expect(code.userCode).toBeTruthy();
  const exited = new Promise<number | null>((resolve) => ui!.child.once('exit', (exitCode) => resolve(exitCode)));
  const begun = performance.now();
  ui.child.kill('SIGTERM');
  const exitCode = await exited;
  // The code lives for minutes and polls every few seconds: waiting for it would take that long.
  expect(performance.now() - begun).toBeLessThan(5000);
  expect(exitCode).toBe(0);
});
