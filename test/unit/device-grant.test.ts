import {
  checkClientId,
  DEVICE_CODE_GRANT_TYPE,
  DEVICE_SCOPE,
  isVerificationUriSafe,
  looksLikeAnaplanClientId,
  pollForTokens,
  refreshTokens,
  requestDeviceCode,
  type DeviceCode,
  type DeviceGrantOptions,
  type PollStatus,
} from '../../main/anaplan/device-grant.js';
import type { TestContext } from 'vitest';
import { createHttpClient, type HttpClient } from '../../main/net/http.js';
import { startRfc8628Server, type Rfc8628Server } from '../emulator/rfc8628-server.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js';
import { failure } from '../support/fixtures.js';

// Real time where the assertions are about time (poll spacing, slow_down, cancel): those read the
// emulator's own request log. Elsewhere a fake clock shared by the emulator and the client
// (`now` + `sleep`) fast-forwards the waits. The real-time tests run concurrently.

const { integration, sso } = SEED.users;
const CLIENT_ID = SEED_OAUTH_CLIENTS.deviceGrant.clientId;
const ROTATABLE_ID = SEED_OAUTH_CLIENTS.rotatable.clientId;
const FORM_TYPE = 'application/x-www-form-urlencoded';

type Cleanup = Pick<TestContext, 'onTestFinished'>;

async function emulator(cleanup: Cleanup, options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator(options);
  cleanup.onTestFinished(() => emu.close());
  return emu;
}

function httpClient(cleanup: Cleanup): HttpClient {
  const http = createHttpClient({ timeoutMs: 10_000, backoffMs: 20 });
  cleanup.onTestFinished(() => http.close());
  return http;
}

