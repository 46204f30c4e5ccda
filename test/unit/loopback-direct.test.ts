// Issue 13, finding 2: "plain http only for loopback" must mean the password never leaves the
// machine. A loopback auth URL (localhost, 127.0.0.0/8, ::1) is always reached directly, whatever
// the proxy settings say (HTTP_PROXY, HTTPS_PROXY, --proxy, the profile's Proxy URL); every other
// host still goes through the proxy. Real processes, a real proxy and the emulator, all on loopback.
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAssistant } from '../../main/core/assistant.js';
import { createHttpClient, proxyFor } from '../../main/net/http.js';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';
import { runCli } from '../support/cli.js';
import { memoryKeychain } from '../support/memory-keychain.js';
import { type Front, type RecordingProxy, type TlsFront, startRecordingProxy, startTcpForwarder, startTlsFront } from '../support/recording-proxy.js';

const user = SEED.users.integration;
/** A name that is not loopback: only the proxy knows where it is. */
const REMOTE_NAME = 'emulator.anaplan.test';

let emulator: Emulator;
let proxy: RecordingProxy;
let ipv6: Front | null = null;
let front: TlsFront;
let emulatorPort: number;

beforeAll(async () => {
  emulator = await startEmulator();
  emulatorPort = Number(new URL(emulator.url).port);
  front = await startTlsFront(REMOTE_NAME, emulatorPort);
  proxy = await startRecordingProxy({ [REMOTE_NAME]: { host: '127.0.0.1', port: front.port } });
  try {
    ipv6 = await startTcpForwarder('::1', emulatorPort);
  } catch {
    ipv6 = null; // no IPv6 loopback on this machine: the [::1] case is skipped below
  }
});
afterAll(async () => {
  await proxy.close();
  await front.close();
  await ipv6?.close();
  await emulator.close();
});

/** The emulator under each loopback spelling the auth URL may use. */
function loopbackUrls(): Array<[string, string]> {
  const urls: Array<[string, string]> = [
    ['localhost', `http://localhost:${emulatorPort}`],
    ['127.0.0.1', `http://127.0.0.1:${emulatorPort}`],
  ];
  if (ipv6) urls.push(['[::1]', `http://[::1]:${ipv6.port}`]);
  return urls;
}

/** Each way a proxy can be set for the CLI. */
function proxySettings(): Array<[string, string[], Record<string, string>]> {
  return [
    ['HTTP_PROXY', [], { HTTP_PROXY: proxy.url }],
    ['HTTPS_PROXY', [], { HTTPS_PROXY: proxy.url }],
    ['http_proxy and https_proxy', [], { http_proxy: proxy.url, https_proxy: proxy.url }],
    ['--proxy', ['--proxy', proxy.url], {}],
  ];
}

const login = (url: string, extra: string[], env: Record<string, string>) =>
  runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'PW', '--auth-url', url, '--api-url', url, '--json', ...extra], { env: { PW: user.password, ...env } });

describe('a loopback auth URL is reached directly, whatever the proxy settings', () => {
  test.each(['localhost', '127.0.0.1', '[::1]'])('the built CLI, auth URL http://%s: under HTTP_PROXY, HTTPS_PROXY, http(s)_proxy and --proxy the login works and the proxy sees nothing', async (host) => {
    const url = loopbackUrls().find(([name]) => name === host)?.[1];
    if (!url) return; // [::1] on a machine without IPv6 loopback
    for (const [setting, flags, env] of proxySettings()) {
      const signIns = emulator.log.filter((entry) => entry.path === '/token/authenticate').length;
      const result = await login(url, flags, env);
      const label = `${host} with ${setting}: ${result.stdout}${result.stderr}`;
      expect(result.code, label).toBe(0);
      expect(result.stdout, label).toContain(user.email);
      expect(emulator.log.filter((entry) => entry.path === '/token/authenticate').length, label).toBe(signIns + 1);
      expect(proxy.connections, label).toBe(0);
      expect(proxy.requests, label).toEqual([]);
    }
  });

  test("the assistant (desktop and ui): a profile's Proxy URL does not carry a loopback sign-in either", async () => {
    const settings = openNodeSettings(await mkdtemp(join(tmpdir(), 'loopback-profile-')));
    const handlers = createAssistant({
      settings,
      secrets: memoryKeychain(),
      host: { frontDoor: 'browser', chooseFolder: null, chooseFile: null, openExternal: async () => true, emit: () => undefined },
      httpClient: (s) => createHttpClient({ ...s, backoffMs: 5 }),
      version: 'test',
    });
    const url = `http://localhost:${emulatorPort}`;
    const saved = await handlers.saveProfile({ name: 'Loopback', email: user.email, endpoints: { authUrl: url, apiUrl: url }, network: { proxyUrl: proxy.url }, step: 'method' });
    const profile = saved.profiles.find((candidate) => candidate.name === 'Loopback');
    expect(profile?.network?.proxyUrl).toContain(proxy.url);
    const result = await handlers.loginBasic({ profileId: profile?.id ?? '', password: user.password, rememberPassword: false });
    expect(result.user.email).toBe(user.email);
    expect(proxy.connections).toBe(0);
    expect(proxy.requests).toEqual([]);
  });

  test('a loopback server that is down is named as itself, never as the proxy', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    for (const url of [`http://127.0.0.1:${port}/x`, `http://localhost:${port}/x`]) {
      expect(proxyFor(url, proxy.url)).toBeNull();
      expect(proxyFor(url, null, { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url })).toBeNull();
      const http = createHttpClient({ proxyUrl: proxy.url, maxRetries: 0 });
      const error = await http.send({ method: 'GET', url, idempotent: true }).then(
        () => null,
        (caught: unknown) => caught as { code: string; message: string },
      );
      await http.close();
      expect(error?.code).toBe('network');
      expect(error?.message).toMatch(new RegExp(`^${new URL(url).host.replace(/[.[\]]/g, '\\$&')} refused the connection`));
    }
    expect(proxy.connections).toBe(0);
  });
});

describe('every other host still goes through the proxy', () => {
  const remoteUrl = () => `https://${REMOTE_NAME}:${front.port}`;

  test('HTTPS_PROXY and --proxy: the login to a non-loopback name works, through the proxy only', async () => {
    for (const [setting, flags, env] of [
      ['HTTPS_PROXY', [], { HTTPS_PROXY: proxy.url }],
      ['--proxy', ['--proxy', proxy.url], {}],
    ] as const) {
      const before = proxy.requests.length;
      const result = await login(remoteUrl(), [...flags, '--ca-file', front.caFile], env);
      expect(result.code, `${setting}: ${result.stdout}`).toBe(0);
      expect(result.stdout).toContain(user.email);
      const tunnels = proxy.requests.slice(before);
      expect(tunnels.length, setting).toBeGreaterThan(0);
      expect(new Set(tunnels), setting).toEqual(new Set([`CONNECT ${REMOTE_NAME}:${front.port}`]));
      // Through a tunnel, and TLS inside it: the proxy never held a readable Authorization header.
      expect(proxy.sawAuthorization).toBe(0);
    }
  });

  test('NO_PROXY still takes a non-loopback host off the proxy', async () => {
    const before = proxy.connections;
    const result = await login(remoteUrl(), ['--ca-file', front.caFile, '--timeout', '5'], { HTTPS_PROXY: proxy.url, NO_PROXY: REMOTE_NAME });
    expect(result.code).toBe(1);
    expect(result.json<{ error: { code: string; message: string } }>().error.message).toMatch(/could not be found \(DNS\)/);
    expect(proxy.connections).toBe(before);
  });
});
