import { constants, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import {
  CERTIFICATE_MESSAGE_WINDOW_MS,
  MALFORMED_BODY,
  SEED,
  TOKEN_LIFETIME_MS,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
} from '../emulator/server.js';
import { SEED_OAUTH_CLIENTS, SSO_DENIAL } from '../emulator/server.js';

const { integration, sso, expired } = SEED.users;
const { financePlanning, salesOps, executiveCompensation } = SEED.workspaces;
const HEX_ID = /^[0-9A-F]{32}$/;

function basic(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`, 'utf8').toString('base64')}`;
}

interface JsonResponse {
  status: number;
  headers: Headers;
  // Tests read into answers freely; a wrong shape fails the expectation that reads it.
  body: Record<string, unknown>;
}

async function call(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function authenticate(emu: Emulator, email: string, password: string): Promise<JsonResponse> {
  return call(`${emu.url}/token/authenticate`, { method: 'POST', headers: { authorization: basic(email, password) } });
}

async function login(emu: Emulator, email: string = integration.email, password: string = integration.password): Promise<string> {
  const answer = await authenticate(emu, email, password);
  expect(answer.status).toBe(201);
  return (answer.body.tokenInfo as { tokenValue: string }).tokenValue;
}

function withToken(token: string): RequestInit {
  return { headers: { authorization: `AnaplanAuthToken ${token}` } };
}

let emu: Emulator;
let started: Emulator[] = [];

async function start(options?: EmulatorOptions): Promise<Emulator> {
  const emulator = await startEmulator(options);
  started.push(emulator);
  return emulator;
}

beforeEach(async () => {
  emu = await start();
});

afterEach(async () => {
  await Promise.all(started.map((emulator) => emulator.close()));
  started = [];
});

describe('seed', () => {
  test('uses 32-character hex IDs like Anaplan', () => {
    for (const workspace of Object.values(SEED.workspaces)) expect(workspace.id).toMatch(HEX_ID);
    for (const model of Object.values(SEED.models)) expect(model.id).toMatch(HEX_ID);
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('token service: basic login', () => {
  test('answers 201 with the documented body by default', async () => {
    const clock = 1_800_000_000_000;
    const emulator = await start({ now: () => clock });
    const answer = await authenticate(emulator, integration.email, integration.password);
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      meta: { validationUrl: `${emulator.url}/token/validate` },
      status: 'SUCCESS',
      statusMessage: 'Login successful',
      tokenInfo: {
        tokenId: expect.any(String),
        tokenValue: expect.any(String),
        expiresAt: clock + 35 * 60 * 1000,
        refreshTokenId: expect.any(String),
      },
      refreshToken: expect.any(String),
    });
  });

  test('answers 200 when configured so', async () => {
    const emulator = await start({ authSuccessStatus: 200 });
    const answer = await authenticate(emulator, integration.email, integration.password);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('SUCCESS');
  });

  test('refuses a wrong password or an unknown user with FAILURE_BAD_CREDENTIAL', async () => {
    for (const [email, password] of [
      [integration.email, 'wrong'],
      [integration.email, integration.password.toLowerCase()],
      ['nobody@example.com', integration.password],
    ] as const) {
      const answer = await authenticate(emu, email, password);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ status: 'FAILURE_BAD_CREDENTIAL', statusMessage: 'Bad credentials' });
    }
  });

  test('refuses an SSO user and an expired password like a wrong password', async () => {
    for (const user of [sso, expired]) {
      const answer = await authenticate(emu, user.email, user.password);
      expect(answer.status).toBe(401);
      expect(answer.body.status).toBe('FAILURE_BAD_CREDENTIAL');
    }
  });

  test('answers a missing or garbled Authorization header with 400 FAILURE_BAD_HEADER', async () => {
    const headerSets: Record<string, string>[] = [
      {},
      { authorization: 'Basic' },
      { authorization: 'Basic !!!not-base64!!!' },
      { authorization: `Basic ${Buffer.from('no-colon-here').toString('base64')}` },
      { authorization: 'Bearer abc' },
    ];
    for (const headers of headerSets) {
      const answer = await call(`${emu.url}/token/authenticate`, { method: 'POST', headers });
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(answer.body.status).toBe('FAILURE_BAD_HEADER');
    }
  });

  test('matches the email without regard to case and keeps colons in passwords', async () => {
    await login(emu, integration.email.toUpperCase());
    emu.addUser({ email: 'colon@example.com', password: 'a:b:c' });
    await login(emu, 'colon@example.com', 'a:b:c');
  });
});

describe('token service: token lifecycle', () => {
  test('validate names the user by email', async () => {
    const token = await login(emu);
    const answer = await call(`${emu.url}/token/validate`, withToken(token));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'SUCCESS',
      statusMessage: 'Token validated',
      userInfo: { userId: integration.email },
      tokenInfo: { tokenValue: token },
    });
  });

  test('refresh issues a new token and retires the old one', async () => {
    const token = await login(emu);
    const answer = await call(`${emu.url}/token/refresh`, { method: 'POST', ...withToken(token) });
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('SUCCESS');
    const fresh = (answer.body.tokenInfo as { tokenValue: string }).tokenValue;
    expect(fresh).not.toBe(token);
    expect((await call(`${emu.url}/2/0/users/me`, withToken(fresh))).status).toBe(200);
    expect((await call(`${emu.url}/2/0/users/me`, withToken(token))).status).toBe(401);
  });

  test('logout answers 204 and the token stops working', async () => {
    const token = await login(emu);
    const logout = await fetch(`${emu.url}/token/logout`, { method: 'POST', ...withToken(token) });
    expect(logout.status).toBe(204);
    expect((await call(`${emu.url}/2/0/users/me`, withToken(token))).status).toBe(401);
    expect((await call(`${emu.url}/token/validate`, withToken(token))).body.status).toBe('FAILURE_BAD_CREDENTIAL');
  });

  test('tokens expire after 35 minutes by the injected clock', async () => {
    let clock = 1_800_000_000_000;
    const emulator = await start({ now: () => clock });
    const token = await login(emulator);
    clock += TOKEN_LIFETIME_MS - 1;
    expect((await call(`${emulator.url}/2/0/users/me`, withToken(token))).status).toBe(200);
    clock += 1;
    expect((await call(`${emulator.url}/2/0/users/me`, withToken(token))).status).toBe(401);
    expect((await call(`${emulator.url}/token/validate`, withToken(token))).status).toBe(401);
  });

  test('refresh, logout and validate without a header are 400 FAILURE_BAD_HEADER', async () => {
    for (const [method, path] of [['POST', '/token/refresh'], ['POST', '/token/logout'], ['GET', '/token/validate']] as const) {
      const answer = await call(`${emu.url}${path}`, { method });
      expect(answer.status, path).toBe(400);
      expect(answer.body.status).toBe('FAILURE_BAD_HEADER');
    }
  });
});

