import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { CLI, ROOT, runCli } from '../support/cli.js';
import { findJdk } from '../support/java.js';
import { tokenStoreProbe } from '../support/token-store-probe.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * `anaplan-setup oauth --json` as a script or a monitoring system reads it: one JSON object per
 * line, approved (or not) through the emulator while the command waits.
 */
let emulator: Emulator;
let work: string;
const user = SEED.users.integration;
const client = SEED_OAUTH_CLIENTS.deviceGrant;
const jdk = findJdk();

beforeAll(async () => {
  emulator = await startEmulator({ oauth: { interval: 1 } });
  work = await mkdtemp(join(tmpdir(), 'cli-oauth-'));
});
afterAll(() => emulator.close());

const endpoints = () => ['--auth-url', emulator.url, '--api-url', emulator.url, '--oauth-url', emulator.url];

interface Flow {
  events: Array<Record<string, unknown>>;
  next(event: string): Promise<Record<string, unknown>>;
  exit: Promise<number>;
}

/** Starts the command and lets the test wait for each event as it is printed. */
function startOAuth(args: string[]): Flow {
  const child = spawn(process.execPath, [CLI, 'oauth', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: work }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Array<Record<string, unknown>> = [];
  const waiting: Array<{ event: string; resolve: (value: Record<string, unknown>) => void }> = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const value = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      events.push(value);
      for (const waiter of waiting.filter((w) => w.event === value.event)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(value);
      }
    }
  });
  return {
    events,
    next: (event) =>
      new Promise((resolve) => {
        const seen = events.find((e) => e.event === event);
        if (seen) resolve(seen);
        else waiting.push({ event, resolve });
      }),
    exit: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))),
  };
}

describe('anaplan-setup oauth --json', () => {
  test('code, status lines, approval, then done: the token store is written and a later login uses it', async () => {
    const storeDir = join(work, 'store');
    const flow = startOAuth(['--client-id', client.clientId, '--token-store-dir', storeDir, ...endpoints(), '--json']);
    const code = await flow.next('code');
    expect(code).toEqual({
      event: 'code',
      userCode: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/),
      verificationUri: `${emulator.url}/activate`,
      verificationUriComplete: expect.stringContaining('user_code='),
      expiresIn: expect.any(Number),
      interval: 1,
    });
    // Approved only after several pending polls.
    await expect.poll(() => flow.events.filter((e) => e.event === 'status').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    emulator.approveDevice(String(code.userCode), user.email);
    const done = await flow.next('done');
    expect(await flow.exit).toBe(0);
    const storeFile = join(storeDir, tokenStoreFileName(client.clientId));
    expect(done).toMatchObject({ event: 'done', tokenStore: storeFile, user: { email: user.email } });
    expect((await stat(storeFile)).mode & 0o777).toBe(0o600);
    // The stored refresh token is the one the emulator issued for this client, and a JDK reads it
    // back exactly as Anaplan Connect does.
    const stored = readTokenStore(await readFile(storeFile), client.clientId);
    expect(emulator.state.oauth.refreshTokens.get(stored)).toMatchObject({ clientId: client.clientId });
    if (jdk) expect((await tokenStoreProbe(jdk)).read(storeDir, client.clientId)).toBe(stored);
    else console.warn('SKIPPED the JDK read of the token store: no JDK here.');
    // Every line is JSON; nothing else went to stdout.
    expect(flow.events.map((e) => e.event)).toEqual(['code', ...flow.events.slice(1, -1).map(() => 'status'), 'done']);

    const login = await runCli(['login', '--method', 'oauth', '--client-id', client.clientId, '--token-store-dir', storeDir, ...endpoints(), '--json'], { env: { HOME: work } });
    expect(login.code, login.stdout + login.stderr).toBe(0);
    expect(login.json<{ user: { email: string } }>().user.email).toBe(user.email);
  }, 60_000);

  test('a declined sign-in ends with an error line and a non-zero exit, writing nothing', async () => {
    const storeDir = join(work, 'denied');
    const flow = startOAuth(['--client-id', client.clientId, '--token-store-dir', storeDir, ...endpoints(), '--json']);
    const code = await flow.next('code');
    emulator.denyDevice(String(code.userCode));
    const error = await flow.next('error');
    expect(error).toMatchObject({ event: 'error', code: 'access_denied', message: expect.stringMatching(/declined|denied/i) });
    expect(await flow.exit).not.toBe(0);
    expect(await readdir(storeDir).catch(() => 'absent')).toBe('absent');
  }, 60_000);

  test('a client ID of the wrong shape is refused before any request', async () => {
    const before = emulator.log.length;
    const flow = startOAuth(['--client-id', 'not valid!', ...endpoints(), '--json']);
    expect(await flow.next('error')).toMatchObject({ code: 'bad_input' });
    expect(await flow.exit).toBe(2);
    expect(emulator.log.length).toBe(before);
  });
});
