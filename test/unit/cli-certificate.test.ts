import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeKeystoreAccess } from '../../main/export/keystore-access.js';
import { runCli } from '../support/cli.js';
import { TestCa, makeRequest, type IssuedCertificate, type ReplyFiles, type TestRequest } from '../support/test-ca.js';
import { startEmulator, type Emulator } from '../emulator/server.js';

/**
 * The certificate path through the command line, as an administrator on a headless server
 * would walk it: keygen (tested elsewhere) → CA reply → import-cert → login → export.
 */
let emulator: Emulator;
let ca: TestCa;
let work: string;
let request: TestRequest;
let issued: IssuedCertificate;
let replies: ReplyFiles;
const KEYSTORE_PASSWORD = 'Keystore pass 123';

beforeAll(async () => {
  emulator = await startEmulator();
  ca = TestCa.create();
  work = await mkdtemp(join(tmpdir(), 'cli-cert-'));
  request = await makeRequest(join(work, 'request'));
  issued = ca.issue(request, 'multipurpose');
  replies = ca.replies(issued, request);
  emulator.addUser({ email: request.email, password: 'unused-Password-1', firstName: 'Ada', lastName: 'Lovelace' });
}, 120_000);
afterAll(async () => {
  ca?.remove();
  await emulator?.close();
});

const env = () => ({ KEY_PASSPHRASE: request.passphrase, KEYSTORE_PASSWORD, ANAPLAN_SETUP_HOME: join(work, 'settings') });

describe('anaplan-setup import-cert', () => {
  test('a PKCS#7 reply becomes certificate.pem, chain.pem and keystore.p12 (0600), with the JSON fields', async () => {
    const out = join(work, 'imported');
    const result = await runCli(
      ['import-cert', replies.p7bPem, '--key', request.keyPath, '--passphrase-env', 'KEY_PASSPHRASE', '--out', out, '--keystore-password-env', 'KEYSTORE_PASSWORD', '--json'],
      { env: env() },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const answer = result.json<Record<string, unknown>>();
    expect(answer).toMatchObject({ certificate: join(out, 'certificate.pem'), chain: join(out, 'chain.pem'), keystore: join(out, 'keystore.p12'), alias: 'anaplan-connect', email: request.email });
    expect(answer.notAfter).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(answer.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(answer.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/root/i)])); // the test CA is not on Anaplan's list: a warning, not a block
    for (const name of ['certificate.pem', 'chain.pem', 'keystore.p12']) expect((await stat(join(out, name))).mode & 0o777).toBe(0o600);
    const leaf = await readFile(join(out, 'certificate.pem'), 'utf8');
    expect(leaf.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(result.stdout).not.toContain(KEYSTORE_PASSWORD);
  });

  test('blocking findings exit non-zero and write nothing: a TLS server certificate', async () => {
    const tls = ca.issue(request, 'tls-server');
    const out = join(work, 'refused');
    const result = await runCli(['import-cert', tls.path, '--key', request.keyPath, '--passphrase-env', 'KEY_PASSPHRASE', '--out', out, '--keystore-password-env', 'KEYSTORE_PASSWORD', '--json'], { env: env() });
    expect(result.code).not.toBe(0);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/TLS server certificate/);
    expect(await readdir(out).catch(() => 'absent')).toBe('absent');
  });

  test('without --key (and not a PKCS#12) it says which key to give', async () => {
    const result = await runCli(['import-cert', replies.p7bPem, '--out', join(work, 'x'), '--keystore-password-env', 'KEYSTORE_PASSWORD', '--json'], { env: env() });
    expect(result.code).toBe(2);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/--key/);
  });
});

