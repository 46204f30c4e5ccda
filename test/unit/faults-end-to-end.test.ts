import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { DEVICE_SCOPE } from '../../main/anaplan/device-grant.js';
import { readTokenStore, tokenStoreFileName, writeTokenStore } from '../../main/anaplan/token-store.js';
import { createAssistant } from '../../main/core/assistant.js';
import { dispatch } from '../../main/core/dispatch.js';
import { createHttpClient } from '../../main/net/http.js';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { NO_SECRET_STORE } from '../../main/store/secrets.js';
import { runCli, runNdjsonCli, type CliResult, type NdjsonRun } from '../support/cli.js';
import { TestCa, makeRequest, type IssuedCertificate, type TestRequest } from '../support/test-ca.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator, type EmulatorOptions, type Fault } from '../emulator/server.js';

/**
 * Issue 7, "Faults", end to end: the emulator misbehaves at each remote step that matters, and the
 * real built `anaplan-setup` (a child process, `--json`) must end with the right exit code, a
 * specific message that says what to do next, no raw library text, no more requests than the
 * retry policy allows, and no partial or temporary files.
 *
 * The retry policy under test (main/net/http.ts, with the CLI's defaults: 3 retries, backoff
 * 0.5 s, 1 s, 2 s; Retry-After honoured up to 30 s):
 * - GETs (idempotent) are retried after 429, 502, 503, 504, a reset and a timeout: at most 4
 *   requests. A 500 is not retried (a server fault, not a passing one).
 * - The sign-in POST (/token/authenticate) and the OAuth refresh POST are repeated only after 429
 *   and 503 (the server says it did not handle the request); after a 500, 502, a reset, a timeout
 *   or a cut-off answer the request may have reached the server, so it is sent once.
 * - A Retry-After longer than 30 s is not sat through: the run ends at once with the wait in the
 *   message (never asks again sooner than the server said).
 * - Device-grant polls are retried by the poll loop at the interval (backing off, honouring
 *   Retry-After), within the code's lifetime; never by the HTTP client.
 *
 * Messages never show library or system text: no "SyntaxError", "UND_ERR_…", "ECONNRESET",
 * "other side closed", no stack frames (RAW below).
 */

const user = SEED.users.integration;
const DEVICE_CLIENT = SEED_OAUTH_CLIENTS.deviceGrant.clientId;
const ROTATABLE_CLIENT = SEED_OAUTH_CLIENTS.rotatable.clientId;
const FOREVER = Number.POSITIVE_INFINITY;

/** Library, runtime and system text that must never reach a person. */
const RAW = /SyntaxError|TypeError|Unexpected token|Unexpected end|JSON\.parse|UND_ERR|ECONN|EPIPE|ETIMEDOUT|EAI_|other side closed|socket hang up|fetch failed|AbortError|TimeoutError|\bat \S+ \(|\.[cm]?[jt]s:\d+/;
/** Every failure says what to do next. */
const NEXT_STEP = /try again|check|wait|get a new code|give the|ask /i;

// ---------------------------------------------------------------------------------------------
// Sandboxes: a HOME, a working folder, and snapshots of both

interface Sandbox {
  home: string;
  work: string;
  env: Record<string, string>;
}

async function sandbox(context: Pick<TestContext, 'onTestFinished'>): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'faults-home-'));
  const work = await mkdtemp(join(tmpdir(), 'faults-work-'));
  context.onTestFinished(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });
  return { home, work, env: { HOME: home, ANAPLAN_SETUP_HOME: join(home, '.config', 'anaplan-setup'), PW: user.password } };
}

/** Every file and folder under dir (relative path → content hash, or "dir"). */
async function tree(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true });
  const result: Record<string, string> = {};
  for (const entry of entries.sort()) {
    const path = join(dir, entry);
    result[entry] = (await stat(path)).isDirectory() ? 'dir' : createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16);
  }
  return result;
}

type Snapshot = { home: Record<string, string>; work: Record<string, string> };

async function snapshot(sb: Sandbox): Promise<Snapshot> {
  return { home: await tree(sb.home), work: await tree(sb.work) };
}

async function emulator(context: Pick<TestContext, 'onTestFinished'>, options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator(options);
  context.onTestFinished(() => emu.close());
  return emu;
}

function addFaults(emu: Emulator, faults: Fault | Fault[]): void {
  for (const fault of Array.isArray(faults) ? faults : [faults]) emu.addFault(fault);
}

/** Requests the emulator saw for a path (without the query): exact string, or a RegExp over the path. */
function seen(emu: Emulator, path: string | RegExp): Array<{ time: number; body: string }> {
  return emu.log.filter((entry) => {
    const bare = entry.path.split('?')[0] ?? entry.path;
    return typeof path === 'string' ? bare === path : path.test(bare);
  });
}

/**
 * The least gap that shows a Retry-After of `seconds` was waited: Node may start a timer from the
 * event loop's cached clock, a few ms early, so 50 ms of slack; still far from the 0.5 s backoff
 * the client would use without Retry-After. Lower bounds only: a busy machine only adds time.
 */
function waited(seconds: number): number {
  return seconds * 1000 - 50;
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - (times[index] ?? 0));
}

// ---------------------------------------------------------------------------------------------
// Assertions on a run

interface ErrorAnswer {
  error: { code: string; message: string };
}

/** A --json failure: exit 1, one JSON object on stdout, nothing on stderr, the code, the words, no raw text, a next step. */
function expectFailure(result: CliResult, code: string, words: RegExp[]): string {
  expect(result.stderr, 'stderr').toBe('');
  expect(result.stdout.trim().split('\n'), 'one JSON line').toHaveLength(1);
  const { error } = result.json<ErrorAnswer>();
  expect(error.code, error.message).toBe(code);
  expect(result.code).toBe(1);
  expectFriendly(error.message);
  for (const word of words) expect(error.message).toMatch(word);
  return error.message;
}

