import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Handlers } from '../../main/core/assistant.js';
import { isLoopbackPeer } from '../../main/web/security.js';
import { startUiServer, type UiServer } from '../../main/web/server.js';

let server: UiServer;
let cookie: string;
let setCookie: string;
const listRegions = vi.fn(async () => ({ regions: [] }));

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ui-server-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startUiServer({ rendererDir: dir, handlers: () => ({ listRegions }) as unknown as Handlers });
  // The page's first act: the link's one-time secret for the session cookie.
  const exchange = await send({
    path: '/api/session',
    method: 'POST',
    headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json' },
    body: JSON.stringify({ launch: server.launchSecret }),
  });
  expect(exchange.status).toBe(200);
  setCookie = String((exchange.headers['set-cookie'] as string[])[0]);
  cookie = setCookie.split(';')[0]!;
});
afterAll(() => server.close());

/** Raw HTTP so that Host and Origin can be set as an attacker would. */
function send(options: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: options.path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const good = () => ({ host: `127.0.0.1:${server.port}`, cookie, 'content-type': 'application/json' });

describe('anaplan-setup ui host', () => {
  test('listens on 127.0.0.1 and prints the launch secret in the URL fragment only', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=[A-Za-z0-9_-]{40,}$`));
  });

  test('the session is a cookie no script reads, no other site sends, for the API only', () => {
    expect(setCookie).toMatch(new RegExp(`^anaplan-setup-session-${server.port}=[A-Za-z0-9_-]{40,}; Path=/api/; HttpOnly; SameSite=Strict$`));
    expect(cookie).not.toContain(server.launchSecret);
  });

  test('is not reachable from anything but loopback', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && !address.internal && address.family === 'IPv4');
    if (external) {
      // The socket is bound to 127.0.0.1: the machine's own network address gets no answer.
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: external.address, port: server.port }, () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    }
    // And a request that arrived some other way (say, a forwarded socket) is checked by peer address.
    const from = (remoteAddress: string) => ({ socket: { remoteAddress } }) as never;
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(isLoopbackPeer(from(address)), address).toBe(true);
    for (const address of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', 'fe80::1', '127.0.0.1.evil', '']) expect(isLoopbackPeer(from(address)), address).toBe(false);
  });

  test('an API call with the session cookie works', async () => {
    const response = await send({ path: '/api/call/listRegions', method: 'POST', headers: good(), body: '{}' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: true, value: { regions: [] } });
  });

  test('refuses API calls without the session, with a wrong one, or with the launch secret', async () => {
    const calls = listRegions.mock.calls.length;
    const name = cookie.split('=')[0]!;
    const variants: Array<Record<string, string>> = [
      {},
      { cookie: `${name}=wrong` },
      { cookie: `${cookie}x` },
      { cookie: `${name}=${server.launchSecret}` },
      { authorization: `Bearer ${server.launchSecret}` },
      { authorization: `Bearer ${cookie.split('=')[1]}` },
    ];
    for (const extra of variants) {
      const { cookie: _dropped, ...headers } = good();
      const response = await send({ path: '/api/call/listRegions', method: 'POST', headers: { ...headers, ...extra }, body: '{}' });
      expect(response.status, JSON.stringify(extra)).toBe(401);
      expect(JSON.parse(response.body).error.message).toMatch(/open the link it printed/);
    }
    expect(listRegions.mock.calls.length).toBe(calls);
  });

  test('refuses a foreign Host (DNS rebinding) even with the session', async () => {
    for (const host of ['evil.example.com', `evil.example.com:${server.port}`, `127.0.0.1:${server.port + 1}`]) {
      const response = await send({ path: '/api/call/listRegions', method: 'POST', headers: { ...good(), host }, body: '{}' });
      expect(response.status).toBe(403);
      const page = await send({ path: '/', headers: { host } });
      expect(page.status).toBe(403);
    }
  });

  test('refuses a foreign Origin even with the session', async () => {
    for (const origin of ['http://evil.example.com', `http://127.0.0.1:${server.port + 1}`, 'null']) {
      const response = await send({ path: '/api/call/listRegions', method: 'POST', headers: { ...good(), origin }, body: '{}' });
      expect(response.status).toBe(403);
    }
    const same = await send({ path: '/api/call/listRegions', method: 'POST', headers: { ...good(), origin: `http://127.0.0.1:${server.port}` }, body: '{}' });
    expect(same.status).toBe(200);
  });

  test('unknown methods, bad JSON, wrong content type and bad payloads get clear errors', async () => {
    expect(JSON.parse((await send({ path: '/api/call/deleteEverything', method: 'POST', headers: good(), body: '{}' })).body)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect((await send({ path: '/api/call/listRegions', method: 'POST', headers: good(), body: '{nope' })).status).toBe(400);
    expect((await send({ path: '/api/call/listRegions', method: 'POST', headers: { ...good(), 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect(JSON.parse((await send({ path: '/api/call/listRegions', method: 'POST', headers: good(), body: '{"extra":1}' })).body)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  test('serves the renderer with security headers and never a file outside it', async () => {
    const page = await send({ path: '/', headers: { host: `127.0.0.1:${server.port}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
      expect((await send({ path, headers: { host: `127.0.0.1:${server.port}` } })).status).toBe(404);
    }
  });

  test('events reach a subscribed stream', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: good() }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
          if (text.includes('"login"')) {
            resolve(text);
            req.destroy();
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 100));
    server.emit('progress', { task: 'login', message: 'Signing in…' });
    expect(JSON.parse((await received).trim())).toEqual({ event: 'progress', payload: { task: 'login', message: 'Signing in…' } });
  });
});

describe('what held in the adversarial review, kept holding', () => {
  test('a client that sends its headers a byte at a time (slowloris) is cut off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ui-slow-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    const slow = await startUiServer({ rendererDir: dir, handlers: () => ({ listRegions }) as unknown as Handlers, headersTimeoutMs: 300, requestTimeoutMs: 600 });
    try {
      const closed = await new Promise<string>((resolve) => {
        const socket = connect(slow.port, '127.0.0.1');
        const text = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${slow.port}\r\nX-Slow: ${'a'.repeat(200)}`;
        let sent = 0;
        let answer = '';
        const timer = setInterval(() => {
          if (sent < text.length && !socket.destroyed) socket.write(text[sent++] ?? '');
        }, 20);
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => {
          clearInterval(timer);
          resolve(`${sent < text.length ? 'cut off' : 'sent all'}: ${answer.split('\r\n')[0] ?? ''}`);
        });
      });
      expect(closed).toMatch(/^cut off: (HTTP\/1\.1 408 Request Timeout)?$/);
    } finally {
      await slow.close();
    }
  });

  test("a second instance's session and link open nothing in the first", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ui-second-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    const second = await startUiServer({ rendererDir: dir, handlers: () => ({ listRegions }) as unknown as Handlers });
    try {
      const exchange = (port: number, launch: string) =>
        send({ path: '/api/session', method: 'POST', headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' }, body: JSON.stringify({ launch }) });
      // The second's link, presented to the first: refused, and the first's own session is untouched.
      expect((await exchange(server.port, second.launchSecret)).status).toBe(401);
      const theirs = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: second.port, path: '/api/session', method: 'POST', headers: { host: `127.0.0.1:${second.port}`, 'content-type': 'application/json' } }, (res) => {
          res.resume();
          const header = String((res.headers['set-cookie'] as string[] | undefined)?.[0] ?? '');
          const value = header.split(';')[0]?.split('=')[1] ?? '';
          // Their session value under our cookie name: still not ours.
          send({ path: '/api/call/listRegions', method: 'POST', headers: { ...good(), cookie: `${cookie.split('=')[0]}=${value}` }, body: '{}' }).then((r) => resolve(r.status), reject);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ launch: second.launchSecret }));
      });
      expect(theirs).toBe(401);
      expect((await send({ path: '/api/call/listRegions', method: 'POST', headers: good(), body: '{}' })).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