describe('anaplan-setup login --method certificate', () => {
  test('an unregistered certificate fails clearly; once the Tenant Administrator registers it, both forms sign in', async () => {
    const out = join(work, 'imported');
    const keystoreArgs = ['login', '--method', 'certificate', '--keystore', join(out, 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'KEYSTORE_PASSWORD', '--auth-url', emulator.url, '--api-url', emulator.url, '--json'];
    const refused = await runCli(keystoreArgs, { env: env() });
    expect(refused.code).toBe(1);
    expect(refused.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: 'bad_credentials', message: expect.stringMatching(/Administration › Security › Certificates/) });

    emulator.registerCertificate(request.email, issued.pem);
    const viaKeystore = await runCli(keystoreArgs, { env: env() });
    expect(viaKeystore.code, viaKeystore.stdout).toBe(0);
    expect(viaKeystore.json<{ user: { email: string }; workspaces: unknown[] }>().user.email).toBe(request.email);
    const viaFiles = await runCli(
      ['login', '--method', 'certificate', '--certificate', join(out, 'certificate.pem'), '--key', request.keyPath, '--passphrase-env', 'KEY_PASSPHRASE', '--auth-url', emulator.url, '--api-url', emulator.url, '--json'],
      { env: env() },
    );
    expect(viaFiles.code, viaFiles.stdout).toBe(0);
    const login = emulator.log.filter((e) => e.path === '/token/authenticate').at(-1)!;
    expect(login.headers.authorization).toBe(`CACertificate ${Buffer.from(await readFile(join(out, 'certificate.pem'), 'utf8')).toString('base64')}`);
  });

  test('a wrong keystore password is named as such', async () => {
    const result = await runCli(
      ['login', '--method', 'certificate', '--keystore', join(work, 'imported', 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'WRONG', '--auth-url', emulator.url, '--api-url', emulator.url, '--json'],
      { env: { ...env(), WRONG: 'not the password' } },
    );
    expect(result.code).not.toBe(0);
    expect(result.json<{ error: { message: string } }>().error.message).toMatch(/password/i);
  });
});

describe('anaplan-setup export --method certificate', () => {
  test('keystore form: the script names keystore and alias, and keystore-access.txt decodes to the password in the job account\u2019s home', async () => {
    const jobHome = await mkdtemp(join(tmpdir(), 'job-home-'));
    const out = join(work, 'job-keystore');
    const result = await runCli(
      ['export', '--method', 'certificate', '--keystore', join(work, 'imported', 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'KEYSTORE_PASSWORD', '--job-home', jobHome, '--out', out, '--region', 'eu3', '--json'],
      { env: env() },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const accessFile = join(jobHome, '.anaplan', 'api-client', 'keystore-access.txt');
    expect(result.json<{ files: string[] }>().files).toContain(accessFile);
    expect(decodeKeystoreAccess(await readFile(accessFile, 'utf8'))).toBe(KEYSTORE_PASSWORD);
    expect((await stat(accessFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(jobHome, '.anaplan', 'api-client'))).mode & 0o777).toBe(0o700);
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    expect(sh).toContain('-keystore "$KeystoreFile" -keystorealias "$KeystoreAlias"');
    expect(sh).not.toContain('-keystorepass');
    for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8')).not.toContain(KEYSTORE_PASSWORD);

    // Another keystore (another password) for the same account: keystore-access.txt is not replaced without consent.
    const secondImport = await runCli(
      ['import-cert', replies.p7bPem, '--key', request.keyPath, '--passphrase-env', 'KEY_PASSPHRASE', '--out', join(work, 'imported-2'), '--keystore-password-env', 'OTHER', '--json'],
      { env: { ...env(), OTHER: 'Another pass 456' } },
    );
    expect(secondImport.code).toBe(0);
    const second = ['export', '--method', 'certificate', '--keystore', join(work, 'imported-2', 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'OTHER', '--job-home', jobHome, '--out', join(work, 'job-2'), '--json'];
    const refused = await runCli(second, { env: { ...env(), OTHER: 'Another pass 456' } });
    expect(refused.code).toBe(1);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('file_exists');
    expect(decodeKeystoreAccess(await readFile(accessFile, 'utf8'))).toBe(KEYSTORE_PASSWORD);
    expect(await readdir(join(work, 'job-2')).catch(() => 'absent')).toBe('absent');
    const replaced = await runCli([...second, '--overwrite'], { env: { ...env(), OTHER: 'Another pass 456' } });
    expect(replaced.code).toBe(0);
    expect(decodeKeystoreAccess(await readFile(accessFile, 'utf8'))).toBe('Another pass 456');
    expect((await readdir(join(jobHome, '.anaplan', 'api-client'))).some((n) => n.endsWith('.bak'))).toBe(true);
  });

  test('certificate and key form: -privatekey path:passphrase from an environment variable', async () => {
    const out = join(work, 'job-pem');
    const result = await runCli(
      ['export', '--method', 'certificate', '--certificate', join(work, 'imported', 'certificate.pem'), '--key', request.keyPath, '--platform', 'linux', '--out', out, '--json'],
      { env: env() },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    expect(sh).toContain('-certificate "$CertificateFile" -privatekey "$PrivateKeyFile:$KeyPassphrase"');
    expect(sh).toContain(`PrivateKeyFile='${request.keyPath}'`);
    expect(sh).not.toContain(request.passphrase);
  });
});
