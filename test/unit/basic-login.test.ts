import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { resolveEndpoints } from '../../main/anaplan/endpoints.js';
import { loginBasic } from '../../main/core/login.js';
import { createHttpClient, type HttpClient } from '../../main/net/http.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';
import { failure } from '../support/fixtures.js';

let emulator: Emulator;
let http: HttpClient;
const integration = SEED.users.integration;

beforeAll(async () => {
  emulator = await startEmulator();
  http = createHttpClient({ timeoutMs: 2_000, backoffMs: 10 });
});
afterAll(async () => {
  await http.close();
  await emulator.close();
});
afterEach(() => emulator.reset());

const endpoints = () => resolveEndpoints({ authUrl: emulator.url, apiUrl: emulator.url });

describe('Basic login end to end against the emulator', () => {
  test('right password: user, workspaces and their models; the token is logged out afterwards', async () => {
    const result = await loginBasic(http, endpoints(), integration.email, integration.password);
    expect(result.user.email).toBe(integration.email);
    expect(result.user.firstName).toBe('Ingrid');
    expect(result.workspaces.map((w) => w.name).sort()).toEqual(['Finance Planning', 'Sales Ops']);
    const finance = result.workspaces.find((w) => w.id === SEED.workspaces.financePlanning.id);
    expect(finance?.models.map((m) => m.name).sort()).toEqual(['FP&A Model', 'Workforce']);
    const paths = emulator.log.map((entry) => `${entry.method} ${entry.path}`);
    expect(paths[0]).toBe('POST /token/authenticate');
    expect(paths).toContain('GET /2/0/users/me');
    expect(paths).toContain('GET /2/0/workspaces?tenantDetails=true');
    expect(paths.at(-1)).toBe('POST /token/logout');
    const authenticate = emulator.log[0]!;
    expect(authenticate.headers.authorization).toBe(`Basic ${Buffer.from(`${integration.email}:${integration.password}`).toString('base64')}`);
    expect(authenticate.body).toBe('');
    const me = emulator.log.find((e) => e.path === '/2/0/users/me')!;
    expect(me.headers.authorization).toMatch(/^AnaplanAuthToken \S+$/);
  });

  test('success answered with HTTP 200 instead of 201 works too', async () => {
    const other = await startEmulator({ authSuccessStatus: 200 });
    try {
      const result = await loginBasic(http, resolveEndpoints({ authUrl: other.url, apiUrl: other.url }), integration.email, integration.password);
      expect(result.user.email).toBe(integration.email);
    } finally {
      await other.close();
    }
  });

  test('wrong password: bad_credentials with what to do next, and no retry of the login', async () => {
    const error = await failure(loginBasic(http, endpoints(), integration.email, 'wrong'));
    expect(error.code).toBe('bad_credentials');
    expect(error.message).toMatch(/did not accept this email and password/);
    expect(error.message).toMatch(/exception user/);
    expect(emulator.log.filter((e) => e.path === '/token/authenticate')).toHaveLength(1);
  });

  test('an SSO user without exception is refused with the SSO hint', async () => {
    const error = await failure(loginBasic(http, endpoints(), SEED.users.sso.email, SEED.users.sso.password));
    expect(['bad_credentials', 'sso_user']).toContain(error.code);
    expect(error.message).toMatch(/single sign-on/);
  });

  test('a 200 whose status is not SUCCESS is a failure, not a login', async () => {
    emulator.addFault({ path: '/token/authenticate', kind: 'status', status: 200, body: JSON.stringify({ status: 'FAILURE_BAD_CREDENTIAL', statusMessage: 'Bad credentials' }) });
    const error = await failure(loginBasic(http, endpoints(), integration.email, integration.password));
    expect(error.code).toBe('bad_credentials');
  });

  test('region mismatch: the auth host accepts, the API host refuses the token', async () => {
    const otherRegion = await startEmulator();
    try {
      const error = await failure(loginBasic(http, resolveEndpoints({ authUrl: emulator.url, apiUrl: otherRegion.url }), integration.email, integration.password));
      expect(error.code).toBe('region_mismatch');
      expect(error.message).toMatch(/different regions/);
    } finally {
      await otherRegion.close();
    }
  });

  test('malformed JSON from the token service is named as such', async () => {
    emulator.addFault({ path: '/token/authenticate', kind: 'malformed' });
    const error = await failure(loginBasic(http, endpoints(), integration.email, integration.password));
    expect(error.code).toBe('unexpected_response');
    expect(error.message).toMatch(/not JSON/);
  });

  test('a wrong auth URL (404) says to check the region or URL', async () => {
    const error = await failure(loginBasic(http, resolveEndpoints({ authUrl: `${emulator.url}/nothing-here`, apiUrl: emulator.url }), integration.email, integration.password));
    expect(error.code).toBe('not_found');
  });

  test('GETs are retried after 503 and succeed; the login POST is not retried after a 500', async () => {
    emulator.addFault({ path: '/2/0/users/me', kind: 'status', status: 503, times: 2 });
    const result = await loginBasic(http, endpoints(), integration.email, integration.password);
    expect(result.user.email).toBe(integration.email);
    expect(emulator.log.filter((e) => e.path === '/2/0/users/me')).toHaveLength(3);
    emulator.reset();
    emulator.addFault({ path: '/token/authenticate', kind: 'status', status: 500 });
    const error = await failure(loginBasic(http, endpoints(), integration.email, integration.password));
    expect(error.code).toBe('server_error');
    expect(emulator.log.filter((e) => e.path === '/token/authenticate')).toHaveLength(1);
  });
});
