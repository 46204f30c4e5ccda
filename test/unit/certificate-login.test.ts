import { spawnSync } from 'node:child_process';
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { authenticateCertificate, certificateAuthorizationHeader, v2Body, v2Message } from '../../main/anaplan/certificate-login.js';
import { resolveEndpoints } from '../../main/anaplan/endpoints.js';
import { readTokenAnswer } from '../../main/anaplan/token-service.js';
import { isAppError, type AppError } from '../../main/errors.js';
import { loginCertificate } from '../../main/core/login.js';
import { createHttpClient, type HttpClient } from '../../main/net/http.js';
import { CERTIFICATE_MESSAGE_WINDOW_MS, SEED, startEmulator, type Emulator, type RequestLogEntry } from '../emulator/server.js';

/**
 * Certificate login end to end (anaplan-facts §2): a CA and a leaf made with openssl, the leaf
 * registered in the emulator, the assistant's client signing in with the leaf's key.
 */

const integration = SEED.users.integration;
let dir: string;
let leafPem: string;
let chainPem: string;
let leafKey: KeyObject;
let emulator: Emulator;
let http: HttpClient;
/** Added to the emulator's clock (ms). */
let clockOffset = 0;

function openssl(...args: string[]): string {
  const result = spawnSync('openssl', args, { encoding: 'utf8', cwd: dir });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certificate-login-'));
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'ca-key.pem');
  openssl('req', '-x509', '-new', '-key', 'ca-key.pem', '-subj', '/CN=Test Issuing CA', '-days', '30', '-out', 'ca.pem');
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'leaf-key.pem');
  openssl('req', '-new', '-key', 'leaf-key.pem', '-subj', `/CN=Ingrid Integration/emailAddress=${integration.email}`, '-out', 'leaf.csr');
  await writeFile(
    join(dir, 'leaf.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth,emailProtection\nsubjectAltName=email:${integration.email}\n`,
  );
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '30', '-sha256', '-extfile', 'leaf.ext', '-out', 'leaf.pem');
  leafPem = await readFile(join(dir, 'leaf.pem'), 'utf8');
  chainPem = leafPem + (await readFile(join(dir, 'ca.pem'), 'utf8'));
  leafKey = createPrivateKey(await readFile(join(dir, 'leaf-key.pem')));
  emulator = await startEmulator({ now: () => Date.now() + clockOffset });
  http = createHttpClient({ timeoutMs: 5_000, backoffMs: 10 });
});
afterAll(async () => {
  await http?.close();
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  emulator.state.certificates = [];
  emulator.registerCertificate(integration.email, leafPem);
});
afterEach(() => {
  clockOffset = 0;
  emulator.reset();
});

const endpoints = () => resolveEndpoints({ authUrl: emulator.url, apiUrl: emulator.url });

