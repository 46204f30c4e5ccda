// Issue 13, finding 5: "An endless answer eats the machine." Every answer the one HTTP client
// reads is bounded (MAX_RESPONSE_BYTES); past the bound the call ends with a message in the
// user's words, and it is not retried. A hostile server on loopback streams a JSON list forever;
// the real CLI must stop well before its --timeout with a small, measured peak memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_RESPONSE_BYTES, createHttpClient } from '../../main/net/http.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';
import { CLI, ROOT } from '../support/cli.js';

const user = SEED.users.integration;
/** Library and runtime text that must never reach a person. */
const RAW = /UND_ERR|RangeError|ERR_STRING_TOO_LONG|Invalid string length|heap|ECONN|TypeError|\bat \S+ \(/;
/** The child is stopped (and the test fails) past this: the attack without the bound grew past 12 GB. */
const MEMORY_CEILING_BYTES = 300 * 1024 * 1024;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

/** `{"workspaces":[{…},{…},…` and never the end, written as fast as the client reads it. */
function streamForever(res: ServerResponse, key: string): void {
  res.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length: chunked
  const item = JSON.stringify({ id: '8a81b09a5f2e4ad1015f3c5b9b2a0001', name: 'Finance Planning', active: true, sizeAllowance: 1, currentSize: 0 });
  const chunk = Buffer.from(`${`${item},`.repeat(Math.ceil(65_536 / (item.length + 1)))}`);
  let open = true;
  res.on('close', () => (open = false));
  res.write(`{"${key}":[`);
  const pump = (): void => {
    while (open) {
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

interface Hostile {
  url: string;
  /** Requests per path (without the query). */
  hits: Map<string, number>;
  close(): Promise<void>;
}

/** The emulator, except that the path `endless` answers forever (and, with `declared`, says so in Content-Length). */
async function startHostile(endless: string, key: string, declared?: number): Promise<Hostile> {
  const hits = new Map<string, number>();
  const target = new URL(emulator.url);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === endless) {
      if (declared !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(declared) });
        res.write('{"x":[');
        return; // and never the rest
      }
      streamForever(res, key);
      return;
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The child's peak resident memory (VmHWM), bytes; 0 where /proc is not there. */
  peakBytes: number;
  /** True when the child was stopped for passing MEMORY_CEILING_BYTES. */
  stopped: boolean;
}

/** The built CLI as a child process, its VmHWM read from /proc every 20 ms until it ends. */
function runMeasured(args: string[], env: Record<string, string>): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakBytes = 0;
    let stopped = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const poll = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakBytes = Math.max(peakBytes, Number(match[1]) * 1024);
      } catch {
        return; // ended between two polls
      }
      if (peakBytes > MEMORY_CEILING_BYTES && !stopped) {
        stopped = true;
        child.kill('SIGKILL');
      }
    }, 20);
    child.on('error', (error) => {
      clearInterval(poll);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, ms: Date.now() - started, peakBytes, stopped });
    });
  });
}

describe('an endless answer is cut off at the bound', () => {
  test.each([
    ['users/me', '/2/0/users/me', 'user'],
    ['the workspace list', '/2/0/workspaces', 'workspaces'],
  ])('the built CLI against a server that streams %s forever: a clear message, exit 1, well before --timeout, small peak memory', async (_what, path, key) => {
    const hostile = await startHostile(path, key);
    try {
      const run = await runMeasured(['login', '--method', 'basic', '--user', user.email, '--password-env', 'PW', '--auth-url', hostile.url, '--api-url', hostile.url, '--timeout', '20', '--json'], { PW: user.password });
      const summary = `exit ${run.code} after ${run.ms} ms, peak ${Math.round(run.peakBytes / 1024 / 1024)} MB${run.stopped ? ' (stopped at the ceiling)' : ''}: ${run.stdout}${run.stderr}`;
      expect(run.stopped, summary).toBe(false);
      expect(run.code, summary).toBe(1);
      expect(run.ms, summary).toBeLessThan(15_000);
      if (run.peakBytes > 0) expect(run.peakBytes, summary).toBeLessThan(MEMORY_CEILING_BYTES);
      const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      expect(error.code).toBe('unexpected_response');
      expect(error.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:\\d+ sent an answer larger than 16 MB, so it was not read to the end\\.`));
      expect(error.message).toMatch(/Check the region or the auth and API URLs, and any proxy, then try again\./);
      expect(error.message).not.toMatch(RAW);
      expect(run.stderr).toBe('');
      // A GET is retried after a passing fault, never after this: it would only be read again.
      expect(hostile.hits.get(path)).toBe(1);
    } finally {
      await hostile.close();
    }
  });
});

describe('MAX_RESPONSE_BYTES in the HTTP client', () => {
  const get = (url: string) => ({ method: 'GET' as const, url, idempotent: true });

  test('is 16 MiB', () => {
    expect(MAX_RESPONSE_BYTES).toBe(16 * 1024 * 1024);
  });

  test('an answer whose Content-Length is over the bound is refused before its body is read, and not retried', async () => {
    const hostile = await startHostile('/big', 'x', 10 * 1024 * 1024 * 1024);
    const http = createHttpClient({ backoffMs: 1, timeoutMs: 10_000 });
    try {
      const started = Date.now();
      const error = await http.send(get(`${hostile.url}/big`)).then(
        () => null,
        (caught: { code: string; message: string }) => caught,
      );
      expect(error?.code).toBe('unexpected_response');
      expect(error?.message).toMatch(/larger than 16 MB/);
      expect(Date.now() - started).toBeLessThan(5_000); // the body never comes: waiting for it would hit the 10 s timeout
      expect(hostile.hits.get('/big')).toBe(1);
    } finally {
      await http.close();
      await hostile.close();
    }
  });

  test('an answer of exactly the bound is read whole; one byte more is refused', async () => {
    let size = MAX_RESPONSE_BYTES;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no Content-Length to go by
      const body = Buffer.alloc(size, 0x20);
      body[0] = 0x5b; // '['
      body[size - 1] = 0x5d; // ']'
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const http = createHttpClient({ maxRetries: 0 });
    try {
      const whole = await http.send(get(url));
      expect(whole.text.length).toBe(MAX_RESPONSE_BYTES);
      expect(JSON.parse(whole.text)).toEqual([]);
      size = MAX_RESPONSE_BYTES + 1;
      await expect(http.send(get(url))).rejects.toMatchObject({ code: 'unexpected_response' });
    } finally {
      await http.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a small answer with a byte order mark reads as before', async () => {
    const server = createServer((_req, res) => res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"ok":"é"}')])));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const http = createHttpClient({ maxRetries: 0 });
    try {
      expect((await http.send(get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`))).text).toBe('{"ok":"é"}');
    } finally {
      await http.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
