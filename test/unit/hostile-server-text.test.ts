import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * A hostile server on loopback (the emulator with scripted answers) against the real CLI: what a
 * server says never drives the person's terminal, and a device-code reply that names a sign-in
 * page off the OAuth host and Anaplan's is refused whole (issue 13, findings 6 and 7).
 */
let emulator: Emulator;
let work: string;
const user = SEED.users.integration;
const client = SEED_OAUTH_CLIENTS.deviceGrant;

beforeAll(async () => {
  emulator = await startEmulator({ oauth: { interval: 1 } });
  work = await mkdtemp(join(tmpdir(), 'hostile-text-'));
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(() => emulator.reset());

const env = () => ({ HOME: work, ANAPLAN_SETUP_HOME: join(work, 'settings'), ANAPLAN_PASSWORD: user.password });
const endpoints = () => ['--auth-url', emulator.url, '--api-url', emulator.url, '--oauth-url', emulator.url];
/** Window title (OSC 0), clipboard write (OSC 52), clear screen, a C1 CSI, a bidi override. */
const HOSTILE = '\u001b]0;owned\u0007\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u009b31m\u202e';
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function deviceAnswer(overrides: Record<string, unknown>): string {
  return JSON.stringify({ device_code: 'dc-1', user_code: 'BCDF-GHJK', verification_uri: `${emulator.url}/activate`, expires_in: 600, interval: 1, ...overrides });
}

describe('server text on the terminal', () => {
  test('workspace and model names: printed without control characters, the words kept', async () => {
    const workspaces = { workspaces: [{ id: SEED.workspaces.financePlanning.id, name: `Finance${HOSTILE} Planning`, active: true }], meta: { paging: { currentPageSize: 1, totalSize: 1, offset: 0 } } };
    emulator.addFault({ path: '/2/0/workspaces', kind: 'status', status: 200, body: JSON.stringify(workspaces), headers: { 'content-type': 'application/json' }, times: Infinity });
    const result = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'ANAPLAN_PASSWORD', ...endpoints()], { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Finance]0;owned]52;c;ZXZpbA==[2J31m Planning');
    expect(result.stdout + result.stderr).not.toMatch(CONTROLS);
    // --json keeps what the server said, escaped by JSON itself.
    const json = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'ANAPLAN_PASSWORD', ...endpoints(), '--json'], { env: env() });
    expect(json.stdout).toContain('\\u001b]0;owned');
    expect(json.stdout).not.toMatch(CONTROLS);
  });

  test("a refusal's statusMessage in an error: no control characters reach stderr", async () => {
    const body = JSON.stringify({ status: 'FAILURE_BAD_CREDENTIAL', statusMessage: `Login failed${HOSTILE}` });
    emulator.addFault({ path: '/token/authenticate', kind: 'status', status: 401, body, headers: { 'content-type': 'application/json' }, times: Infinity });
    const result = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'ANAPLAN_PASSWORD', ...endpoints()], { env: env() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^Error \(/m);
    expect(result.stdout + result.stderr).not.toMatch(CONTROLS);
  });

  test('the user code and the status lines of the device grant: no control characters', async () => {
    emulator.addFault({ path: '/oauth/device/code', kind: 'status', status: 200, body: deviceAnswer({ user_code: `BCDF${HOSTILE}-GHJK` }), headers: { 'content-type': 'application/json' } });
    emulator.addFault({ path: '/oauth/token', kind: 'status', status: 400, body: JSON.stringify({ error: 'access_denied', error_description: `No${HOSTILE}` }), headers: { 'content-type': 'application/json' }, times: Infinity });
    const result = await runCli(['oauth', '--client-id', client.clientId, '--token-store-dir', join(work, 'store'), ...endpoints()], { env: env() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('BCDF]0;owned');
    expect(result.stdout + result.stderr).not.toMatch(CONTROLS);
  });
});

describe('a device-code reply that names another sign-in page', () => {
  for (const [label, overrides] of [
    ['verification_uri', { verification_uri: 'https://evil.example/phish?code=1' }],
    ['verification_uri_complete', { verification_uri_complete: 'https://evil.example/phish?user_code=BCDF-GHJK' }],
    ['a look-alike host', { verification_uri: 'https://us1a.app.anaplan.com.evil.example/activate' }],
    ['plain http to an Anaplan host', { verification_uri: 'http://us1a.app.anaplan.com/activate' }],
  ] as const) {
    test(`${label}: refused, the host named, no link, code or QR code shown`, async () => {
      emulator.addFault({ path: '/oauth/device/code', kind: 'status', status: 200, body: deviceAnswer(overrides), headers: { 'content-type': 'application/json' }, times: 2 });
      const human = await runCli(['oauth', '--client-id', client.clientId, '--token-store-dir', join(work, 'store'), ...endpoints()], { env: env() });
      expect(human.code).not.toBe(0);
      expect(human.stderr).toMatch(/neither the OAuth 2\.0 host in use .* nor one of Anaplan's, so no code, link or QR code is shown/);
      expect(human.stderr).not.toMatch(/phish|activate|BCDF-GHJK|enter the code|scan/);
      const json = await runCli(['oauth', '--client-id', client.clientId, '--token-store-dir', join(work, 'store'), ...endpoints(), '--json'], { env: env() });
      const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; code?: string; message?: string });
      expect(events.map((event) => event.event)).toEqual(['error']);
      expect(events[0]).toMatchObject({ code: 'unexpected_response' });
      expect(json.stdout).not.toMatch(/phish|BCDF-GHJK/);
      // No polling started for a code nobody should enter.
      expect(emulator.log.filter((entry) => entry.path === '/oauth/token')).toHaveLength(0);
    });
  }

  test('a sign-in page on another of Anaplan\u2019s hosts is not refused by this check', async () => {
    emulator.addFault({ path: '/oauth/device/code', kind: 'status', status: 200, body: deviceAnswer({ verification_uri: 'https://eu3.app.anaplan.com/oauth/device' }), headers: { 'content-type': 'application/json' } });
    emulator.addFault({ path: '/oauth/token', kind: 'status', status: 400, body: JSON.stringify({ error: 'expired_token' }), headers: { 'content-type': 'application/json' }, times: Infinity });
    const result = await runCli(['oauth', '--client-id', client.clientId, '--token-store-dir', join(work, 'store'), ...endpoints(), '--json'], { env: env() });
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; verificationUri?: string });
    expect(events[0]).toMatchObject({ event: 'code', verificationUri: 'https://eu3.app.anaplan.com/oauth/device' });
  });
});