describe('integration API', () => {
  test('requires a valid token', async () => {
    const unauthorized = { status: { code: 401, message: 'Authentication failed' } };
    const missing = await call(`${emu.url}/2/0/users/me`);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual(unauthorized);
    const unknown = await call(`${emu.url}/2/0/users/me`, withToken('not-a-token'));
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(unauthorized);
    const token = await login(emu);
    const wrongScheme = await call(`${emu.url}/2/0/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(wrongScheme.status).toBe(401);
  });

  test('users/me describes the logged-in user', async () => {
    const token = await login(emu);
    const answer = await call(`${emu.url}/2/0/users/me`, withToken(token));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      meta: expect.any(Object),
      status: { code: 200, message: 'Success' },
      user: {
        id: integration.id,
        active: true,
        email: integration.email,
        emailOptIn: false,
        firstName: integration.firstName,
        lastName: integration.lastName,
        customerId: SEED.customerId,
        lastLoginDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/),
      },
    });
  });

  test('workspaces lists only those the user may see, with tenant details', async () => {
    const token = await login(emu);
    const answer = await call(`${emu.url}/2/0/workspaces?tenantDetails=true`, withToken(token));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      meta: { paging: { currentPageSize: 2, offset: 0, totalSize: 2 }, schema: expect.any(String) },
      status: { code: 200, message: 'Success' },
    });
    expect(answer.body.workspaces).toEqual([
      { ...financePlanning },
      { ...salesOps },
    ]);

    emu.addUser({ email: 'exec@example.com', password: 'Exec-Pass-1', workspaceIds: [executiveCompensation.id] });
    const exec = await call(`${emu.url}/2/0/workspaces?tenantDetails=true`, withToken(await login(emu, 'exec@example.com', 'Exec-Pass-1')));
    expect((exec.body.workspaces as { name: string }[]).map((w) => w.name)).toEqual(['Executive Compensation']);
  });

  test('models of a workspace', async () => {
    const token = await login(emu);
    const answer = await call(`${emu.url}/2/0/workspaces/${financePlanning.id}/models?modelDetails=true`, withToken(token));
    expect(answer.status).toBe(200);
    const models = answer.body.models as Record<string, unknown>[];
    expect(models.map((m) => m.name)).toEqual(['FP&A Model', 'Workforce']);
    expect(models[0]).toMatchObject({
      id: SEED.models.fpa.id,
      activeState: 'UNLOCKED',
      name: 'FP&A Model',
      currentWorkspaceId: financePlanning.id,
      currentWorkspaceName: 'Finance Planning',
      modelUrl: expect.stringContaining(SEED.models.fpa.id),
      categoryValues: [],
    });
  });

  test('404 JSON for an unknown workspace and for one the user may not see', async () => {
    const token = await login(emu);
    for (const id of ['00000000000000000000000000000000', executiveCompensation.id]) {
      const answer = await call(`${emu.url}/2/0/workspaces/${id}/models?modelDetails=true`, withToken(token));
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ status: { code: 404 } });
    }
  });

  test('imports, exports, processes, actions and files of a model', async () => {
    const token = await login(emu);
    const base = `${emu.url}/2/0/workspaces/${salesOps.id}/models/${SEED.models.pipeline.id}`;
    const imports = await call(`${base}/imports`, withToken(token));
    expect(imports.body.imports).toContainEqual({
      id: '112000000001',
      name: 'Employees from employees.csv',
      importDataSourceId: '113000000001',
      importType: 'HIERARCHY_DATA',
    });
    expect((await call(`${base}/exports`, withToken(token))).body.exports).toContainEqual(expect.objectContaining({ id: '116000000001', exportFormat: 'text/csv' }));
    expect((await call(`${base}/processes`, withToken(token))).body.processes).toEqual([{ id: '118000000001', name: 'Nightly Load' }]);
    expect((await call(`${base}/actions`, withToken(token))).body.actions).toContainEqual(expect.objectContaining({ id: '117000000001', actionType: expect.any(String) }));
    const files = (await call(`${base}/files`, withToken(token))).body.files as Record<string, unknown>[];
    expect(Object.keys(files[0] ?? {}).sort()).toEqual(
      ['chunkCount', 'delimiter', 'encoding', 'firstDataRow', 'format', 'headerRow', 'id', 'name', 'separator'],
    );
    // A model of another workspace is not found under this one.
    expect((await call(`${emu.url}/2/0/workspaces/${salesOps.id}/models/${SEED.models.fpa.id}/imports`, withToken(token))).status).toBe(404);
  });

  test('unknown routes are 404 and wrong methods 405', async () => {
    expect((await call(`${emu.url}/2/0/nothing`)).status).toBe(404);
    expect((await fetch(`${emu.url}/token/authenticate`)).status).toBe(405);
  });
});

describe('faults', () => {
  test('status: answers with the given status, body and headers, then is used up', async () => {
    emu.addFault({ path: '/token/authenticate', kind: 'status', status: 503, body: '<html>maintenance</html>', headers: { 'retry-after': '1' }, times: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${emu.url}/token/authenticate`, { method: 'POST', headers: { authorization: basic(integration.email, integration.password) } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toBe('<html>maintenance</html>');
    }
    await login(emu);
  });

  test('status without a body answers Anaplan-style JSON', async () => {
    emu.addFault({ path: '/2/0/users/me', kind: 'status', status: 429 });
    const answer = await call(`${emu.url}/2/0/users/me`);
    expect(answer.status).toBe(429);
    expect(answer.body).toEqual({ status: { code: 429, message: 'Too Many Requests' } });
  });

  test('match by method, by RegExp over the path with its query, in the order added', async () => {
    const token = await login(emu);
    emu.addFault({ path: '/2/0/workspaces', method: 'POST', kind: 'status', status: 500 });
    emu.addFault({ path: /tenantDetails=true/, kind: 'status', status: 502 });
    emu.addFault({ path: '/2/0/workspaces', kind: 'status', status: 504 });
    expect((await call(`${emu.url}/2/0/workspaces?tenantDetails=true`, withToken(token))).status).toBe(502);
    expect((await call(`${emu.url}/2/0/workspaces?tenantDetails=true`, withToken(token))).status).toBe(504);
    expect((await call(`${emu.url}/2/0/workspaces?tenantDetails=true`, withToken(token))).status).toBe(200);
  });

  test('delay: answers normally after the delay', async () => {
    emu.addFault({ path: '/token/authenticate', kind: 'delay', ms: 300 });
    const begun = performance.now();
    const answer = await authenticate(emu, integration.email, integration.password);
    expect(performance.now() - begun).toBeGreaterThanOrEqual(280);
    expect(answer.status).toBe(201);
  });

  test('reset: fetch sees a network error', async () => {
    emu.addFault({ path: '/token/authenticate', kind: 'reset' });
    await expect(fetch(`${emu.url}/token/authenticate`, { method: 'POST', headers: { authorization: basic(integration.email, integration.password) } })).rejects.toThrow(TypeError);
    await login(emu);
  });

  test('malformed: HTTP 200 whose body is not JSON', async () => {
    emu.addFault({ path: '/token/authenticate', kind: 'malformed' });
    const response = await fetch(`${emu.url}/token/authenticate`, { method: 'POST', headers: { authorization: basic(integration.email, integration.password) } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toBe(MALFORMED_BODY);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  test('hang: never answers, and close() still returns promptly', async () => {
    emu.addFault({ path: '/2/0/users/me', kind: 'hang', times: 2 });
    await expect(fetch(`${emu.url}/2/0/users/me`, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: 'TimeoutError' });

    const stillHanging = fetch(`${emu.url}/2/0/users/me`).then(
      () => 'answered',
      () => 'failed',
    );
    await vi.waitFor(() => expect(emu.log).toHaveLength(2));
    const begun = performance.now();
    await emu.close();
    // Well below the 60 s delay and Node's 5 s keep-alive: close() did not wait for either.
    expect(performance.now() - begun).toBeLessThan(3000);
    expect(await stillHanging).toBe('failed');
  });

  test('close() cuts idle keep-alive connections and pending delays', async () => {
    await login(emu); // leaves a keep-alive socket open
    emu.addFault({ path: '/2/0/users/me', kind: 'delay', ms: 60_000 });
    const delayed = fetch(`${emu.url}/2/0/users/me`).then(
      () => 'answered',
      () => 'failed',
    );
    await vi.waitFor(() => expect(emu.log).toHaveLength(2));
    const begun = performance.now();
    await emu.close();
    // Well below the 60 s delay and Node's 5 s keep-alive: close() did not wait for either.
    expect(performance.now() - begun).toBeLessThan(3000);
    expect(await delayed).toBe('failed');
  });
});

describe('request log', () => {
  test('records method, path with query, lowercased headers and body, faults included', async () => {
    let clock = 1_800_000_000_000;
    const emulator = await start({ now: () => clock });
    const token = await login(emulator);
    clock += 5_000;
    emulator.addFault({ path: '/2/0/workspaces', kind: 'status', status: 500 });
    await fetch(`${emulator.url}/2/0/workspaces?tenantDetails=true`, { headers: { Authorization: `AnaplanAuthToken ${token}`, 'X-Custom': 'yes' } });
    await fetch(`${emulator.url}/token/refresh`, { method: 'POST', headers: { authorization: `AnaplanAuthToken ${token}` }, body: 'hello' });

    expect(emulator.log.map((entry) => [entry.method, entry.path])).toEqual([
      ['POST', '/token/authenticate'],
      ['GET', '/2/0/workspaces?tenantDetails=true'],
      ['POST', '/token/refresh'],
    ]);
    const [loginEntry, workspacesEntry, refreshEntry] = emulator.log;
    expect(loginEntry?.time).toBe(1_800_000_000_000);
    expect(loginEntry?.headers.authorization).toBe(basic(integration.email, integration.password));
    expect(loginEntry?.body).toBe('');
    expect(workspacesEntry?.time).toBe(1_800_000_005_000);
    expect(workspacesEntry?.headers['x-custom']).toBe('yes');
    expect(refreshEntry?.body).toBe('hello');

    emulator.reset();
    expect(emulator.log).toHaveLength(0);
  });
});

describe('HTTP control routes', () => {
  test('add faults by path and by pathRegex', async () => {
    const added = await call(`${emu.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/token/authenticate', kind: 'status', status: 500 }),
    });
    expect(added.status).toBe(201);
    await call(`${emu.url}/__emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ pathRegex: '^/2/0/workspaces/[0-9A-F]{32}/models', kind: 'malformed' }),
    });
    expect((await authenticate(emu, integration.email, integration.password)).status).toBe(500);
    const token = await login(emu);
    const models = await fetch(`${emu.url}/2/0/workspaces/${financePlanning.id}/models?modelDetails=true`, withToken(token));
    expect(await models.text()).toBe(MALFORMED_BODY);
  });

  test('refuse an invalid fault with 400', async () => {
    const bodies = [
      'not json',
      JSON.stringify({ path: '/x', kind: 'explode' }),
      JSON.stringify({ kind: 'reset' }),
      JSON.stringify({ path: '/x', pathRegex: 'x', kind: 'reset' }),
      JSON.stringify({ pathRegex: '([', kind: 'reset' }),
      JSON.stringify({ path: '/x', kind: 'status' }),
    ];
    for (const body of bodies) {
      const answer = await call(`${emu.url}/__emulator/faults`, { method: 'POST', body });
      expect(answer.status, body).toBe(400);
      expect(answer.body.error).toEqual(expect.any(String));
    }
  });

  test('log, reset and users; control calls are not logged', async () => {
    const added = await call(`${emu.url}/__emulator/users`, {
      method: 'POST',
      body: JSON.stringify({ email: 'second@example.com', password: 'Second-Pass-2', firstName: 'Sec' }),
    });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ id: expect.stringMatching(HEX_ID), email: 'second@example.com' });
    expect((await call(`${emu.url}/__emulator/users`, { method: 'POST', body: JSON.stringify({ email: 'not-an-email' }) })).status).toBe(400);

    const token = await login(emu, 'second@example.com', 'Second-Pass-2');
    await call(`${emu.url}/2/0/users/me`, withToken(token));
    const log = await fetch(`${emu.url}/__emulator/log`).then((r) => r.json() as Promise<{ method: string; path: string }[]>);
    expect(log.map((entry) => entry.path)).toEqual(['/token/authenticate', '/2/0/users/me']);

    await call(`${emu.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ path: '/token/authenticate', kind: 'reset' }) });
    const reset = await fetch(`${emu.url}/__emulator/reset`, { method: 'POST' });
    expect(reset.status).toBe(204);
    expect(emu.log).toHaveLength(0);
    // The fault is gone and the added user stays.
    await login(emu, 'second@example.com', 'Second-Pass-2');
    expect(emu.log.map((entry) => entry.path)).toEqual(['/token/authenticate']);
  });
});

// ---------------------------------------------------------------------------------------------
// CA-certificate login (anaplan-facts §2): certificates made in-process with node-forge, keys
// with node:crypto; payloads built by hand here, independently of the assistant's client.

interface TestCertificate {
  pem: string;
  der: Buffer;
  privateKey: KeyObject;
  notAfter: number;
}

function rsaKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A self-signed RSA certificate; `email` goes into the SAN (rfc822Name) and the subject's emailAddress. */
function makeCertificate(options: { email?: string; subjectEmailOnly?: boolean; notBefore?: Date; notAfter?: Date; keys?: ReturnType<typeof rsaKeys> } = {}): TestCertificate {
  const keys = options.keys ?? rsaKeys();
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  certificate.serialNumber = '0badc0de';
  certificate.validity.notBefore = options.notBefore ?? new Date(Date.now() - 86_400_000);
  certificate.validity.notAfter = options.notAfter ?? new Date(Date.now() + 365 * 86_400_000);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: 'Ingrid Integration' }];
  if (options.email) subject.push({ name: 'emailAddress', value: options.email });
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  if (options.email && !options.subjectEmailOnly) certificate.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 1, value: options.email }] }]);
  certificate.sign(forge.pki.privateKeyFromPem(keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(certificate).replace(/\r\n/g, '\n');
  return { pem, der: Buffer.from(new X509Certificate(pem).raw), privateKey: keys.privateKey, notAfter: certificate.validity.notAfter.getTime() };
}

function v2Message(atMs: number): Buffer {
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000)));
  return Buffer.concat([time, randomBytes(92)]);
}

function signedBody(message: Buffer, key: KeyObject, format: 'v2' | 'v1' = 'v2'): string {
  const signature = sign('sha512', message, { key, padding: constants.RSA_PKCS1_PADDING });
  const body: Record<string, string> = { encodedData: message.toString('base64'), encodedSignedData: signature.toString('base64') };
  if (format === 'v2') body.encodedDataFormat = 'v2';
  return JSON.stringify(body);
}

function caCertificateHeader(certificate: TestCertificate, form: 'pem' | 'der' = 'pem'): string {
  return `CACertificate ${(form === 'pem' ? Buffer.from(certificate.pem) : certificate.der).toString('base64')}`;
}

function certificateAuthenticate(emulator: Emulator, authorization: string, body: string, contentType = 'application/json'): Promise<JsonResponse> {
  return call(`${emulator.url}/token/authenticate`, { method: 'POST', headers: { authorization, 'content-type': contentType }, body });
}

describe('token service: CA-certificate login', () => {
  const NOW = 1_800_000_000_000;
  let clock = NOW;
  let leaf: TestCertificate;
  let emulator: Emulator;

  beforeAll(() => {
    leaf = makeCertificate({ email: integration.email, notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 365 * 86_400_000) });
  });
  beforeEach(async () => {
    clock = NOW;
    emulator = await start({ now: () => clock });
    emulator.registerCertificate(integration.email, leaf.pem);
  });

  const login = (body: string = signedBody(v2Message(clock), leaf.privateKey), form: 'pem' | 'der' = 'pem') =>
    certificateAuthenticate(emulator, caCertificateHeader(leaf, form), body);

  const refusedWith = async (answer: Promise<JsonResponse>, status: number, failure: string, message: RegExp) => {
    const { status: got, body } = await answer;
    expect(got).toBe(status);
    expect(body).toEqual({ status: failure, statusMessage: expect.stringMatching(message) });
  };

  test('a registered certificate with a v2 payload signs in as its user, PEM or DER form', async () => {
    for (const form of ['pem', 'der'] as const) {
      const answer = await login(undefined, form);
      expect(answer.status, form).toBe(201);
      expect(answer.body).toMatchObject({ status: 'SUCCESS', statusMessage: 'Login successful', tokenInfo: { expiresAt: NOW + TOKEN_LIFETIME_MS } });
      const token = (answer.body.tokenInfo as { tokenValue: string }).tokenValue;
      const me = await call(`${emulator.url}/2/0/users/me`, withToken(token));
      expect((me.body.user as { email: string }).email).toBe(integration.email);
    }
  });

  test('the log keeps the CACertificate header and the JSON body', async () => {
    const body = signedBody(v2Message(clock), leaf.privateKey);
    await login(body);
    const [entry] = emulator.log;
    expect(entry?.headers.authorization).toBe(caCertificateHeader(leaf));
    expect(entry?.headers['content-type']).toBe('application/json');
    expect(entry?.body).toBe(body);
  });

  test('refuses an unregistered certificate with 401 FAILURE_BAD_CREDENTIAL', async () => {
    const stranger = makeCertificate({ email: integration.email });
    await refusedWith(
      certificateAuthenticate(emulator, caCertificateHeader(stranger), signedBody(v2Message(clock), stranger.privateKey)),
      401,
      'FAILURE_BAD_CREDENTIAL',
      /not registered/,
    );
  });

  test('refuses a signature made with another key', async () => {
    await refusedWith(login(signedBody(v2Message(clock), rsaKeys().privateKey)), 401, 'FAILURE_BAD_CREDENTIAL', /Signature/);
    const message = v2Message(clock);
    const tampered = JSON.parse(signedBody(message, leaf.privateKey)) as Record<string, string>;
    message[50] = (message[50] ?? 0) ^ 1;
    tampered.encodedData = message.toString('base64');
    await refusedWith(login(JSON.stringify(tampered)), 401, 'FAILURE_BAD_CREDENTIAL', /Signature/);
  });

  test('refuses an expired certificate, and one not valid yet, by the emulator clock', async () => {
    clock = leaf.notAfter + 60_000;
    await refusedWith(login(), 401, 'FAILURE_BAD_CREDENTIAL', /expired/);
    clock = NOW - 2 * 86_400_000;
    await refusedWith(login(), 401, 'FAILURE_BAD_CREDENTIAL', /not yet valid/);
  });

  test('refuses a message more than 5 minutes old or ahead; accepts one at the edge', async () => {
    await refusedWith(login(signedBody(v2Message(clock - CERTIFICATE_MESSAGE_WINDOW_MS - 1_000), leaf.privateKey)), 401, 'FAILURE_BAD_CREDENTIAL', /timestamp/);
    await refusedWith(login(signedBody(v2Message(clock + CERTIFICATE_MESSAGE_WINDOW_MS + 1_000), leaf.privateKey)), 401, 'FAILURE_BAD_CREDENTIAL', /timestamp/);
    expect((await login(signedBody(v2Message(clock - CERTIFICATE_MESSAGE_WINDOW_MS), leaf.privateKey))).status).toBe(201);
    expect((await login(signedBody(v2Message(clock + CERTIFICATE_MESSAGE_WINDOW_MS), leaf.privateKey))).status).toBe(201);
    // A message signed now goes stale once the clock moves on.
    const body = signedBody(v2Message(clock), leaf.privateKey);
    clock += CERTIFICATE_MESSAGE_WINDOW_MS + 1_000;
    await refusedWith(login(body), 401, 'FAILURE_BAD_CREDENTIAL', /timestamp/);
  });

  test('refuses a replayed payload, in either header form', async () => {
    const body = signedBody(v2Message(clock), leaf.privateKey);
    expect((await login(body)).status).toBe(201);
    await refusedWith(login(body), 401, 'FAILURE_BAD_CREDENTIAL', /already been used/);
    await refusedWith(login(body, 'der'), 401, 'FAILURE_BAD_CREDENTIAL', /already been used/);
  });

  test('accepts v1 payloads (150 random bytes, no encodedDataFormat) as Anaplan does today, and refuses them with requireV2', async () => {
    const v1 = () => signedBody(randomBytes(150), leaf.privateKey, 'v1');
    expect((await login(v1())).status).toBe(201);
    const strict = await start({ now: () => clock, requireV2: true });
    strict.registerCertificate(integration.email, leaf.pem);
    await refusedWith(certificateAuthenticate(strict, caCertificateHeader(leaf), v1()), 401, 'FAILURE_BAD_CREDENTIAL', /v2/);
    expect((await certificateAuthenticate(strict, caCertificateHeader(leaf), signedBody(v2Message(clock), leaf.privateKey))).status).toBe(201);
  });

  test('answers a malformed header or body with 400 FAILURE_BAD_HEADER', async () => {
    const good = signedBody(v2Message(clock), leaf.privateKey);
    const twoBlocks = Buffer.from(leaf.pem + leaf.pem).toString('base64');
    const cases: [string, string, string][] = [
      ['CACertificate !!not base64!!', good, 'application/json'],
      [`CACertificate ${Buffer.from('not a certificate').toString('base64')}`, good, 'application/json'],
      [`CACertificate ${twoBlocks}`, good, 'application/json'],
      [caCertificateHeader(leaf), good, 'text/plain'],
      [caCertificateHeader(leaf), 'not json', 'application/json'],
      [caCertificateHeader(leaf), JSON.stringify({ encodedData: 'AAAA' }), 'application/json'],
      [caCertificateHeader(leaf), JSON.stringify({ ...(JSON.parse(good) as object), encodedDataFormat: 'v3' }), 'application/json'],
      [caCertificateHeader(leaf), signedBody(v2Message(clock).subarray(0, 99), leaf.privateKey), 'application/json'],
    ];
    for (const [authorization, body, contentType] of cases) {
      const answer = await certificateAuthenticate(emulator, authorization, body, contentType);
      expect(answer.status, `${authorization.slice(0, 40)} ${body.slice(0, 40)} ${contentType}`).toBe(400);
      expect(answer.body.status).toBe('FAILURE_BAD_HEADER');
    }
  });

  test('registration takes PEM, DER or base64 DER, matched to the email in the SAN or the subject', async () => {
    const second = makeCertificate({ email: integration.email.toUpperCase(), subjectEmailOnly: true });
    const registered = emulator.registerCertificate(integration.email, second.der);
    expect(registered).toEqual({ userEmail: integration.email, der: second.der, fingerprint256: new X509Certificate(second.der).fingerprint256 });
    expect((await certificateAuthenticate(emulator, caCertificateHeader(second), signedBody(v2Message(clock), second.privateKey))).status).toBe(201);
    // Registering again replaces, not duplicates.
    emulator.registerCertificate(integration.email, second.der.toString('base64'));
    expect(emulator.state.certificates).toHaveLength(2);
  });

  test('registration refuses what a Tenant Administrator could not upload', () => {
    expect(() => emulator.registerCertificate(integration.email, makeCertificate().pem)).toThrow('email should not be blank [null]');
    expect(() => emulator.registerCertificate(integration.email, makeCertificate({ email: 'someone.else@example.com' }).pem)).toThrow(/someone.else@example.com/);
    expect(() => emulator.registerCertificate('nobody@example.com', leaf.pem)).toThrow(/No user/);
    expect(() => emulator.registerCertificate(integration.email, leaf.pem + leaf.pem)).toThrow(/one PEM block/);
    expect(() => emulator.registerCertificate(integration.email, 'not a certificate')).toThrow(/Not a certificate/);
  });

  test('POST /__emulator/certificates registers from another process', async () => {
    const other = makeCertificate({ email: sso.email });
    const added = await call(`${emulator.url}/__emulator/certificates`, { method: 'POST', body: JSON.stringify({ email: sso.email, certificate: other.pem }) });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ email: sso.email, fingerprint256: new X509Certificate(other.pem).fingerprint256 });
    const answer = await certificateAuthenticate(emulator, caCertificateHeader(other, 'der'), signedBody(v2Message(clock), other.privateKey));
    expect(answer.status).toBe(201);
    const validated = await call(`${emulator.url}/token/validate`, withToken((answer.body.tokenInfo as { tokenValue: string }).tokenValue));
    expect((validated.body.userInfo as { userId: string }).userId).toBe(sso.email);

    const base64Der = await call(`${emulator.url}/__emulator/certificates`, { method: 'POST', body: JSON.stringify({ email: sso.email, certificate: other.der.toString('base64') }) });
    expect(base64Der.status).toBe(201);
    for (const body of ['not json', JSON.stringify({ email: sso.email }), JSON.stringify({ email: sso.email, certificate: makeCertificate().pem })]) {
      const refused = await call(`${emulator.url}/__emulator/certificates`, { method: 'POST', body });
      expect(refused.status, body).toBe(400);
      expect(refused.body.error).toEqual(expect.any(String));
    }
    expect(emulator.log).toHaveLength(2); // control calls are not logged
  });
});

// ---------------------------------------------------------------------------------------------
// OAuth 2.0 device grant (anaplan-facts §4, RFC 8628)

describe('OAuth device grant', () => {
  const CLIENT = SEED_OAUTH_CLIENTS.deviceGrant.clientId;
  const ROTATABLE = SEED_OAUTH_CLIENTS.rotatable.clientId;
  const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
  const SCOPE = 'openid profile email offline_access';

  function form(params: Record<string, string>): RequestInit {
    return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() };
  }
  function json(params: Record<string, string>): RequestInit {
    return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) };
  }
  function deviceCode(emulator: Emulator, init: RequestInit = form({ client_id: CLIENT, scope: SCOPE })): Promise<JsonResponse> {
    return call(`${emulator.url}/oauth/device/code`, init);
  }
  function poll(emulator: Emulator, code: string, clientId: string = CLIENT, encode = form): Promise<JsonResponse> {
    return call(`${emulator.url}/oauth/token`, encode({ grant_type: DEVICE_GRANT, device_code: code, client_id: clientId }));
  }
  async function newCode(emulator: Emulator, clientId: string = CLIENT): Promise<{ device: string; user: string }> {
    const answer = await deviceCode(emulator, form({ client_id: clientId, scope: SCOPE }));
    expect(answer.status).toBe(200);
    return { device: answer.body.device_code as string, user: answer.body.user_code as string };
  }
  const control = (emulator: Emulator, path: string, body: unknown): Promise<JsonResponse> =>
    call(`${emulator.url}/__emulator/${path}`, { method: 'POST', body: JSON.stringify(body) });

  test('seeds a non-rotatable and a rotatable Device grant client', () => {
    expect(emu.state.oauth.clients).toEqual([
      { clientId: '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e', name: 'Anaplan Connect (device grant)', grantType: 'device', rotatable: false, refreshTokenLifetime: null },
      { clientId: ROTATABLE, name: expect.any(String), grantType: 'device', rotatable: true, refreshTokenLifetime: 43_000 },
    ]);
  });

  test('a device code, from a form or a JSON body', async () => {
    for (const init of [form({ client_id: CLIENT, scope: SCOPE }), json({ client_id: CLIENT, scope: SCOPE })]) {
      const answer = await deviceCode(emu, init);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const userCode = answer.body.user_code as string;
      expect(userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      expect(answer.body).toEqual({
        device_code: expect.stringMatching(/^[\w-]{43}$/),
        user_code: userCode,
        verification_uri: `${emu.url}/activate`,
        verification_uri_complete: `${emu.url}/activate?user_code=${userCode}`,
        expires_in: 600,
        interval: 5,
      });
    }
  });

  test('interval and lifetime are options; interval may be left out', async () => {
    const emulator = await start({ oauth: { interval: null, expiresIn: 120 } });
    const answer = await deviceCode(emulator);
    expect(answer.body.expires_in).toBe(120);
    expect(answer.body).not.toHaveProperty('interval');
    expect((await deviceCode(await start({ oauth: { interval: 1 } }))).body.interval).toBe(1);
  });

  test('refuses an unknown client, a client of another type, an unknown scope and a refused encoding', async () => {
    const unknown = await deviceCode(emu, form({ client_id: 'ffffffffffffffffffffffffffffffff', scope: SCOPE }));
    expect([unknown.status, unknown.body.error]).toEqual([401, 'invalid_client']);
    expect([(await deviceCode(emu, form({ scope: SCOPE }))).status]).toEqual([401]);
    emu.addOAuthClient({ clientId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', grantType: 'authorization_code' });
    expect((await deviceCode(emu, form({ client_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' }))).body.error).toBe('unauthorized_client');
    expect((await deviceCode(emu, form({ client_id: CLIENT, scope: 'openid admin' }))).body).toEqual({ error: 'invalid_scope', error_description: 'Unknown scope: admin' });
    const noType = await deviceCode(emu, { method: 'POST', body: `client_id=${CLIENT}` });
    expect([noType.status, noType.body.error]).toEqual([400, 'invalid_request']);
    const repeated = await deviceCode(emu, { ...form({}), body: `client_id=${CLIENT}&client_id=${CLIENT}` });
    expect(repeated.body.error_description).toMatch(/client_id given more than once/);

    const formOnly = await start({ oauth: { encodings: ['form'] } });
    const refused = await deviceCode(formOnly, json({ client_id: CLIENT, scope: SCOPE }));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error: 'invalid_request', error_description: 'Unsupported content type application/json: send application/x-www-form-urlencoded' });
    expect((await deviceCode(formOnly)).status).toBe(200);
    const jsonOnly = await start({ oauth: { encodings: ['json'] } });
    expect((await deviceCode(jsonOnly)).body.error).toBe('invalid_request');
  });

  test('pending until approved, slow_down when polled sooner than the interval, then tokens once', async () => {
    let clock = 1_800_000_000_000;
    const emulator = await start({ now: () => clock });
    const code = await newCode(emulator);
    clock += 4_999;
    expect((await poll(emulator, code.device)).body.error).toBe('slow_down'); // the first poll counts from the code's issue
    clock += 10_000;
    expect((await poll(emulator, code.device)).body).toEqual({ error: 'authorization_pending', error_description: expect.any(String) });
    clock += 9_999; // the interval is now 10 s for good
    expect((await poll(emulator, code.device)).body.error).toBe('slow_down');
    clock += 15_000;
    expect((await poll(emulator, code.device, CLIENT, json)).body.error).toBe('authorization_pending');

    expect(emulator.approveDevice(code.user.toLowerCase().replace('-', ' '), integration.email).status).toBe('approved');
    clock += 15_000;
    const tokens = await poll(emulator, code.device);
    expect(tokens.status).toBe(200);
    expect(tokens.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      id_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      scope: SCOPE,
      expires_in: 2100,
      token_type: 'bearer',
    });
    const claims = JSON.parse(Buffer.from((tokens.body.id_token as string).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: CLIENT, email: integration.email, sub: integration.id, iss: emulator.url });

    // An Anaplan token for that user: the integration API and the token service know it.
    const me = await call(`${emulator.url}/2/0/users/me`, withToken(tokens.body.access_token as string));
    expect((me.body.user as { email: string }).email).toBe(integration.email);
    expect(emulator.state.tokens.get(tokens.body.access_token as string)?.expiresAt).toBe(clock + TOKEN_LIFETIME_MS);

    clock += 15_000;
    expect((await poll(emulator, code.device)).body.error).toBe('invalid_grant'); // used
    expect((await poll(emulator, 'no-such-code')).body.error).toBe('invalid_grant');
    expect(emulator.state.oauth.polls.map((entry) => [entry.answer, entry.interval])).toEqual([
      ['slow_down', 10],
      ['authorization_pending', 10],
      ['slow_down', 15],
      ['authorization_pending', 15],
      ['tokens', 15],
      ['invalid_grant', 15],
      ['invalid_grant', 0],
    ]);
    // Every poll is in the request log with its time.
    expect(emulator.log.filter((entry) => entry.path === '/oauth/token').map((entry) => entry.time - 1_800_000_000_000)).toEqual([
      4_999, 14_999, 24_998, 39_998, 54_998, 69_998, 69_998,
    ]);
  });

  test('expired_token after expires_in, access_denied when denied, and for an SSO user with a reason that says so', async () => {
    let clock = 1_800_000_000_000;
    const emulator = await start({ now: () => clock });
    const late = await newCode(emulator);
    const denied = await newCode(emulator);
    const ssoCode = await newCode(emulator);
    emulator.denyDevice(denied.user);
    expect(emulator.approveDevice(ssoCode.user, sso.email)).toMatchObject({ status: 'denied', denialReason: SSO_DENIAL });
    clock += 5_000;
    expect((await poll(emulator, denied.device)).body).toEqual({ error: 'access_denied', error_description: 'The user denied the request' });
    const refused = await poll(emulator, ssoCode.device);
    expect(refused.body.error).toBe('access_denied');
    expect(refused.body.error_description).toMatch(/SSO/);
    expect(() => emulator.approveDevice(denied.user, integration.email)).toThrow(/already denied/);
    clock += 600_000;
    const expiredAnswer = await poll(emulator, late.device);
    expect([expiredAnswer.status, expiredAnswer.body.error]).toEqual([400, 'expired_token']);
    expect(() => emulator.approveDevice(late.user, integration.email)).toThrow(/expired/);
    expect(() => emulator.approveDevice('ZZZZ-ZZZZ', integration.email)).toThrow(/No device code/);
    expect((await poll(emulator, late.device, ROTATABLE)).body.error).toBe('invalid_grant'); // another client's code
  });

  test('scripted answers come before the code state; a scripted slow_down widens the interval', async () => {
    let clock = 1_800_000_000_000;
    const emulator = await start({ now: () => clock });
    const code = await newCode(emulator);
    emulator.approveDevice(code.user, integration.email);
    const scripted = await control(emulator, 'oauth/script', { responses: ['authorization_pending', 'slow_down', 'invalid_client'] });
    expect(scripted).toMatchObject({ status: 201, body: { pendingResponses: 3 } });
    expect((await control(emulator, 'oauth/script', { responses: ['explode'] })).status).toBe(400);
    clock += 5_000;
    expect((await poll(emulator, code.device)).body.error).toBe('authorization_pending');
    clock += 5_000;
    expect((await poll(emulator, code.device)).body.error).toBe('slow_down');
    clock += 5_000;
    expect((await poll(emulator, code.device)).body.error).toBe('slow_down'); // 10 s now: too soon (15 s from here), the script waits
    clock += 15_000;
    const client = await poll(emulator, code.device);
    expect([client.status, client.body.error]).toEqual([401, 'invalid_client']);
    clock += 15_000;
    expect((await poll(emulator, code.device)).status).toBe(200);
    const polls = await fetch(`${emulator.url}/__emulator/oauth/polls`).then((r) => r.json() as Promise<{ answer: string; scripted: boolean }[]>);
    expect(polls.map((entry) => `${entry.answer}${entry.scripted ? '*' : ''}`)).toEqual(['authorization_pending*', 'slow_down*', 'slow_down', 'invalid_client*', 'tokens']);

    emulator.scriptOAuth(['access_denied']);
    emulator.reset();
    expect(emulator.state.oauth.script).toEqual([]);
    expect(emulator.state.oauth.polls).toEqual([]);
  });

  test('refresh: a new access token; rotatable clients also rotate the refresh token, which expires', async () => {
    let clock = 1_800_000_000_000;
    const emulator = await start({ now: () => clock });
    const signIn = async (clientId: string): Promise<Record<string, unknown>> => {
      const code = await newCode(emulator, clientId);
      emulator.approveDevice(code.user, integration.email);
      clock += 5_000;
      return (await poll(emulator, code.device, clientId)).body;
    };
    const refresh = (clientId: string, token: unknown, encode = form): Promise<JsonResponse> =>
      call(`${emulator.url}/oauth/token`, encode({ grant_type: 'refresh_token', client_id: clientId, refresh_token: String(token) }));

    const fixed = await signIn(CLIENT);
    const again = await refresh(CLIENT, fixed.refresh_token);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ refresh_token: fixed.refresh_token, expires_in: 2100, token_type: 'bearer', scope: SCOPE });
    expect(again.body.access_token).not.toBe(fixed.access_token);
    expect((await call(`${emulator.url}/2/0/users/me`, withToken(again.body.access_token as string))).status).toBe(200);
    expect((await refresh(CLIENT, fixed.refresh_token, json)).status).toBe(200); // still good
    expect((await refresh(ROTATABLE, fixed.refresh_token)).body.error).toBe('invalid_grant'); // another client's

    const rotating = await signIn(ROTATABLE);
    const rotated = await refresh(ROTATABLE, rotating.refresh_token, json);
    expect(rotated.body.refresh_token).toEqual(expect.any(String));
    expect(rotated.body.refresh_token).not.toBe(rotating.refresh_token);
    expect((await refresh(ROTATABLE, rotating.refresh_token)).body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    clock += 43_000_000;
    expect((await refresh(ROTATABLE, rotated.body.refresh_token)).body.error).toBe('invalid_grant'); // lived 43,000 s
    expect((await refresh(CLIENT, fixed.refresh_token)).status).toBe(200); // non-rotatable: never expires

    expect((await call(`${emulator.url}/oauth/token`, form({ grant_type: 'password', client_id: CLIENT }))).body.error).toBe('unsupported_grant_type');
    expect((await call(`${emulator.url}/oauth/token`, form({ client_id: CLIENT }))).body.error).toBe('invalid_request');
  });

  test('control routes approve and deny by user code, and add clients', async () => {
    const first = await newCode(emu);
    const second = await newCode(emu);
    expect(await control(emu, 'device/approve', { user_code: first.user, email: integration.email })).toMatchObject({
      status: 200,
      body: { user_code: first.user, status: 'approved', email: integration.email },
    });
    expect((await control(emu, 'device/approve', { user_code: first.user, email: integration.email })).status).toBe(409);
    expect((await control(emu, 'device/approve', { user_code: 'BBBB-BBBB', email: integration.email })).status).toBe(404);
    expect((await control(emu, 'device/approve', { user_code: second.user, email: 'nobody@example.com' })).status).toBe(400);
    expect((await control(emu, 'device/approve', { user_code: second.user, email: expired.email })).body.error).toMatch(/expired/);
    expect((await control(emu, 'device/approve', { email: integration.email })).status).toBe(400);
    expect(await control(emu, 'device/deny', { user_code: second.user })).toMatchObject({ status: 200, body: { status: 'denied' } });
    const third = await newCode(emu);
    expect(await control(emu, 'device/approve', { user_code: third.user, email: sso.email })).toMatchObject({ status: 200, body: { status: 'denied', reason: SSO_DENIAL } });

    const added = await control(emu, 'oauth/clients', { clientId: '0123456789abcdef0123456789abcdef', rotatable: true });
    expect(added.body).toEqual({ clientId: '0123456789abcdef0123456789abcdef', name: 'Test client', grantType: 'device', rotatable: true, refreshTokenLifetime: 43_000 });
    expect((await newCode(emu, '0123456789abcdef0123456789abcdef')).user).toMatch(/^\w{4}-\w{4}$/);
    expect(emu.log.every((entry) => !entry.path.startsWith('/__emulator'))).toBe(true);
  });

  test('a sign-in page at /activate approves with email and password, or denies', async () => {
    const code = await newCode(emu);
    const page = await fetch(`${emu.url}/activate?user_code=${code.user}`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(`value="${code.user}"`);
    expect(html).toMatch(/<form method="post" action="\/activate">/);
    expect(await fetch(`${emu.url}/activate?user_code="><script>`).then((r) => r.text())).toContain('value="&#34;&#62;&#60;script&#62;"');

    const submit = (fields: Record<string, string>): Promise<string> => fetch(`${emu.url}/activate`, form(fields)).then((r) => r.text());
    expect(await submit({ user_code: code.user, email: integration.email, password: 'wrong', action: 'approve' })).toContain('Wrong email or password');
    expect(emu.state.oauth.deviceCodes[0]?.status).toBe('pending');
    expect(await submit({ user_code: code.user, email: integration.email, password: integration.password, action: 'approve' })).toContain(`Signed in as ${integration.email}`);
    expect(emu.state.oauth.deviceCodes[0]?.status).toBe('approved');

    const other = await newCode(emu);
    expect(await submit({ user_code: other.user, action: 'deny' })).toContain('Access denied');
    expect(emu.state.oauth.deviceCodes[1]?.status).toBe('denied');
    const ssoCode = await newCode(emu);
    expect(await submit({ user_code: ssoCode.user, email: sso.email, password: sso.password, action: 'approve' })).toContain('SSO');
  });
});
