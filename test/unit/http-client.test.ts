import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createHttpClient, type HttpClient, type HttpRequest } from '../../main/net/http.js';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { failure } from '../support/fixtures.js';

let emulator: Emulator;
const clients: HttpClient[] = [];
const client = (settings: Parameters<typeof createHttpClient>[0]) => {
  const made = createHttpClient({ backoffMs: 10, ...settings });
  clients.push(made);
  return made;
};

beforeAll(async () => {
  emulator = await startEmulator();
});
afterEach(async () => {
  emulator.reset();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(() => emulator.close());

const get = (url: string): HttpRequest => ({ method: 'GET', url, idempotent: true });

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('the one HTTP client', () => {
  test('retries idempotent calls after connection resets, within the limit', async () => {
    emulator.addFault({ path: '/2/0/users/me', kind: 'reset', times: 2 });
    const response = await client({ maxRetries: 3 }).send(get(`${emulator.url}/2/0/users/me`));
    expect(response.status).toBe(401); // reached the emulator (no token): the resets were retried
    expect(emulator.log.filter((e) => e.path === '/2/0/users/me')).toHaveLength(3);
  });

  test('never exceeds the retry limit', async () => {
    emulator.addFault({ path: '/2/0/users/me', kind: 'status', status: 503, times: 10 });
    const response = await client({ maxRetries: 2 }).send(get(`${emulator.url}/2/0/users/me`));
    expect(response.status).toBe(503);
    expect(emulator.log.filter((e) => e.path === '/2/0/users/me')).toHaveLength(3);
  });

  test('honours Retry-After on 429', async () => {
    emulator.addFault({ path: '/2/0/users/me', kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    await client({ maxRetries: 1 }).send(get(`${emulator.url}/2/0/users/me`));
    const calls = emulator.log.filter((e) => e.path === '/2/0/users/me');
    expect(calls).toHaveLength(2);
    // A lower bound only, from the server's own arrival times, so a busy machine cannot break it.
    // 950, not 1000: Node may start a timer from the event loop's cached clock, a few ms early;
    // still well clear of the 10 ms backoff it would use without Retry-After.
    expect(calls[1]!.time - calls[0]!.time).toBeGreaterThanOrEqual(950);
  });

  test('a Retry-After longer than the client will wait is not sat through, and never answered sooner: the 429 comes back at once', async () => {
    emulator.addFault({ path: '/2/0/users/me', kind: 'status', status: 429, headers: { 'retry-after': '120' }, times: 5 });
    const response = await client({ maxRetries: 3 }).send(get(`${emulator.url}/2/0/users/me`));
    expect(response.status).toBe(429);
    expect(emulator.log.filter((e) => e.path === '/2/0/users/me')).toHaveLength(1);
  });

  test('a body given as a function is made afresh for every attempt (a signed login message is never replayed)', async () => {
    emulator.addFault({ path: '/token/authenticate', kind: 'status', status: 503, times: 2 });
    let made = 0;
    await client({ maxRetries: 3 }).send({ method: 'POST', url: `${emulator.url}/token/authenticate`, body: () => `attempt ${++made}`, idempotent: false });
    expect(emulator.log.filter((e) => e.path === '/token/authenticate').map((e) => e.body)).toEqual(['attempt 1', 'attempt 2', 'attempt 3']);
  });

  test('a reset is told in words, with no library or system code', async () => {
    emulator.addFault({ path: '/2/0/users/me', kind: 'reset', times: 5 });
    const error = await failure(client({ maxRetries: 1 }).send(get(`${emulator.url}/2/0/users/me`)));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/was closed before the answer arrived/);
    expect(error.message).not.toMatch(/UND_ERR|ECONN|EPIPE|other side closed/);
    expect(error.details).toMatchObject({ cause: expect.any(String) }); // kept for logs
  });

  test('a request that hangs ends with a timeout error that says what to do', async () => {
    emulator.addFault({ path: '/2/0/users/me', kind: 'hang', times: 5 });
    const error = await failure(client({ timeoutMs: 300, maxRetries: 1 }).send(get(`${emulator.url}/2/0/users/me`)));
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/did not answer within 0\.3 seconds/);
  });

  test('a POST that reached the server is not retried after a reset', async () => {
    emulator.addFault({ path: '/token/authenticate', kind: 'reset' });
    const error = await failure(client({ maxRetries: 3 }).send({ method: 'POST', url: `${emulator.url}/token/authenticate`, idempotent: false }));
    expect(error.code).toBe('network');
    expect(emulator.log.filter((e) => e.path === '/token/authenticate')).toHaveLength(1);
  });

  test('a refused connection names the host', async () => {
    const server = createHttpServer();
    const port = await listen(server);
    await new Promise((r) => server.close(r));
    const error = await failure(client({ maxRetries: 0 }).send(get(`http://127.0.0.1:${port}/x`)));
    expect(error.code).toBe('network');
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  test('a proxy answering 407 becomes proxy_auth_required', async () => {
    // Asked for by a name that is not loopback (a loopback host is never sent through a proxy); the
    // name never resolves: the proxy refuses before it would look it up.
    const asked: string[] = [];
    const proxy = createHttpServer((req, res) => {
      asked.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"' });
      res.end();
    });
    proxy.on('connect', (req, socket) => {
      asked.push(`CONNECT ${req.url ?? ''}`);
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n');
    });
    const port = await listen(proxy);
    try {
      const error = await failure(client({ proxyUrl: `http://127.0.0.1:${port}`, maxRetries: 0 }).send(get('https://emulator.anaplan.test/2/0/users/me')));
      expect(error.code).toBe('proxy_auth_required');
      expect(error.message).toMatch(/407/);
      expect(error.message).toContain('emulator.anaplan.test');
      expect(asked).toEqual(['CONNECT emulator.anaplan.test:443']);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  test('a TLS server signed by a private CA fails clearly, and works with --ca-file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tls-'));
    const ca = { key: join(dir, 'ca.key'), cert: join(dir, 'ca.pem') };
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', ca.key, '-out', ca.cert, '-subj', '/CN=Test Inspecting Proxy CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], { stdio: 'ignore' });
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'srv.key'), '-out', join(dir, 'srv.csr'), '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    await writeFile(join(dir, 'srv.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'srv.csr'), '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', join(dir, 'srv.pem'), '-days', '2', '-extfile', join(dir, 'srv.ext')], { stdio: 'ignore' });
    const server = createHttpsServer({ key: await readFile(join(dir, 'srv.key')), cert: await readFile(join(dir, 'srv.pem')) }, (_req, res) => res.end('{"ok":true}'));
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    try {
      const error = await failure(client({ maxRetries: 0 }).send(get(`https://127.0.0.1:${port}/`)));
      expect(error.code).toBe('tls');
      expect(error.message).toMatch(/--ca-file/);
      const response = await client({ caFile: ca.cert }).send(get(`https://127.0.0.1:${port}/`));
      expect(response.text).toBe('{"ok":true}');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('a CA file that is not PEM is refused before any request', () => {
    expect(() => createHttpClient({ caFile: '/etc/hostname' })).toThrow(/no PEM certificate/);
    expect(() => createHttpClient({ caFile: '/nonexistent/ca.pem' })).toThrow(/Cannot read/);
  });
});

describe('the CA file', () => {
  test('a device, a folder or a huge file is refused at once with what to give instead, never read without end', () => {
    for (const path of ['/dev/zero', tmpdir()]) {
      expect(() => createHttpClient({ caFile: path })).toThrow(expect.objectContaining({ code: 'bad_input', message: expect.stringMatching(/not a CA certificate file[\s\S]*PEM file/) }));
    }
  });
});
