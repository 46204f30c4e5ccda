import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAuthProxy, type AuthProxy } from '../support/auth-proxy.js';
import { runCli } from '../support/cli.js';
import { type TlsFront, startTlsFront } from '../support/recording-proxy.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * The CLI behind a proxy. A loopback URL is never sent through a proxy (main/net/http.ts
 * isLoopbackUrl), so the emulator is reached here as https://emulator.anaplan.test, a name that
 * only the proxy resolves (to a TLS front for the emulator, whose CA the CLI is given with
 * --ca-file). Where the proxy refuses before anything is reached (407, 502, a closed or unknown
 * proxy), the name is never resolved at all: the proxy answers first.
 */
const user = SEED.users.integration;
/** A name that is not loopback: only the proxy knows where it is. */
const REMOTE_NAME = 'emulator.anaplan.test';
let emulator: Emulator;
let front: TlsFront;
let proxy: AuthProxy;
let proxyPort: number;
/** The emulator as the CLI sees it: https under a non-loopback name, through the TLS front. */
let remoteUrl: string;

beforeAll(async () => {
  emulator = await startEmulator();
  front = await startTlsFront(REMOTE_NAME, Number(new URL(emulator.url).port));
  remoteUrl = `https://${REMOTE_NAME}:${front.port}`;
  proxy = await startAuthProxy('proxyuser', 'Pr0xy Pass:word', { hosts: { [REMOTE_NAME]: { host: '127.0.0.1', port: front.port } } });
  proxyPort = proxy.port;
});
afterAll(async () => {
  await proxy.close();
  await front.close();
  await emulator.close();
});

const login = (extra: string[], env: Record<string, string> = {}) =>
  runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'PW', '--auth-url', remoteUrl, '--api-url', remoteUrl, '--ca-file', front.caFile, '--json', ...extra], {
    env: { PW: user.password, ...env },
  });

const signIns = () => emulator.log.filter((entry) => entry.path === '/token/authenticate').length;