async function failure(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

function authenticateEntries(): RequestLogEntry[] {
  return emulator.log.filter((entry) => entry.path === '/token/authenticate');
}

function sentBody(entry: RequestLogEntry | undefined): Record<string, string> {
  return JSON.parse(entry?.body ?? '') as Record<string, string>;
}

describe('certificate login end to end against the emulator', () => {
  test('signs in, reads the user and workspaces, and logs out', async () => {
    const result = await loginCertificate(http, endpoints(), leafPem, leafKey);
    expect(result.user.email).toBe(integration.email);
    expect(result.workspaces.map((w) => w.name).sort()).toEqual(['Finance Planning', 'Sales Ops']);
    const paths = emulator.log.map((entry) => `${entry.method} ${entry.path}`);
    expect(paths[0]).toBe('POST /token/authenticate');
    expect(paths).toContain('GET /2/0/users/me');
    expect(paths).toContain('GET /2/0/workspaces?tenantDetails=true');
    expect(paths.at(-1)).toBe('POST /token/logout');
  });

  test('sends base64 of the whole PEM text and exactly the three v2 fields, signed SHA512withRSA', async () => {
    const before = Math.floor(Date.now() / 1000);
    await loginCertificate(http, endpoints(), leafPem, leafKey);
    const after = Math.floor(Date.now() / 1000);
    const [entry] = authenticateEntries();
    expect(entry?.headers.authorization).toBe(`CACertificate ${Buffer.from(leafPem, 'utf8').toString('base64')}`);
    expect(entry?.headers['content-type']).toBe('application/json');
    const body = sentBody(entry);
    expect(Object.keys(body).sort()).toEqual(['encodedData', 'encodedDataFormat', 'encodedSignedData']);
    expect(body.encodedDataFormat).toBe('v2');
    const message = Buffer.from(body.encodedData ?? '', 'base64');
    expect(message).toHaveLength(100);
    const seconds = Number(message.readBigUInt64BE(0));
    expect(seconds).toBeGreaterThanOrEqual(before);
    expect(seconds).toBeLessThanOrEqual(after);
    // openssl agrees: RSASSA-PKCS1-v1_5 with SHA-512 over the raw 100 bytes, by the certificate's public key.
    await writeFile(join(dir, 'message.bin'), message);
    await writeFile(join(dir, 'message.sig'), Buffer.from(body.encodedSignedData ?? '', 'base64'));
    openssl('x509', '-in', 'leaf.pem', '-pubkey', '-noout', '-out', 'leaf-pub.pem');
    expect(openssl('dgst', '-sha512', '-verify', 'leaf-pub.pem', '-signature', 'message.sig', 'message.bin')).toMatch(/Verified OK/);
  });

  test('every login sends a fresh message', async () => {
    await loginCertificate(http, endpoints(), leafPem, leafKey);
    await loginCertificate(http, endpoints(), leafPem, leafKey);
    const [first, second] = authenticateEntries().map((entry) => sentBody(entry).encodedData);
    expect(first).toBeDefined();
    expect(first).not.toBe(second);
  });

  test('an unregistered certificate: bad_credentials naming Administration › Security › Certificates, and no second try', async () => {
    emulator.state.certificates = [];
    const error = await failure(loginCertificate(http, endpoints(), leafPem, leafKey));
    expect(error.code).toBe('bad_credentials');
    expect(error.message).toContain('Administration › Security › Certificates');
    expect(error.message).toContain('email should not be blank [null]');
    expect(error.message).toMatch(/not registered/);
    expect(authenticateEntries()).toHaveLength(1);
  });

  test('the wrong private key is refused', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const error = await failure(loginCertificate(http, endpoints(), leafPem, privateKey));
    expect(error.code).toBe('bad_credentials');
    expect(error.message).toMatch(/private key/);
  });

  test('a stale timestamp is refused (the emulator clock 10 minutes ahead), and the message says to check the clock', async () => {
    clockOffset = 2 * CERTIFICATE_MESSAGE_WINDOW_MS;
    const error = await failure(loginCertificate(http, endpoints(), leafPem, leafKey));
    expect(error.code).toBe('bad_credentials');
    expect(error.message).toMatch(/timestamp/);
    expect(error.message).toMatch(/clock/);
  });

  test('an expired certificate is refused in plain words', async () => {
    clockOffset = 40 * 86_400_000;
    const error = await failure(loginCertificate(http, endpoints(), leafPem, leafKey));
    expect(error.code).toBe('bad_credentials');
    expect(error.message).toMatch(/Certificate has expired/);
  });

  test('a v1 payload is refused by a token service that requires v2', async () => {
    const emulator = await startEmulator({ requireV2: true });
    onTestFinished(() => emulator.close());
    emulator.registerCertificate(SEED.users.integration.email, leafPem);
    const message = randomBytes(150); // v1: 150 random bytes, no encodedDataFormat (anaplan-facts §2)
    const response = await http.send({
      method: 'POST',
      url: `${emulator.url}/token/authenticate`,
      headers: { authorization: certificateAuthorizationHeader(leafPem), 'content-type': 'application/json' },
      body: JSON.stringify({
        encodedData: message.toString('base64'),
        encodedSignedData: sign('sha512', message, { key: leafKey, padding: constants.RSA_PKCS1_PADDING }).toString('base64'),
      }),
      idempotent: false,
    });
    expect(response.status).toBe(401);
    let caught: unknown;
    try {
      readTokenAnswer(response, emulator.url, 'certificate');
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, 'bad_credentials')).toBe(true);
    expect((caught as AppError).message).toMatch(/v2 is required/);
  });

  test('a PEM header refused as FAILURE_BAD_HEADER is retried once in the DER form, with a fresh message', async () => {
    const badHeader = JSON.stringify({ status: 'FAILURE_BAD_HEADER', statusMessage: 'Malformed header' });
    emulator.addFault({ path: '/token/authenticate', kind: 'status', status: 400, body: badHeader });
    const token = await authenticateCertificate(http, emulator.url, leafPem, leafKey);
    expect(token.value).toEqual(expect.any(String));
    const [pem, der] = authenticateEntries();
    expect(pem?.headers.authorization).toBe(certificateAuthorizationHeader(leafPem, 'pem'));
    openssl('x509', '-in', 'leaf.pem', '-outform', 'DER', '-out', 'leaf.der');
    expect(der?.headers.authorization).toBe(`CACertificate ${(await readFile(join(dir, 'leaf.der'))).toString('base64')}`);
    expect(sentBody(pem).encodedData).not.toBe(sentBody(der).encodedData);

    emulator.reset();
    emulator.addFault({ path: '/token/authenticate', kind: 'status', status: 400, body: badHeader, times: 2 });
    const error = await failure(authenticateCertificate(http, emulator.url, leafPem, leafKey));
    expect(error.code).toBe('unexpected_response');
    expect(error.message).toMatch(/FAILURE_BAD_HEADER/);
    expect(authenticateEntries()).toHaveLength(2);
  });

  test('headerForm "der" sends the DER form from the start', async () => {
    await authenticateCertificate(http, emulator.url, leafPem, leafKey, { headerForm: 'der' });
    expect(authenticateEntries()[0]?.headers.authorization).toBe(certificateAuthorizationHeader(leafPem, 'der'));
  });
});