/** A clock for the emulator and the client: sleeping moves it on at once. */
function fakeClock(start = 1_800_000_000_000): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let time = start;
  const slept: number[] = [];
  return {
    now: () => time,
    slept,
    async sleep(ms) {
      slept.push(ms);
      time += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function grant(emu: Emulator, http: HttpClient, extra: Partial<DeviceGrantOptions> = {}): DeviceGrantOptions {
  return {
    http,
    deviceAuthorizationUrl: `${emu.url}/oauth/device/code`,
    tokenUrl: `${emu.url}/oauth/token`,
    clientId: CLIENT_ID,
    ...extra,
  };
}

/** Arrival times (emulator clock) of the device code request and of every poll. */
function timeline(emu: Emulator): { issued: number; polls: number[] } {
  const issued = emu.log.find((entry) => entry.path === '/oauth/device/code')?.time;
  if (issued === undefined) throw new Error('no device code request in the log');
  return { issued, polls: emu.log.filter((entry) => entry.path === '/oauth/token').map((entry) => entry.time) };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - (times[index] ?? 0));
}

/** Polls the emulator had to answer with slow_down because they came too soon. */
function unscriptedSlowDowns(emu: Emulator): number {
  return emu.state.oauth.polls.filter((poll) => poll.answer === 'slow_down' && !poll.scripted).length;
}

describe.concurrent('device grant in real time (spacing read from the emulator log)', () => {
  test('approval after several pending polls yields tokens that work on the integration API', async (context) => {
    const emu = await emulator(context, { oauth: { interval: 1 } });
    const http = httpClient(context);
    const statuses: PollStatus[] = [];
    const code = await requestDeviceCode(grant(emu, http));
    expect(code).toMatchObject({ interval: 1, expiresIn: 600, verificationUri: `${emu.url}/activate` });
    expect(code.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(code.verificationUriComplete).toBe(`${emu.url}/activate?user_code=${code.userCode}`);

    const tokens = await pollForTokens(
      code,
      grant(emu, http, {
        onStatus: (status) => {
          statuses.push(status);
          if (statuses.length === 3) emu.approveDevice(code.userCode, integration.email);
        },
      }),
    );
    expect(statuses.map((status) => status.state)).toEqual(['pending', 'pending', 'pending']);
    expect(statuses[0]).toMatchObject({ nextPollInMs: 1000, interval: 1 });
    expect(tokens).toMatchObject({ expiresIn: 2100, tokenType: 'bearer', scope: DEVICE_SCOPE });
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(tokens.idToken?.split('.')).toHaveLength(3);

    // The access token is an Anaplan token: AnaplanAuthToken on the integration API.
    const me = await fetch(`${emu.url}/2/0/users/me`, { headers: { authorization: `AnaplanAuthToken ${tokens.accessToken}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(integration.email);

    // Form bodies by default (RFC 8628), with the documented parameters.
    const [device, firstPoll] = [emu.log.find((e) => e.path === '/oauth/device/code'), emu.log.find((e) => e.path === '/oauth/token')];
    expect(device?.headers['content-type']).toBe(FORM_TYPE);
    expect(Object.fromEntries(new URLSearchParams(device?.body))).toEqual({ client_id: CLIENT_ID, scope: DEVICE_SCOPE });
    expect(device?.body).toBe(`client_id=${CLIENT_ID}&scope=openid+profile+email+offline_access`);
    expect(Object.fromEntries(new URLSearchParams(firstPoll?.body))).toEqual({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: code.deviceCode, client_id: CLIENT_ID });

    // Never sooner than the interval, the first poll included.
    const { issued, polls } = timeline(emu);
    expect(polls).toHaveLength(4);
    expect(gaps([issued, ...polls]).every((gap) => gap >= 1000)).toBe(true);
    expect(unscriptedSlowDowns(emu)).toBe(0);
  });

  test('slow_down widens the interval by 5 s for the rest of the flow', async (context) => {
    const emu = await emulator(context, { oauth: { interval: 1 } });
    const http = httpClient(context);
    const statuses: PollStatus[] = [];
    const code = await requestDeviceCode(grant(emu, http));
    emu.scriptOAuth(['authorization_pending', 'slow_down']);
    const tokens = await pollForTokens(
      code,
      grant(emu, http, {
        onStatus: (status) => {
          statuses.push(status);
          if (status.state === 'slow_down') emu.approveDevice(code.userCode, integration.email);
        },
      }),
    );
    expect(tokens.accessToken).toEqual(expect.any(String));
    expect(statuses).toEqual([expect.objectContaining({ state: 'pending', interval: 1 }), { state: 'slow_down', interval: 6 }]);

    const { issued, polls } = timeline(emu);
    expect(polls).toHaveLength(3);
    const [beforeFirst, afterPending, afterSlowDown] = gaps([issued, ...polls]);
    expect(beforeFirst).toBeGreaterThanOrEqual(1000);
    expect(afterPending).toBeGreaterThanOrEqual(1000);
    expect(afterPending).toBeLessThan(6000);
    expect(afterSlowDown).toBeGreaterThanOrEqual(6000);
    expect(emu.state.oauth.polls.map((poll) => poll.answer)).toEqual(['authorization_pending', 'slow_down', 'tokens']);
    expect(unscriptedSlowDowns(emu)).toBe(0);
  });

  test('completes against a standards-only RFC 8628 server given by URL (form bodies, no interval: 5 s)', async (context) => {
    const server: Rfc8628Server = await startRfc8628Server({ devicePath: '/custom/device_authorization', tokenPath: '/custom/token', sendInterval: false });
    context.onTestFinished(() => server.close());
    const http = httpClient(context);
    const options: DeviceGrantOptions = { http, deviceAuthorizationUrl: server.deviceAuthorizationUrl, tokenUrl: server.tokenUrl, clientId: 'rfc-8628-test-client' };
    const code = await requestDeviceCode(options);
    expect(code.interval).toBe(5);
    expect(code.verificationUriComplete).toContain(code.userCode);
    server.approve(code.userCode);
    const tokens = await pollForTokens(code, options);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, scope: DEVICE_SCOPE, idToken: null });
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(server.log.map((entry) => [entry.path, entry.contentType, entry.status])).toEqual([
      ['/custom/device_authorization', FORM_TYPE, 200],
      ['/custom/token', FORM_TYPE, 200],
    ]);
    const [issued, poll] = server.log.map((entry) => entry.time);
    expect((poll ?? 0) - (issued ?? 0)).toBeGreaterThanOrEqual(5000);
  });

  test('cancel during the wait between polls returns at once', async (context) => {
    const emu = await emulator(context); // interval 5 s
    const http = httpClient(context);
    const code = await requestDeviceCode(grant(emu, http));
    const controller = new AbortController();
    let aborted = 0;
    setTimeout(() => {
      aborted = Date.now();
      controller.abort();
    }, 200);
    const error = await failure(pollForTokens(code, grant(emu, http, { signal: controller.signal })));
    expect(error.code).toBe('cancelled');
    // "At once" against the 5 s wait it cut short: no poll was sent, and it returned well before
    // the wait would have ended (a wide bound: a busy machine can stall a timer for a while).
    expect(timeline(emu).polls).toEqual([]);
    expect(Date.now() - aborted).toBeLessThan(2500);
  });

  test('cancel during a poll that hangs returns at once', async (context) => {
    const emu = await emulator(context, { oauth: { interval: 1 } });
    const http = httpClient(context);
    emu.addFault({ path: '/oauth/token', kind: 'hang' });
    const code = await requestDeviceCode(grant(emu, http));
    const controller = new AbortController();
    const polling = pollForTokens(code, grant(emu, http, { signal: controller.signal }));
    while (timeline(emu).polls.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const aborted = Date.now();
    controller.abort();
    expect((await failure(polling)).code).toBe('cancelled');
    // Well before the request's own 10 s timeout would have ended it (a wide bound, for busy machines).
    expect(Date.now() - aborted).toBeLessThan(2500);
  });
});

describe('device grant on a fast-forwarded clock', () => {
  async function setup(cleanup: Cleanup, options: EmulatorOptions = {}) {
    const clock = fakeClock();
    const emu = await emulator(cleanup, { ...options, now: clock.now });
    const http = httpClient(cleanup);
    const statuses: PollStatus[] = [];
    const base = grant(emu, http, { now: clock.now, sleep: clock.sleep, onStatus: (status) => statuses.push(status) });
    return { clock, emu, http, statuses, base };
  }

  /** Decides on the code once `afterPolls` polls were answered pending. */
  function decideAfter(code: DeviceCode, afterPolls: number, decide: (userCode: string) => void): (status: PollStatus) => void {
    let pending = 0;
    return (status) => {
      if (status.state === 'pending' && ++pending === afterPolls) decide(code.userCode);
    };
  }

  test('a declined sign-in ends with access_denied and the next step', async (context) => {
    const { emu, base } = await setup(context);
    const code = await requestDeviceCode(base);
    const onStatus = decideAfter(code, 2, (userCode) => emu.denyDevice(userCode));
    const error = await failure(pollForTokens(code, { ...base, onStatus }));
    expect(error.code).toBe('access_denied');
    expect(error.message).toMatch(/the sign-in was declined/i);
    expect(error.message).toMatch(/SSO exception user/);
    expect(error.details).toMatchObject({ oauthError: 'access_denied', sso: false });
    expect(emu.state.oauth.polls.map((poll) => poll.answer)).toEqual(['authorization_pending', 'authorization_pending', 'access_denied']);
  });

  test('an SSO user is refused with access_denied and the exception-user hint first', async (context) => {
    const { emu, base } = await setup(context);
    const code = await requestDeviceCode(base);
    emu.approveDevice(code.userCode, sso.email);
    const error = await failure(pollForTokens(code, base));
    expect(error.code).toBe('access_denied');
    expect(error.message).toMatch(/^The sign-in was declined \(the server said: ".*SSO.*"\)\. The device grant is disabled for users who sign in with single sign-on/);
    expect(error.details).toMatchObject({ sso: true });
  });

  test('stops with expired at expires_in when nobody signs in', async (context) => {
    const { clock, emu, base, statuses } = await setup(context, { oauth: { expiresIn: 30 } });
    const code = await requestDeviceCode(base);
    const error = await failure(pollForTokens(code, base));
    expect(error.code).toBe('expired');
    expect(error.message).toMatch(/expired.*get a new code/);
    expect(clock.now()).toBe(code.issuedAt + 30_000);
    // Polls at 5, 10, … 25 s; the wait for a poll at 30 s is cut at the deadline.
    expect(timeline(emu).polls.map((time) => time - code.issuedAt)).toEqual([5000, 10_000, 15_000, 20_000, 25_000]);
    expect(statuses.at(-1)).toEqual({ state: 'pending', nextPollInMs: 5000, interval: 5, expiresInMs: 5000 });
  });

  test("the server's expired_token, invalid_grant and invalid_client each end with their own code", async (context) => {
    const { emu, base } = await setup(context);
    for (const [answer, codeName, words] of [
      ['expired_token', 'expired', /code expired.*get a new code/],
      ['invalid_grant', 'invalid_grant', /no longer accepts this device code.*get a new code/i],
      ['invalid_client', 'invalid_client', /client ID is wrong or the OAuth client is not a Device grant client/],
    ] as const) {
      const code = await requestDeviceCode(base);
      emu.scriptOAuth([answer]);
      const error = await failure(pollForTokens(code, base));
      expect([error.code, error.message]).toEqual([codeName, expect.stringMatching(words)]);
    }
  });

  test('an unknown client and a client that is not a Device grant client are refused before any code', async (context) => {
    const { emu, base } = await setup(context);
    const unknown = await failure(requestDeviceCode({ ...base, clientId: '00000000000000000000000000000000' }));
    expect(unknown.code).toBe('invalid_client');
    expect(unknown.message).toMatch(/client ID 00000000000000000000000000000000.*wrong or the OAuth client is not a Device grant client/);
    emu.addOAuthClient({ clientId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', grantType: 'authorization_code' });
    expect((await failure(requestDeviceCode({ ...base, clientId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' }))).code).toBe('invalid_client');
  });

  test('5xx answers and connection resets while polling are retried with backoff, never sooner than the interval', async (context) => {
    const { clock, emu, base, statuses } = await setup(context);
    const code = await requestDeviceCode(base);
    emu.addFault({ path: '/oauth/token', kind: 'status', status: 500 });
    emu.addFault({ path: '/oauth/token', kind: 'reset' });
    emu.addFault({ path: '/oauth/token', kind: 'status', status: 502, body: '<html><body>Bad Gateway</body></html>' });
    emu.approveDevice(code.userCode, integration.email);
    const tokens = await pollForTokens(code, base);
    expect(tokens.accessToken).toEqual(expect.any(String));
    expect(statuses.map((status) => status.state)).toEqual(['retrying', 'retrying', 'retrying']);
    expect(statuses.map((status) => (status.state === 'retrying' ? status.nextPollInMs : 0))).toEqual([5000, 10_000, 20_000]);
    expect(statuses[0]).toMatchObject({ reason: expect.stringMatching(/HTTP 500/) });
    expect(statuses[1]).toMatchObject({ reason: expect.stringMatching(/connection/i) });
    const { issued, polls } = timeline(emu);
    expect(gaps([issued, ...polls])).toEqual([5000, 5000, 10_000, 20_000]);
    expect(clock.now() - issued).toBe(40_000);
    expect(unscriptedSlowDowns(emu)).toBe(0);
  });

  test('JSON bodies when asked, as Anaplan Connect sends them', async (context) => {
    const { emu, base } = await setup(context);
    const options = { ...base, encoding: 'json' as const };
    const code = await requestDeviceCode(options);
    emu.approveDevice(code.userCode, integration.email);
    await pollForTokens(code, options);
    const [device, poll] = emu.log;
    expect(device?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(device?.body ?? '')).toEqual({ client_id: CLIENT_ID, scope: DEVICE_SCOPE });
    expect(poll?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(poll?.body ?? '')).toEqual({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: code.deviceCode, client_id: CLIENT_ID });
  });

  test('an encoding the server refuses is named, with the way out', async (context) => {
    const { base } = await setup(context, { oauth: { encodings: ['form'] } });
    const error = await failure(requestDeviceCode({ ...base, encoding: 'json' }));
    expect(error.code).toBe('unexpected_response');
    expect(error.message).toMatch(/invalid_request.*content type application\/json.*switch the encoding/i);

    const server = await startRfc8628Server();
    context.onTestFinished(() => server.close());
    const refused = await failure(requestDeviceCode({ ...base, deviceAuthorizationUrl: server.deviceAuthorizationUrl, tokenUrl: server.tokenUrl, encoding: 'json' }));
    expect(refused.message).toMatch(/HTTP 415.*Unsupported Media Type.*form for standard RFC 8628 servers/);
  });

  test('no interval in the answer means 5 s, the first poll included', async (context) => {
    const { clock, emu, base } = await setup(context, { oauth: { interval: null } });
    const code = await requestDeviceCode(base);
    expect(code.interval).toBe(5);
    emu.approveDevice(code.userCode, integration.email);
    await pollForTokens(code, base);
    expect(clock.slept).toEqual([5000]);
    const { issued, polls } = timeline(emu);
    expect(polls.map((time) => time - issued)).toEqual([5000]);
  });

  test('a code shown for a while before polling starts counts the time already spent', async (context) => {
    const { clock, emu, base } = await setup(context);
    const code = await requestDeviceCode(base);
    await clock.sleep(3000); // the user reads the code
    clock.slept.length = 0;
    emu.approveDevice(code.userCode, integration.email);
    await pollForTokens(code, base);
    expect(clock.slept).toEqual([2000]);
  });

  test('a 400 that is not JSON, an unknown error and a broken success answer are unexpected_response with the words', async (context) => {
    const { emu, base } = await setup(context);
    const code = await requestDeviceCode(base);
    emu.addFault({ path: '/oauth/token', kind: 'status', status: 400, body: '<html><h1>Request blocked by policy 42</h1></html>' });
    const html = await failure(pollForTokens(code, base));
    expect([html.code, html.message]).toEqual(['unexpected_response', expect.stringMatching(/HTTP 400.*"Request blocked by policy 42"/)]);

    emu.addFault({ path: '/oauth/token', kind: 'status', status: 400, body: '{"error":"mystery_error","error_description":"The moon is in the wrong phase"}' });
    const mystery = await failure(pollForTokens(code, base));
    expect([mystery.code, mystery.message]).toEqual(['unexpected_response', expect.stringMatching(/"mystery_error" \(the server said: "The moon is in the wrong phase"\)/)]);

    emu.addFault({ path: '/oauth/token', kind: 'malformed' });
    expect((await failure(pollForTokens(code, base))).code).toBe('unexpected_response');
  });

  test('a bad client ID is refused before any request', async (context) => {
    const { emu, base } = await setup(context);
    const error = await failure(requestDeviceCode({ ...base, clientId: 'not a client id' }));
    expect(error.code).toBe('bad_input');
    expect(error.details).toMatchObject({ problems: [{ field: 'clientId' }] });
    expect(emu.log).toEqual([]);
  });
});

describe('refresh', () => {
  async function signIn(cleanup: Cleanup, clientId: string) {
    const clock = fakeClock();
    const emu = await emulator(cleanup, { now: clock.now });
    const http = httpClient(cleanup);
    const options = grant(emu, http, { clientId, sleep: clock.sleep, now: clock.now });
    const code = await requestDeviceCode(options);
    emu.approveDevice(code.userCode, integration.email);
    const tokens = await pollForTokens(code, options);
    return { emu, http, tokens };
  }

  test('a non-rotatable client keeps its refresh token; the new access token works', async (context) => {
    const { emu, http, tokens } = await signIn(context, CLIENT_ID);
    const refreshed = await refreshTokens({ http, tokenUrl: `${emu.url}/oauth/token`, clientId: CLIENT_ID, refreshToken: tokens.refreshToken ?? '' });
    expect(refreshed).toMatchObject({ refreshToken: tokens.refreshToken, refreshTokenRotated: false, expiresIn: 2100 });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    const me = await fetch(`${emu.url}/2/0/users/me`, { headers: { authorization: `AnaplanAuthToken ${refreshed.accessToken}` } });
    expect(me.status).toBe(200);
    const body = Object.fromEntries(new URLSearchParams(emu.log.at(-2)?.body));
    expect(body).toEqual({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: tokens.refreshToken });
  });

  test('a rotatable client hands out a new refresh token and retires the old one', async (context) => {
    const { emu, http, tokens } = await signIn(context, ROTATABLE_ID);
    const options = { http, tokenUrl: `${emu.url}/oauth/token`, clientId: ROTATABLE_ID, encoding: 'json' as const };
    const refreshed = await refreshTokens({ ...options, refreshToken: tokens.refreshToken ?? '' });
    expect(refreshed.refreshTokenRotated).toBe(true);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    const stale = await failure(refreshTokens({ ...options, refreshToken: tokens.refreshToken ?? '' }));
    expect(stale.code).toBe('invalid_grant');
    expect(stale.message).toMatch(/refresh token is no longer accepted.*rotatable.*Sign in again/);
    expect((await refreshTokens({ ...options, refreshToken: refreshed.refreshToken ?? '' })).refreshTokenRotated).toBe(true);
  });
});

describe('checks', () => {
  test('client IDs: Anaplan shape, any URL-safe token, refusals with the reason', () => {
    expect(checkClientId(`  ${CLIENT_ID}\n`)).toBe(CLIENT_ID);
    expect(checkClientId('my-client.id_1~')).toBe('my-client.id_1~');
    expect(looksLikeAnaplanClientId(CLIENT_ID)).toBe(true);
    expect(looksLikeAnaplanClientId('my-client.id_1~')).toBe(false);
    const refusal = (value: string): string => {
      try {
        checkClientId(value);
      } catch (error) {
        expect(error).toMatchObject({ code: 'bad_input' });
        return (error as Error).message;
      }
      throw new Error(`${JSON.stringify(value)} was accepted`);
    };
    expect(refusal('')).toMatch(/Enter the OAuth client ID/);
    expect(refusal('3f2a9c1d 5b7e4a6c')).toMatch(/spaces or line breaks/);
    expect(refusal('3f2a9c1d\u00a05b7e4a6c')).toMatch(/spaces or line breaks|control or non-ASCII/);
    expect(refusal('3f2a9c1d\u00005b7e4a6c')).toMatch(/control or non-ASCII/);
    expect(refusal('3f2a9c1dé5b7e4a6c')).toMatch(/control or non-ASCII/);
    expect(refusal('short')).toMatch(/32 hexadecimal characters.*8 to 128/);
    expect(refusal('a'.repeat(129))).toMatch(/129 characters/);
    expect(refusal('client/id?x=1')).toMatch(/does not look like a client ID/);
  });

  test('a sign-in page only over https (or loopback http) on the OAuth host in use or one of Anaplan\'s', () => {
    const oauth = 'https://us1a.app.anaplan.com';
    expect(isVerificationUriSafe('https://eu3.app.anaplan.com/oauth/device', oauth)).toBe(true);
    expect(isVerificationUriSafe('http://eu3.app.anaplan.com/oauth/device', oauth)).toBe(false);
    expect(isVerificationUriSafe('https://us1a.app.anaplan.com/oauth/device?user_code=BCDF-GHJK', oauth)).toBe(true);
    expect(isVerificationUriSafe('https://US1A.app.anaplan.com/activate', oauth)).toBe(true);
    expect(isVerificationUriSafe('http://us1a.app.anaplan.com/activate', oauth)).toBe(false);
    expect(isVerificationUriSafe('https://evil.example.com/activate', oauth)).toBe(false);
    expect(isVerificationUriSafe('https://us1a.app.anaplan.com.evil.example/activate', oauth)).toBe(false);
    expect(isVerificationUriSafe('https://user:pw@us1a.app.anaplan.com/activate', oauth)).toBe(false);
    expect(isVerificationUriSafe('https://us1a.app.anaplan.com:8443/activate', oauth)).toBe(false);
    expect(isVerificationUriSafe('javascript:alert(1)', oauth)).toBe(false);
    expect(isVerificationUriSafe('not a url', oauth)).toBe(false);
    expect(isVerificationUriSafe('http://127.0.0.1:8700/activate', 'http://127.0.0.1:8700')).toBe(true);
    expect(isVerificationUriSafe('http://127.0.0.1:8701/activate', 'http://127.0.0.1:8700')).toBe(false);
  });
});