function expectFriendly(message: string): void {
  expect(message).not.toMatch(RAW);
  expect(message).toMatch(NEXT_STEP);
}

function expectLoginOk(result: CliResult, email: string = user.email): void {
  expect(result.stderr, 'stderr').toBe('');
  expect(result.code, result.stdout).toBe(0);
  const answer = result.json<{ user: { email: string }; workspaces: Array<{ models: unknown[] }> }>();
  expect(answer.user.email).toBe(email);
  expect(answer.workspaces.length).toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------------------------
// Runs

function basicLogin(emu: Emulator, sb: Sandbox, timeout?: number): Promise<CliResult> {
  const args = ['login', '--method', 'basic', '--user', user.email, '--password-env', 'PW', '--auth-url', emu.url, '--api-url', emu.url, '--json'];
  return runCli(timeout ? [...args, '--timeout', String(timeout)] : args, { env: sb.env, cwd: sb.work });
}

type Expectation = { ok: true } | { code: string; words: RegExp[] };

interface Case {
  fault: Fault | Fault[];
  /** --timeout in seconds (default: the CLI's 30). */
  timeout?: number;
  expect: Expectation;
  /** Requests the emulator must have seen for the faulted path. */
  requests: number;
  /** At least this long between consecutive requests to the faulted path (Retry-After). */
  minGapMs?: number;
}

function checkRun(result: CliResult, expectation: Expectation): void {
  if ('ok' in expectation) expectLoginOk(result);
  else expectFailure(result, expectation.code, expectation.words);
}

const SERVER_ERROR = (status: number, what: RegExp): Expectation => ({ code: 'server_error', words: [what, new RegExp(`HTTP ${status}`), /status\.anaplan\.com/] });
const TIMEOUT = (seconds: number): Expectation => ({ code: 'timeout', words: [new RegExp(`did not answer within ${seconds} seconds?\\b`), /--timeout/] });
const CLOSED: Expectation = { code: 'network', words: [/connection to 127\.0\.0\.1:\d+ was closed before the answer arrived/] };
const RATE_LIMITED_1S: Expectation = { code: 'rate_limited', words: [/rate limiting/, /HTTP 429/, /try again after 1 second\b/i] };
/** A 5xx whose Retry-After was longer than the client sits through: the wait, and when to try again. */
const WAIT_ASKED = (status: number, what: RegExp, wait: string): Expectation => ({
  code: 'server_error',
  words: [what, new RegExp(`HTTP ${status}`), new RegExp(`asked to wait ${wait}\\b`), new RegExp(`try again after ${wait}\\b`, 'i')],
});
const CUT_OFF = (what: RegExp): Expectation => ({ code: 'unexpected_response', words: [/incomplete answer/, what, /not JSON/, /cut off/] });

// ---------------------------------------------------------------------------------------------
// 1. Basic sign-in: POST /token/authenticate

const AUTH = '/token/authenticate';

const SIGN_IN_CASES: Array<[string, Case]> = [
  ['500, persisting: sent once (it may have reached the token service)', { fault: { path: AUTH, kind: 'status', status: 500, times: FOREVER }, expect: SERVER_ERROR(500, /^The token service at/), requests: 1 }],
  ['500, transient: still sent once, and the run ends', { fault: { path: AUTH, kind: 'status', status: 500 }, expect: SERVER_ERROR(500, /token service/), requests: 1 }],
  ['502, persisting: sent once', { fault: { path: AUTH, kind: 'status', status: 502, times: FOREVER, body: '<html><body>Bad Gateway</body></html>' }, expect: SERVER_ERROR(502, /token service/), requests: 1 }],
  ['503, persisting: 1 + 3 retries, then a server error', { fault: { path: AUTH, kind: 'status', status: 503, times: FOREVER }, expect: SERVER_ERROR(503, /token service/), requests: 4 }],
  ['503, transient: retried, signs in', { fault: { path: AUTH, kind: 'status', status: 503, times: 2 }, expect: { ok: true }, requests: 3 }],
  ['hang: a timeout, sent once', { fault: { path: AUTH, kind: 'hang', times: FOREVER }, timeout: 1, expect: TIMEOUT(1), requests: 1 }],
  ['connection reset, persisting: sent once', { fault: { path: AUTH, kind: 'reset', times: FOREVER }, expect: CLOSED, requests: 1 }],
  ['connection reset, transient: still not repeated (the POST may have arrived)', { fault: { path: AUTH, kind: 'reset' }, expect: CLOSED, requests: 1 }],
  ['slow (a 400 ms delay) within the timeout: signs in', { fault: { path: AUTH, kind: 'delay', ms: 400 }, timeout: 3, expect: { ok: true }, requests: 1 }],
  ['slow (the body trickles over 800 ms) within the timeout: signs in', { fault: { path: AUTH, kind: 'slow', ms: 800 }, timeout: 3, expect: { ok: true }, requests: 1 }],
  ['slow (the body trickles over 3 s) beyond a 1 s timeout: a timeout, sent once', { fault: { path: AUTH, kind: 'slow', ms: 3000, times: FOREVER }, timeout: 1, expect: TIMEOUT(1), requests: 1 }],
  ['429 with Retry-After: 1, transient: waits, then signs in', { fault: { path: AUTH, kind: 'status', status: 429, headers: { 'retry-after': '1' } }, expect: { ok: true }, requests: 2, minGapMs: waited(1) }],
  ['429 with Retry-After: 1, persisting: 4 requests a second apart, then "try again after 1 second"', { fault: { path: AUTH, kind: 'status', status: 429, headers: { 'retry-after': '1' }, times: FOREVER }, expect: RATE_LIMITED_1S, requests: 4, minGapMs: waited(1) }],
  [
    '429 with Retry-After: 120: not sat through, not asked again sooner; says when to try again',
    { fault: { path: AUTH, kind: 'status', status: 429, headers: { 'retry-after': '120' }, times: FOREVER }, expect: { code: 'rate_limited', words: [/HTTP 429/, /try again after 2 minutes/i] }, requests: 1 },
  ],
  [
    '503 with Retry-After: 120: not sat through, not asked again sooner; says when to try again',
    { fault: { path: AUTH, kind: 'status', status: 503, headers: { 'retry-after': '120' }, times: FOREVER }, expect: WAIT_ASKED(503, /token service/, '2 minutes'), requests: 1 },
  ],
  ['429 without Retry-After, persisting: backs off, then "wait a minute"', { fault: { path: AUTH, kind: 'status', status: 429, times: FOREVER }, expect: { code: 'rate_limited', words: [/rate limiting/, /Wait a minute, then try again/] }, requests: 4 }],
  ['malformed JSON (200, cut off): named as a cut-off answer, sent once', { fault: { path: AUTH, kind: 'malformed', times: FOREVER }, expect: CUT_OFF(/the login/), requests: 1 }],
];

describe.concurrent('Basic sign-in (POST /token/authenticate) through `anaplan-setup login --json`', () => {
  test.for(SIGN_IN_CASES)('%s', async ([, c], context) => {
    const [emu, sb] = await Promise.all([emulator(context), sandbox(context)]);
    const before = await snapshot(sb);
    addFaults(emu, c.fault);
    const result = await basicLogin(emu, sb, c.timeout);
    checkRun(result, c.expect);
    const calls = seen(emu, AUTH);
    expect(calls).toHaveLength(c.requests);
    if (c.minGapMs) for (const gap of gaps(calls.map((call) => call.time))) expect(gap).toBeGreaterThanOrEqual(c.minGapMs);
    // A token that was issued is logged out again; none was issued when the sign-in failed.
    expect(seen(emu, '/token/logout')).toHaveLength('ok' in c.expect ? 1 : 0);
    expect(await snapshot(sb)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The integration API reads after the sign-in: users/me, the workspace list, the model lists

const ME = '/2/0/users/me';
const WORKSPACES = '/2/0/workspaces';
// Fault paths that are RegExps are tested against the path with its query; seen() against the bare path.
const MODELS = /^\/2\/0\/workspaces\/[0-9A-F]{32}\/models(\?|$)/;
const FIRST_MODELS = `/2/0/workspaces/${SEED.workspaces.financePlanning.id}/models`;

const API_CASES: Array<[string, Case & { path: string | RegExp }]> = [
  ['users/me 503, persisting: 4 GETs, a server error, and the token is logged out', { path: ME, fault: { path: ME, kind: 'status', status: 503, times: FOREVER }, expect: SERVER_ERROR(503, /^The user details at/), requests: 4 }],
  ['workspace list 502, transient: retried, signs in', { path: WORKSPACES, fault: { path: WORKSPACES, kind: 'status', status: 502 }, expect: { ok: true }, requests: 2 }],
  ['workspace list 500, transient: not retried (a server fault), a server error', { path: WORKSPACES, fault: { path: WORKSPACES, kind: 'status', status: 500 }, expect: SERVER_ERROR(500, /workspace list/), requests: 1 }],
  ['model list 503, persisting: at most 4 GETs per workspace', { path: FIRST_MODELS, fault: { path: FIRST_MODELS, kind: 'status', status: 503, times: FOREVER }, expect: SERVER_ERROR(503, /^The model list at/), requests: 4 }],
  ['model lists reset, transient: retried, signs in', { path: MODELS, fault: { path: MODELS, kind: 'reset' }, expect: { ok: true }, requests: 3 }],
  ['users/me reset, persisting: 4 GETs, then a closed-connection message', { path: ME, fault: { path: ME, kind: 'reset', times: FOREVER }, expect: CLOSED, requests: 4 }],
  // 2 s, not 1: the sign-in before it must get through within the same timeout on a busy machine.
  ['users/me hangs, persisting: 4 timeouts, then a timeout', { path: ME, fault: { path: ME, kind: 'hang', times: FOREVER }, timeout: 2, expect: TIMEOUT(2), requests: 4 }],
  ['workspace list hangs once: retried after the timeout, signs in', { path: WORKSPACES, fault: { path: WORKSPACES, kind: 'hang' }, timeout: 3, expect: { ok: true }, requests: 2 }],
  ['users/me trickles beyond the timeout, persisting: 4 timeouts, then a timeout', { path: ME, fault: { path: ME, kind: 'slow', ms: 5000, times: FOREVER }, timeout: 2, expect: TIMEOUT(2), requests: 4 }],
  ['model lists trickle within the timeout: signs in', { path: MODELS, fault: { path: MODELS, kind: 'slow', ms: 600, times: FOREVER }, timeout: 5, expect: { ok: true }, requests: 2 }],
  ['users/me delayed 500 ms within the timeout: signs in', { path: ME, fault: { path: ME, kind: 'delay', ms: 500 }, timeout: 3, expect: { ok: true }, requests: 1 }],
  ['workspace list 429 with Retry-After: 1, transient: waits, signs in', { path: WORKSPACES, fault: { path: WORKSPACES, kind: 'status', status: 429, headers: { 'retry-after': '1' } }, expect: { ok: true }, requests: 2, minGapMs: waited(1) }],
  [
    'workspace list 429 with Retry-After: 1, persisting: 4 GETs a second apart, then rate limited',
    { path: WORKSPACES, fault: { path: WORKSPACES, kind: 'status', status: 429, headers: { 'retry-after': '1' }, times: FOREVER }, expect: RATE_LIMITED_1S, requests: 4, minGapMs: waited(1) },
  ],
  [
    'users/me 503 with Retry-After: 7200: one GET, says to try again after 2 hours',
    { path: ME, fault: { path: ME, kind: 'status', status: 503, headers: { 'retry-after': '7200' }, times: FOREVER }, expect: WAIT_ASKED(503, /^The user details at/, '2 hours'), requests: 1 },
  ],
  [
    'workspace list 503 with Retry-After: 1, persisting: 4 GETs a second apart, then says to try again after 1 second',
    { path: WORKSPACES, fault: { path: WORKSPACES, kind: 'status', status: 503, headers: { 'retry-after': '1' }, times: FOREVER }, expect: WAIT_ASKED(503, /workspace list/, '1 second'), requests: 4, minGapMs: waited(1) },
  ],
  ['model list malformed JSON: a cut-off answer, not retried', { path: FIRST_MODELS, fault: { path: FIRST_MODELS, kind: 'malformed' }, expect: CUT_OFF(/the model list/), requests: 1 }],
];

describe.concurrent('integration API reads (users/me, workspaces, models) through `anaplan-setup login --json`', () => {
  test.for(API_CASES)('%s', async ([, c], context) => {
    const [emu, sb] = await Promise.all([emulator(context), sandbox(context)]);
    const before = await snapshot(sb);
    addFaults(emu, c.fault);
    const result = await basicLogin(emu, sb, c.timeout);
    checkRun(result, c.expect);
    const calls = seen(emu, c.path);
    expect(calls).toHaveLength(c.requests);
    if (c.minGapMs) for (const gap of gaps(calls.map((call) => call.time))) expect(gap).toBeGreaterThanOrEqual(c.minGapMs);
    // Never more than 1 + 3 retries for any one path; the sign-in POST once; the token logged out.
    const perPath = new Map<string, number>();
    for (const entry of emu.log) perPath.set(entry.path, (perPath.get(entry.path) ?? 0) + 1);
    for (const [path, count] of perPath) expect(count, path).toBeLessThanOrEqual(4);
    expect(seen(emu, AUTH)).toHaveLength(1);
    expect(seen(emu, '/token/logout')).toHaveLength(1);
    expect(await snapshot(sb)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Certificate sign-in: the same POST, with a signed v2 message

describe.concurrent('certificate sign-in through `anaplan-setup login --method certificate --json`', () => {
  let ca: TestCa;
  let certDir: string;
  let request: TestRequest;
  let issued: IssuedCertificate;

  beforeAll(async () => {
    ca = TestCa.create();
    certDir = await mkdtemp(join(tmpdir(), 'faults-cert-'));
    request = await makeRequest(join(certDir, 'request'));
    issued = ca.issue(request, 'multipurpose');
  }, 120_000);
  afterAll(async () => {
    ca?.remove();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  async function certificateEmulator(context: Pick<TestContext, 'onTestFinished'>): Promise<Emulator> {
    const emu = await emulator(context);
    emu.addUser({ email: request.email, password: 'unused-Password-1', firstName: 'Ada', lastName: 'Lovelace' });
    emu.registerCertificate(request.email, issued.pem);
    return emu;
  }

  const certificateLogin = (emu: Emulator, sb: Sandbox, timeout?: number) =>
    runCli(
      [
        'login', '--method', 'certificate', '--certificate', issued.path, '--key', request.keyPath, '--passphrase-env', 'KEY_PASSPHRASE',
        '--auth-url', emu.url, '--api-url', emu.url, '--json', ...(timeout ? ['--timeout', String(timeout)] : []),
      ],
      { env: { ...sb.env, KEY_PASSPHRASE: request.passphrase }, cwd: sb.work },
    );

  /** The v2 messages (encodedData) of the login attempts, in order. */
  const messages = (emu: Emulator): string[] => seen(emu, AUTH).map((call) => (JSON.parse(call.body) as { encodedData: string }).encodedData);

  const CERT_CASES: Array<[string, Case]> = [
    ['503, transient: retried with a fresh signed message, signs in', { fault: { path: AUTH, kind: 'status', status: 503 }, expect: { ok: true }, requests: 2 }],
    ['503, persisting: 4 attempts, each with its own message, then a server error', { fault: { path: AUTH, kind: 'status', status: 503, times: FOREVER }, expect: SERVER_ERROR(503, /token service/), requests: 4 }],
    ['429 with Retry-After: 1, transient: waits, then signs in', { fault: { path: AUTH, kind: 'status', status: 429, headers: { 'retry-after': '1' } }, expect: { ok: true }, requests: 2, minGapMs: waited(1) }],
    ['502: sent once, a server error', { fault: { path: AUTH, kind: 'status', status: 502 }, expect: SERVER_ERROR(502, /token service/), requests: 1 }],
    ['connection reset: sent once', { fault: { path: AUTH, kind: 'reset' }, expect: CLOSED, requests: 1 }],
    ['hang: a timeout, sent once', { fault: { path: AUTH, kind: 'hang', times: FOREVER }, timeout: 1, expect: TIMEOUT(1), requests: 1 }],
    ['malformed JSON: a cut-off answer, sent once', { fault: { path: AUTH, kind: 'malformed' }, expect: CUT_OFF(/the login/), requests: 1 }],
  ];

  test.for(CERT_CASES)('%s', async ([, c], context) => {
    const [emu, sb] = await Promise.all([certificateEmulator(context), sandbox(context)]);
    const before = await snapshot(sb);
    addFaults(emu, c.fault);
    const result = await certificateLogin(emu, sb, c.timeout);
    if ('ok' in c.expect) expectLoginOk(result, request.email);
    else expectFailure(result, c.expect.code, c.expect.words);
    // The v2 attempts; after a successful one, the v1 sign-in Anaplan Connect 4.1.0 will send is tried once too.
    const payloadOf = (call: { body: string }) => (JSON.parse(call.body) as { encodedDataFormat?: string }).encodedDataFormat ?? 'v1';
    const calls = seen(emu, AUTH).filter((call) => payloadOf(call) === 'v2');
    expect(calls).toHaveLength(c.requests);
    expect(seen(emu, AUTH).filter((call) => payloadOf(call) === 'v1')).toHaveLength('ok' in c.expect ? 1 : 0);
    if (c.minGapMs) for (const gap of gaps(calls.map((call) => call.time))) expect(gap).toBeGreaterThanOrEqual(c.minGapMs);
    // A fresh message for every attempt (anaplan-facts §2): a token service that saw one refuses its replay.
    const sent = messages(emu);
    expect(new Set(sent).size).toBe(sent.length);
    expect(await snapshot(sb)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. The OAuth device grant: `anaplan-setup oauth --json`

/** Runs `oauth --json` to the end, calling onCode with the code event (to approve it on the emulator). */
async function oauthFlow(emu: Emulator, sb: Sandbox, extra: string[], onCode?: (userCode: string) => void, url = emu.url): Promise<NdjsonRun> {
  const args = ['oauth', '--client-id', DEVICE_CLIENT, '--token-store-dir', join(sb.home, 'store'), '--auth-url', url, '--api-url', url, '--oauth-url', url, '--json', ...extra];
  const run = await runNdjsonCli(args, { cwd: sb.work, env: sb.env, onEvent: (event) => event.event === 'code' && onCode?.(String(event.userCode)) });
  expect(run.unterminated, 'every stdout line is JSON').toBe('');
  return run;
}

function expectOAuthFailure(run: NdjsonRun, code: string, words: RegExp[]): string {
  expect(run.stderr).toBe('');
  const last = run.events.at(-1) ?? {};
  expect(last.event).toBe('error');
  expect(last.code, String(last.message)).toBe(code);
  expect(run.exit).toBe(1);
  const message = String(last.message);
  expectFriendly(message);
  for (const word of words) expect(message).toMatch(word);
  return message;
}

function expectOAuthDone(run: NdjsonRun, sb: Sandbox): void {
  expect(run.stderr).toBe('');
  expect(run.events.at(-1), JSON.stringify(run.events.at(-1))).toMatchObject({ event: 'done', tokenStore: join(sb.home, 'store', tokenStoreFileName(DEVICE_CLIENT)), user: { email: user.email } });
  expect(run.exit).toBe(0);
}

/** Every retrying status tells the person what went wrong in words, never in library text. */
function expectRetryReasonsFriendly(run: NdjsonRun): void {
  for (const event of run.events.filter((e) => e.event === 'status' && e.state === 'retrying')) expect(String(event.reason)).not.toMatch(RAW);
}

const DEVICE = '/oauth/device/code';
const TOKEN = '/oauth/token';

describe.concurrent('OAuth device grant through `anaplan-setup oauth --json`', () => {
  const approve = (emu: Emulator) => (userCode: string) => void emu.approveDevice(userCode, user.email);

  test('device code request 503, persisting: 4 requests, a server error, no token store, nothing written', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1 } }), sandbox(context)]);
    const before = await snapshot(sb);
    emu.addFault({ path: DEVICE, kind: 'status', status: 503, times: FOREVER });
    const run = await oauthFlow(emu, sb, []);
    expectOAuthFailure(run, 'server_error', [/OAuth service/, /HTTP 503/]);
    expect(seen(emu, DEVICE)).toHaveLength(4);
    expect(seen(emu, TOKEN)).toHaveLength(0);
    expect(await snapshot(sb)).toEqual(before);
  });

  test('device code request: a 503, a reset and a 429 with Retry-After: 1 in a row are retried; then the sign-in completes', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1 } }), sandbox(context)]);
    emu.addFault({ path: DEVICE, kind: 'status', status: 503 });
    emu.addFault({ path: DEVICE, kind: 'reset' });
    emu.addFault({ path: DEVICE, kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const run = await oauthFlow(emu, sb, [], approve(emu));
    expectOAuthDone(run, sb);
    const calls = seen(emu, DEVICE);
    expect(calls).toHaveLength(4);
    expect(gaps(calls.map((call) => call.time))[2]).toBeGreaterThanOrEqual(waited(1)); // after the 429
  });

  test('device code request hangs once: retried after the timeout, then the sign-in completes', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1 } }), sandbox(context)]);
    emu.addFault({ path: DEVICE, kind: 'hang' });
    const run = await oauthFlow(emu, sb, ['--timeout', '3'], approve(emu));
    expectOAuthDone(run, sb);
    expect(seen(emu, DEVICE)).toHaveLength(2);
  });

  test('device code request 503 with Retry-After: 120: sent once, says when to try again, nothing written', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1 } }), sandbox(context)]);
    const before = await snapshot(sb);
    emu.addFault({ path: DEVICE, kind: 'status', status: 503, headers: { 'retry-after': '120' }, times: FOREVER });
    const run = await oauthFlow(emu, sb, []);
    expectOAuthFailure(run, 'server_error', [/OAuth service/, /HTTP 503/, /asked to wait 2 minutes\b/, /try again after 2 minutes\b/i]);
    expect(seen(emu, DEVICE)).toHaveLength(1);
    expect(await snapshot(sb)).toEqual(before);
  });

  test('device code request, malformed JSON: a cut-off answer, sent once, nothing written', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1 } }), sandbox(context)]);
    const before = await snapshot(sb);
    emu.addFault({ path: DEVICE, kind: 'malformed', times: FOREVER });
    const run = await oauthFlow(emu, sb, []);
    expectOAuthFailure(run, 'unexpected_response', [/incomplete answer/, /device code request/, /not JSON/]);
    expect(seen(emu, DEVICE)).toHaveLength(1);
    expect(await snapshot(sb)).toEqual(before);
  });

  test('token polls: a 500, a reset, an HTML 502, a hang and a slow answer are retried at the interval, then the sign-in completes', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1 } }), sandbox(context)]);
    emu.addFault({ path: TOKEN, kind: 'status', status: 500 });
    emu.addFault({ path: TOKEN, kind: 'reset' });
    emu.addFault({ path: TOKEN, kind: 'status', status: 502, body: '<html><body>Bad Gateway</body></html>' });
    emu.addFault({ path: TOKEN, kind: 'hang' });
    emu.addFault({ path: TOKEN, kind: 'slow', ms: 300 });
    const run = await oauthFlow(emu, sb, ['--timeout', '3'], approve(emu));
    expectOAuthDone(run, sb);
    expectRetryReasonsFriendly(run);
    expect(run.events.filter((e) => e.event === 'status').map((e) => e.state)).toEqual(['retrying', 'retrying', 'retrying', 'retrying']);
    const polls = seen(emu, TOKEN).map((call) => call.time);
    expect(polls).toHaveLength(5);
    // Never sooner than the interval; the retries back off (1, 2, 4, 8 s from the end of the failed
    // exchange). Exact lower bounds: the poll loop re-reads the clock until the time has come.
    const issued = seen(emu, DEVICE)[0]?.time ?? 0;
    for (const gap of gaps([issued, ...polls])) expect(gap).toBeGreaterThanOrEqual(1000);
    expect(emu.state.oauth.polls.filter((poll) => poll.answer === 'slow_down')).toEqual([]);
    // The token store is complete: it holds the refresh token the emulator issued.
    const stored = readTokenStore(await readFile(join(sb.home, 'store', tokenStoreFileName(DEVICE_CLIENT))), DEVICE_CLIENT);
    expect(emu.state.oauth.refreshTokens.get(stored)).toMatchObject({ clientId: DEVICE_CLIENT });
  }, 60_000);

  test('token polls 503 until the code expires: ends with the server error (not "you were too slow"), polls within the lifetime, nothing written', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1, expiresIn: 5 } }), sandbox(context)]);
    const before = await snapshot(sb);
    emu.addFault({ path: TOKEN, kind: 'status', status: 503, times: FOREVER });
    const run = await oauthFlow(emu, sb, [], approve(emu));
    expectOAuthFailure(run, 'server_error', [/code expired/, /HTTP 503/, /get a new code/i]);
    expectRetryReasonsFriendly(run);
    // Polls at about 1, 2 and 4 s (backing off from the 1 s interval); the next would be after the 5 s lifetime.
    const polls = seen(emu, TOKEN);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.length).toBeLessThanOrEqual(3);
    expect(seen(emu, DEVICE)).toHaveLength(1);
    expect(await snapshot(sb)).toEqual(before);
  });

  test('token polls 429 with Retry-After: 2 until the code expires: polls at least 2 s apart, ends rate limited', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1, expiresIn: 6 } }), sandbox(context)]);
    const before = await snapshot(sb);
    emu.addFault({ path: TOKEN, kind: 'status', status: 429, headers: { 'retry-after': '2' }, times: FOREVER });
    const run = await oauthFlow(emu, sb, [], approve(emu));
    expectOAuthFailure(run, 'rate_limited', [/code expired/, /HTTP 429/, /get a new code/i]);
    const polls = seen(emu, TOKEN).map((call) => call.time);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    for (const gap of gaps(polls)) expect(gap).toBeGreaterThanOrEqual(2000);
    expect(run.events.filter((e) => e.state === 'retrying').map((e) => e.nextPollInMs as number).every((ms) => ms >= 2000)).toBe(true);
    expect(await snapshot(sb)).toEqual(before);
  });

  test('token poll, malformed JSON: a cut-off answer, no token store', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context, { oauth: { interval: 1 } }), sandbox(context)]);
    const before = await snapshot(sb);
    emu.addFault({ path: TOKEN, kind: 'malformed' });
    const run = await oauthFlow(emu, sb, [], approve(emu));
    expectOAuthFailure(run, 'unexpected_response', [/incomplete answer/, /token request/]);
    expect(seen(emu, TOKEN)).toHaveLength(1);
    expect(await snapshot(sb)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. The stored refresh token: `anaplan-setup login --method oauth --json` (POST /oauth/token, refresh)

describe.concurrent('refresh with the stored token through `anaplan-setup login --method oauth --json`', () => {
  /** A rotatable client's refresh token, known to the emulator, in a token store under the sandbox's HOME. */
  async function storedToken(emu: Emulator, sb: Sandbox): Promise<{ dir: string; file: string; token: string }> {
    const token = `refresh-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`;
    emu.state.oauth.refreshTokens.set(token, { value: token, clientId: ROTATABLE_CLIENT, userEmail: user.email, scope: DEVICE_SCOPE, expiresAt: null });
    const dir = join(sb.home, 'store');
    const { path } = await writeTokenStore(dir, ROTATABLE_CLIENT, token, { overwrite: false });
    return { dir, file: path, token };
  }

  /**
   * After a rotation: the store holds the new token the emulator knows, complete; no other file is
   * new (no backup of the retired token is kept, issue 13).
   */
  async function expectRotatedStore(emu: Emulator, store: { file: string; token: string }, before: Snapshot, after: Snapshot): Promise<void> {
    expect(after.work).toEqual(before.work);
    const name = `store/${tokenStoreFileName(ROTATABLE_CLIENT)}`;
    expect(Object.keys(after.home).sort()).toEqual(Object.keys(before.home).sort());
    expect(after.home[name]).not.toBe(before.home[name]);
    const stored = readTokenStore(await readFile(store.file), ROTATABLE_CLIENT);
    expect(stored).not.toBe(store.token);
    expect(emu.state.oauth.refreshTokens.has(stored)).toBe(true);
  }

  const refreshLogin = (emu: Emulator, sb: Sandbox, dir: string) =>
    runCli(['login', '--method', 'oauth', '--client-id', ROTATABLE_CLIENT, '--token-store-dir', dir, '--auth-url', emu.url, '--api-url', emu.url, '--oauth-url', emu.url, '--json'], {
      env: sb.env,
      cwd: sb.work,
    });

  const REFRESH_CASES: Array<[string, Case]> = [
    ['503, persisting: 4 requests (the server said it did not handle them), a server error', { fault: { path: TOKEN, kind: 'status', status: 503, times: FOREVER }, expect: SERVER_ERROR(503, /OAuth service/), requests: 4 }],
    ['503 with Retry-After: 300: sent once, says when to try again', { fault: { path: TOKEN, kind: 'status', status: 503, headers: { 'retry-after': '300' }, times: FOREVER }, expect: WAIT_ASKED(503, /OAuth service/, '5 minutes'), requests: 1 }],
    ['502: sent once (a rotatable client may have retired the token already)', { fault: { path: TOKEN, kind: 'status', status: 502 }, expect: SERVER_ERROR(502, /OAuth service/), requests: 1 }],
    ['connection reset: sent once', { fault: { path: TOKEN, kind: 'reset' }, expect: CLOSED, requests: 1 }],
    ['malformed JSON: a cut-off answer, sent once', { fault: { path: TOKEN, kind: 'malformed' }, expect: CUT_OFF(/token request/), requests: 1 }],
    ['429 with Retry-After: 1, transient: waits, then signs in and saves the rotated token', { fault: { path: TOKEN, kind: 'status', status: 429, headers: { 'retry-after': '1' } }, expect: { ok: true }, requests: 2, minGapMs: waited(1) }],
  ];

  test.for(REFRESH_CASES)('%s', async ([, c], context) => {
    const [emu, sb] = await Promise.all([emulator(context), sandbox(context)]);
    const store = await storedToken(emu, sb);
    const before = await snapshot(sb);
    addFaults(emu, c.fault);
    const result = await refreshLogin(emu, sb, store.dir);
    checkRun(result, c.expect);
    const calls = seen(emu, TOKEN);
    expect(calls).toHaveLength(c.requests);
    if (c.minGapMs) for (const gap of gaps(calls.map((call) => call.time))) expect(gap).toBeGreaterThanOrEqual(c.minGapMs);
    const after = await snapshot(sb);
    if ('ok' in c.expect) {
      await expectRotatedStore(emu, store, before, after);
    } else {
      expect(after).toEqual(before); // the old token store, byte for byte
    }
  });

  test('the refresh works but users/me 503 persists: the rotated token is saved (complete), then a server error', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context), sandbox(context)]);
    const store = await storedToken(emu, sb);
    const before = await snapshot(sb);
    emu.addFault({ path: ME, kind: 'status', status: 503, times: FOREVER });
    const result = await refreshLogin(emu, sb, store.dir);
    expectFailure(result, 'server_error', [/user details/, /HTTP 503/]);
    expect(seen(emu, ME)).toHaveLength(4);
    expect(seen(emu, TOKEN)).toHaveLength(1);
    // The old token is retired by now: the new one had to be kept, whole.
    await expectRotatedStore(emu, store, before, await snapshot(sb));
  });
});