describe('the CACertificate header and the v2 body', () => {
  test('the PEM form is the canonical PEM of the one certificate, whatever surrounds it', () => {
    const header = certificateAuthorizationHeader(leafPem);
    expect(header).toBe(`CACertificate ${Buffer.from(leafPem).toString('base64')}`);
    const messy = `Bag Attributes\n    friendlyName: ingrid\nsubject=CN=Ingrid\n${leafPem.replace(/\n/g, '\r\n')}\n\n`;
    expect(certificateAuthorizationHeader(messy)).toBe(header);
  });

  test('a chain, or no certificate at all, is refused with bad_input', () => {
    expect(() => certificateAuthorizationHeader(chainPem)).toThrow(/2 certificates.*only the leaf/);
    expect(() => certificateAuthorizationHeader('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toThrow(/No certificate/);
    expect(() => certificateAuthorizationHeader('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/cannot be read/);
  });

  test('v2Message: Unix seconds big-endian, then the 92 random bytes', () => {
    const message = v2Message(() => 1_800_000_123_999, (n) => Buffer.alloc(n, 0xab));
    expect(message).toHaveLength(100);
    expect(message.subarray(0, 8).toString('hex')).toBe((1_800_000_123).toString(16).padStart(16, '0'));
    expect(message.subarray(8).every((byte) => byte === 0xab)).toBe(true);
  });

  test('v2Body: the signature is byte for byte what openssl dgst -sha512 -sign makes', async () => {
    const message = v2Message();
    const body = v2Body(message, leafKey);
    expect(body.encodedData).toBe(message.toString('base64'));
    expect(body.encodedDataFormat).toBe('v2');
    await writeFile(join(dir, 'v2.bin'), message);
    openssl('dgst', '-sha512', '-sign', 'leaf-key.pem', '-out', 'v2.sig', 'v2.bin');
    expect(body.encodedSignedData).toBe((await readFile(join(dir, 'v2.sig'))).toString('base64'));
    const publicKey = createPublicKey(leafKey);
    expect(verify('sha512', message, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(body.encodedSignedData, 'base64'))).toBe(true);
  });

  test('v2Body refuses a key that is not an RSA private key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => v2Body(v2Message(), ec)).toThrow(/RSA/);
    expect(() => v2Body(v2Message(), createPublicKey(leafKey))).toThrow(/RSA private key/);
  });
});