describe('proxies', () => {
  test('a proxy that wants credentials: 407 becomes a clear message', async () => {
    const before = { tunnels: proxy.tunnels.length, log: emulator.log.length };
    const result = await login(['--proxy', `http://127.0.0.1:${proxyPort}`]);
    expect(result.code).toBe(1);
    expect(result.json()).toEqual({ error: { code: 'proxy_auth_required', message: expect.stringMatching(/--proxy-password-env/) } });
    expect(proxy.tunnels.length).toBe(before.tunnels); // refused: no tunnel was opened
    expect(emulator.log.length).toBe(before.log);
  });

  test('the proxy password comes from an environment variable, and the login goes through the proxy', async () => {
    const before = { tunnels: proxy.tunnels.length, signIns: signIns() };
    const result = await login(['--proxy', `http://proxyuser@127.0.0.1:${proxyPort}`, '--proxy-password-env', 'PROXY_PW'], { PROXY_PW: 'Pr0xy Pass:word' });
    expect(result.stdout).toContain(user.email);
    expect(result.code).toBe(0);
    const tunnels = proxy.tunnels.slice(before.tunnels);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([`${REMOTE_NAME}:${front.port}`]));
    expect(signIns()).toBe(before.signIns + 1); // the emulator was reached, through the tunnel only
  });

  test('a proxy that will not open the tunnel (502): named as the proxy, with what to ask its owner', async () => {
    const refusing = createServer();
    refusing.on('connect', (_req, client) => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    const { port } = refusing.address() as AddressInfo;
    const before = emulator.log.length;
    try {
      const result = await login(['--proxy', `http://127.0.0.1:${port}`]);
      expect(result.code).toBe(1);
      const { error } = result.json<ErrorAnswer>();
      expect(error.code).toBe('network');
      expect(error.message).toMatch(new RegExp(`^The proxy 127\\.0\\.0\\.1:${port} would not open a connection to ${REMOTE_NAME.replace(/\./g, '\\.')}:${front.port} .*HTTP 502.*allow the Anaplan hosts`));
      expect(emulator.log.length).toBe(before);
    } finally {
      refusing.closeAllConnections();
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  test('a proxy variable without its scheme is refused before any call, naming the variable, without echoing credentials', async () => {
    for (const [name, value] of [['HTTPS_PROXY', 'proxy.example.com:8080'], ['https_proxy', 'corp:S3cret-pw@proxy:3128'], ['HTTP_PROXY', '127.0.0.1:3128']] as const) {
      const before = emulator.log.length;
      const result = await login([], { [name]: value });
      expect(result.code, name).toBe(2); // bad input
      const { error } = result.json<ErrorAnswer>();
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(new RegExp(`^${name} is set to .* not a proxy URL.*${name}=http://`));
      expect(result.stdout + result.stderr).not.toContain('S3cret-pw');
      expect(emulator.log.length).toBe(before);
    }
  });

  test('a password inside --proxy is refused: it would be in the process list', async () => {
    const result = await login(['--proxy', `http://proxyuser:secret@127.0.0.1:${proxyPort}`]);
    expect(result.code).toBe(2);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/must not|Do not put the proxy password/);
  });
});

/** A loopback port with nothing listening on it: a proxy that is not running. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface ErrorAnswer {
  error: { code: string; message: string };
}

describe('a proxy that is not running or cannot be found: the message names the proxy, not Anaplan', () => {
  const PROXY_PASSWORD = 'Pr0xy-S3cret';

  /** Points at the proxy and its setting, says to check it, and never shows the proxy's credentials. */
  function expectProxyBlamed(result: Awaited<ReturnType<typeof runCli>>, proxyHostPort: string, setting: RegExp): string {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const { error } = result.json<ErrorAnswer>();
    expect(error.code, error.message).toBe('network');
    expect(error.message).toContain(`proxy ${proxyHostPort}`);
    expect(error.message).toMatch(setting);
    expect(error.message).toMatch(/check/i);
    expect(error.message).not.toMatch(/ECONN|ENOTFOUND|EAI_|UND_ERR/);
    expect(result.stdout).not.toContain(PROXY_PASSWORD);
    expect(result.stdout).not.toContain('proxyuser');
    return error.message;
  }

  test('--proxy to a closed port: "the proxy 127.0.0.1:PORT refused the connection", not the target', async () => {
    const port = await closedPort();
    const before = emulator.log.length;
    const result = await login(['--proxy', `http://proxyuser@127.0.0.1:${port}`, '--proxy-password-env', 'PROXY_PW'], { PROXY_PW: PROXY_PASSWORD });
    const message = expectProxyBlamed(result, `127.0.0.1:${port}`, /--proxy/);
    expect(message).toMatch(/refused the connection/);
    expect(message).toContain(`so ${REMOTE_NAME}:${front.port} could not be reached through it`);
    expect(message).not.toContain(`${REMOTE_NAME}:${front.port} refused`);
    expect(emulator.log.length).toBe(before);
  });

  test('HTTPS_PROXY to a closed port (the region\u2019s https hosts): names the proxy and HTTPS_PROXY, not auth.anaplan.com', async () => {
    const port = await closedPort();
    const result = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'PW', '--json'], {
      env: { PW: user.password, HTTPS_PROXY: `http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:${port}` },
    });
    const message = expectProxyBlamed(result, `127.0.0.1:${port}`, /HTTPS_PROXY/);
    expect(message).not.toMatch(/anaplan\.com refused/);
  });

  test('a proxy host that does not resolve: says the proxy could not be found', async () => {
    const before = emulator.log.length;
    const result = await login(['--proxy', 'http://proxy.invalid:3128']);
    const message = expectProxyBlamed(result, 'proxy.invalid:3128', /--proxy/);
    expect(message).toMatch(/could not be found/);
    expect(message).not.toMatch(new RegExp(`host ${REMOTE_NAME.replace(/\./g, '\\.')}.* could not be found`));
    expect(emulator.log.length).toBe(before);
  });
});