// ---------------------------------------------------------------------------------------------
// 6. The model's action lists, read for the export step (the UI's listModelObjects, through the
//    same contract dispatch the browser bridge and IPC use: the CLI's export reads nothing remote)

describe.concurrent('the model\u2019s imports, exports, processes, actions and files (listModelObjects)', () => {
  async function profileFor(emu: Emulator, context: Pick<TestContext, 'onTestFinished'>) {
    const dir = await mkdtemp(join(tmpdir(), 'faults-core-'));
    context.onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const settings = openNodeSettings(dir);
    const handlers = createAssistant({
      settings,
      secrets: NO_SECRET_STORE,
      host: { frontDoor: 'browser', chooseFolder: null, chooseFile: null, openExternal: async () => false, emit: () => undefined },
      httpClient: createHttpClient,
      version: 'test',
    });
    const saved = await handlers.saveProfile({
      name: 'Faults',
      email: user.email,
      endpoints: { authUrl: emu.url, apiUrl: emu.url },
      authMethod: 'basic',
      workspace: { id: SEED.workspaces.financePlanning.id, name: 'Finance Planning' },
      model: { id: SEED.models.fpa.id, name: 'FP&A Model' },
      step: 'export',
    });
    const profileId = saved.profiles[0]?.id ?? '';
    const settingsBefore = await readFile(settings.path, 'utf8');
    return { dir, settings, profileId, settingsBefore, call: (payload: unknown) => dispatch(handlers, 'listModelObjects', payload) };
  }

  const base = `/2/0/workspaces/${SEED.workspaces.financePlanning.id}/models/${SEED.models.fpa.id}`;

  test.for([
    ['processes 503, persisting: 4 GETs, a server error', { path: `${base}/processes`, fault: { path: `${base}/processes`, kind: 'status', status: 503, times: FOREVER } as Fault, code: 'server_error', words: [/^The process list at/, /HTTP 503/], requests: 4 }],
    ['actions malformed JSON: a cut-off answer', { path: `${base}/actions`, fault: { path: `${base}/actions`, kind: 'malformed' } as Fault, code: 'unexpected_response', words: [/incomplete answer/, /action list/], requests: 1 }],
    ['files reset, persisting: 4 GETs, closed connection', { path: `${base}/files`, fault: { path: `${base}/files`, kind: 'reset', times: FOREVER } as Fault, code: 'network', words: [/was closed before the answer arrived/], requests: 4 }],
    ['imports 429 with Retry-After: 1, transient: waits, then the lists', { path: `${base}/imports`, fault: { path: `${base}/imports`, kind: 'status', status: 429, headers: { 'retry-after': '1' } } as Fault, code: null, words: [], requests: 2 }],
  ] as const)('%s', async ([, c], context) => {
    const emu = await emulator(context);
    const { settings, profileId, settingsBefore, call } = await profileFor(emu, context);
    emu.addFault(c.fault);
    const outcome = (await call({ profileId, secret: user.password })) as { ok: boolean; error?: { code: string; message: string }; value?: { processes: unknown[] } };
    if (c.code === null) {
      expect(outcome.ok, JSON.stringify(outcome.error)).toBe(true);
      expect(outcome.value?.processes.length).toBeGreaterThan(0);
    } else {
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.code, outcome.error?.message).toBe(c.code);
      expectFriendly(outcome.error?.message ?? '');
      for (const word of c.words) expect(outcome.error?.message).toMatch(word);
    }
    expect(seen(emu, c.path)).toHaveLength(c.requests);
    expect(seen(emu, AUTH)).toHaveLength(1);
    expect(seen(emu, '/token/logout')).toHaveLength(1);
    expect(await readFile(settings.path, 'utf8')).toBe(settingsBefore);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. A proxy that answers 407, for the steps cli-proxy.test.ts does not cover

describe('a proxy answering 407 (Proxy Authentication Required)', () => {
  let proxy: Server;
  let proxyUrl: string;
  let connects = 0;
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator();
    proxy = createServer((_req, res) => {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"' });
      res.end();
    });
    proxy.on('connect', (_req, socket) => {
      connects++;
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await emu.close();
  });

  test('device code request, refresh with the stored token, and Basic sign-in: proxy_auth_required at once, one attempt each, nothing reaches Anaplan, nothing written', async (context) => {
    const sb = await sandbox(context);
    const before = await snapshot(sb);
    const words = [/HTTP 407/, /proxy user and password/, /--proxy-password-env/];
    // A loopback URL never goes through a proxy: Anaplan is named as a remote host, which the proxy refuses to reach.
    const remote = 'https://emulator.anaplan.test';

    connects = 0;
    const device = await oauthFlow(emu, sb, ['--proxy', proxyUrl], undefined, remote);
    expectOAuthFailure(device, 'proxy_auth_required', words);
    expect(connects).toBe(1);

    connects = 0;
    const store = join(sb.home, 'refresh-store');
    const token = 'stored-refresh-token-for-407';
    await writeTokenStore(store, ROTATABLE_CLIENT, token, { overwrite: false });
    const storeBefore = await snapshot(sb);
    const refresh = await runCli(['login', '--method', 'oauth', '--client-id', ROTATABLE_CLIENT, '--token-store-dir', store, '--oauth-url', remote, '--api-url', remote, '--auth-url', remote, '--proxy', proxyUrl, '--json'], {
      env: sb.env,
      cwd: sb.work,
    });
    expectFailure(refresh, 'proxy_auth_required', words);
    expect(connects).toBe(1);
    expect(await snapshot(sb)).toEqual(storeBefore);
    await rm(store, { recursive: true });

    connects = 0;
    const basic = await runCli(['login', '--method', 'basic', '--user', user.email, '--password-env', 'PW', '--auth-url', remote, '--api-url', remote, '--proxy', proxyUrl, '--json'], { env: sb.env, cwd: sb.work });
    expectFailure(basic, 'proxy_auth_required', words);
    expect(connects).toBe(1);

    expect(emu.log).toEqual([]);
    expect(await snapshot(sb)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// 8. `export` and the export folder

describe('anaplan-setup export with every remote call failing', () => {
  test('export makes no remote call, so no fault can leave a partial export: the folder is complete, with nothing else in it', async (context) => {
    const [emu, sb] = await Promise.all([emulator(context), sandbox(context)]);
    emu.addFault({ path: /./, kind: 'status', status: 503, times: FOREVER });
    const out = join(sb.work, 'job');
    const result = await runCli(
      ['export', '--method', 'basic', '--user', user.email, '--platform', 'all', '--out', out, '--workspace-id', SEED.workspaces.financePlanning.id, '--model-id', SEED.models.fpa.id, '--auth-url', emu.url, '--api-url', emu.url, '--json'],
      { env: sb.env, cwd: sb.work },
    );
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    expect(emu.log).toEqual([]);
    const files = result.json<{ files: string[] }>().files.map((path) => path.slice(out.length + 1)).sort();
    expect(await readdir(out)).toEqual(files); // exactly what it reports: no temp or partial files
    expect(files).toEqual(['README.md', 'anaplan-connect.bat', 'anaplan-connect.sh', 'boomi-connection.md', 'informatica-connection.md']);
  });
});
