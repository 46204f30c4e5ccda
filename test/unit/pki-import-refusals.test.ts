// What must not become a keystore: each bad reply gets its own clear message, an AppError,
// and leaves the output folder exactly as it was. Warnings that do not block are shown and the
// import goes on. Existing outputs are never replaced without consent.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppError } from '../../main/errors.js';
import type { Finding } from '../../main/pki/certificate-checks.js';
import { type ImportInput, importCertificate } from '../../main/pki/certificate-import.js';
import { toPem } from '../../main/pki/pem.js';
import { failure, snapshot } from '../support/fixtures.js';
import { keyOf, useTestCa } from '../support/import-fixtures.js';
import { PFX_PASSWORD, type TestRequest, makeRequest, openssl } from '../support/test-ca.js';

const KEYSTORE_PASSWORD = 'keystore pass 1';

let otherRequest: TestRequest;
let outDir: string;
let caseCount = 0;

const fixture = useTestCa('pki-refusals-', async ({ work }) => {
  otherRequest = await makeRequest(join(work, 'other-request'), { commonName: 'Charles Babbage', email: 'charles@example.com' });
});

beforeEach(async () => {
  // An output folder that already holds something else: it must come out untouched.
  outDir = join(fixture.work, `out-${++caseCount}`);
  await mkdir(outDir);
  await writeFile(join(outDir, 'notes.txt'), 'not ours\n');
});

function keyOfRequest(): ImportInput['key'] {
  return keyOf(fixture.request);
}

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(fixture.work, `${caseCount}-${name}`);
  await writeFile(path, content);
  return path;
}

function input(overrides: Partial<ImportInput>): ImportInput {
  return { source: { path: fixture.replies.leafPem }, key: keyOfRequest(), outDir, keystorePassword: KEYSTORE_PASSWORD, overwrite: false, ...overrides };
}

/** Imports, expects an AppError, and checks that the output folder did not change. */
async function refused(overrides: Partial<ImportInput>): Promise<AppError> {
  const before = await snapshot(outDir);
  const error = await failure(importCertificate(input(overrides)));
  expect(await snapshot(outDir)).toEqual(before);
  return error;
}

function blockingCodes(error: AppError): string[] {
  const findings = (error.details?.findings ?? []) as Finding[];
  return findings.filter((finding) => finding.level === 'block').map((finding) => finding.code);
}

describe('bad replies are refused, each with its own message, and nothing is written', () => {
  it('a certificate for another key (another request) → key_mismatch', async () => {
    const forOther = fixture.ca.issue(otherRequest, 'multipurpose');
    const error = await refused({ source: { path: forOther.path } });
    expect(error.code).toBe('bad_input');
    expect(blockingCodes(error)).toEqual(['key_mismatch']);
    expect(error.message).toContain('This certificate belongs to a different key');
    expect(error.message).toContain('nothing was written');
  });

  it('a TLS server certificate → tls_server_certificate', async () => {
    const error = await refused({ source: { path: fixture.ca.issue(fixture.request, 'tls-server').path } });
    expect(blockingCodes(error)).toEqual(['tls_server_certificate']);
    expect(error.message).toContain('This is a TLS server certificate for integration.example.com');
    expect(error.message).toContain('Anaplan needs an S/MIME (client) certificate');
    expect(error.message).toContain('Multipurpose S/MIME certificate');
  });

  it('an expired certificate → expired', async () => {
    const error = await refused({ source: { path: fixture.ca.issue(fixture.request, 'expired').path } });
    expect(blockingCodes(error)).toEqual(['expired']);
    expect(error.message).toMatch(/This certificate expired on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  });

  it('a certificate not valid yet → not_yet_valid', async () => {
    const error = await refused({ source: { path: fixture.ca.issue(fixture.request, 'not-yet-valid').path } });
    expect(blockingCodes(error)).toEqual(['not_yet_valid']);
    expect(error.message).toContain("check this computer's clock");
  });

  it('a self-signed certificate → self_signed', async () => {
    const error = await refused({ source: { path: fixture.ca.selfSign(fixture.request).path } });
    expect(blockingCodes(error)).toEqual(['self_signed']);
    expect(error.message).toContain('Anaplan refuses self-signed certificates');
  });

  it('a CA certificate issued for the request → ca_certificate', async () => {
    const error = await refused({ source: { path: fixture.ca.issue(fixture.request, 'ca').path } });
    expect(blockingCodes(error)).toEqual(['ca_certificate']);
    expect(error.message).toContain('This is a CA certificate');
  });

  it("only the CA's certificates (intermediate and root), not the user's → ca_certificate", async () => {
    const error = await refused({ source: { path: await file('ca-only.pem', fixture.ca.chainPem) } });
    expect(blockingCodes(error)).toEqual(['ca_certificate']);
    expect(error.message).toContain('only CA certificates ("Assistant Test SMIME CA", "Assistant Test Root CA")');
  });

  it('a certificate without an email (only a CN that looks like one) → no_email', async () => {
    const error = await refused({ source: { path: fixture.ca.issue(fixture.request, 'no-email').path } });
    expect(blockingCodes(error)).toEqual(['no_email']);
    expect(error.message).toContain('Anaplan does not read the common name');
  });

  it('a PKCS#1 key file ("BEGIN RSA PRIVATE KEY") → convert with openssl pkcs8 -topk8', async () => {
    const pkcs1 = join(fixture.work, 'pkcs1-key.pem');
    openssl(['rsa', '-in', fixture.request.keyPath, '-passin', `pass:${fixture.request.passphrase}`, '-traditional', '-out', pkcs1]);
    expect(await readFile(pkcs1, 'utf8')).toContain('BEGIN RSA PRIVATE KEY');
    const error = await refused({ key: { path: pkcs1, passphrase: null } });
    expect(error.code).toBe('bad_input');
    expect(error.message).toContain('PKCS#1');
    expect(error.message).toContain('openssl pkcs8 -topk8');
  });

  it('the wrong key passphrase → says so', async () => {
    const error = await refused({ key: { path: fixture.request.keyPath, passphrase: 'not the passphrase' } });
    expect(error.message).toContain('The passphrase does not open');
  });

  it('garbage bytes → holds no certificate, with the formats expected', async () => {
    const bytes = randomBytes(600);
    bytes[0] = 0x42;
    const error = await refused({ source: { path: await file('garbage.bin', bytes) } });
    expect(error.code).toBe('bad_input');
    expect(error.details?.reason).toBe('not_a_certificate');
    expect(error.message).toContain('holds no certificate: expected PEM');
    expect(error.message).toContain('DER (.cer/.crt), PKCS#7 (.p7b/.p7c) or PKCS#12 (.p12/.pfx)');
  });

  it('garbage that starts like DER → holds no certificate', async () => {
    const error = await refused({ source: { path: await file('garbage.der', Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), randomBytes(40)])) } });
    expect(error.details?.reason).toBe('not_a_certificate');
  });

  it('an empty file → is empty', async () => {
    const error = await refused({ source: { path: await file('empty.crt', '') } });
    expect(error.details?.reason).toBe('empty');
    expect(error.message).toMatch(/is empty: there is no certificate in it/);
  });

  it('empty pasted text → is empty', async () => {
    const error = await refused({ source: { text: '  \n' } });
    expect(error.message).toContain('The pasted text is empty');
  });

  it('a PKCS#12 file with a wrong password → the password does not open it', async () => {
    const error = await refused({ source: { path: fixture.replies.pfx }, key: null, filePassword: 'wrong password' });
    expect(error.details?.reason).toBe('password_wrong');
    expect(error.message).toContain('The password does not open');
    expect(error.details?.problems).toEqual([{ field: 'filePassword', message: error.message }]);
  });

  it('a PKCS#12 file without a password → asks for it', async () => {
    const error = await refused({ source: { path: fixture.replies.pfx }, key: null });
    expect(error.details?.reason).toBe('password_required');
    expect(error.message).toContain('protected by a password');
  });

  it('the CSR instead of the certificate → this is your request', async () => {
    const error = await refused({ source: { path: fixture.request.csrPath } });
    expect(error.details?.reason).toBe('csr');
    expect(error.message).toContain('is your request');
    expect(error.message).toContain('send it to the CA and import what comes back');
  });

  it('the CSR as DER → this is your request', async () => {
    const der = join(fixture.work, 'request.der');
    openssl(['req', '-in', fixture.request.csrPath, '-outform', 'DER', '-out', der]);
    const error = await refused({ source: { path: der } });
    expect(error.details?.reason).toBe('csr');
  });

  it('the private key file instead of the certificate → holds a private key', async () => {
    const error = await refused({ source: { path: fixture.request.keyPath } });
    expect(error.details?.reason).toBe('private_key');
    expect(error.message).toContain('holds a private key, not a certificate');
  });

  it('a damaged PKCS#7 (cut short) → damaged', async () => {
    const bytes = await readFile(fixture.replies.p7bDer);
    const error = await refused({ source: { path: await file('cut.p7b', bytes.subarray(0, Math.floor(bytes.length / 2))) } });
    expect(error.details?.reason).toBe('pkcs7_damaged');
    expect(error.message).toContain('PKCS#7 bundle (.p7b/.p7c) that is damaged or cut short');
  });

  it('a damaged PKCS#7 PEM (characters changed) → damaged', async () => {
    const text = await readFile(fixture.replies.p7bPem, 'utf8');
    const lines = text.split('\n');
    lines[3] = (lines[3] ?? '').replace(/[A-Za-z]/g, '*');
    const error = await refused({ source: { path: await file('mangled.p7b', lines.join('\n')) } });
    expect(error.details?.reason).toBe('pkcs7_damaged');
  });

  it('a certificate cut short (BEGIN without END) → cut short', async () => {
    const error = await refused({ source: { text: fixture.issued.pem.slice(0, 300) } });
    expect(error.details?.reason).toBe('truncated');
    expect(error.message).toContain('no matching END line');
  });

  it('no key, and no key in the file → asks for the key', async () => {
    const error = await refused({ key: null });
    expect(error.details?.problems).toEqual([{ field: 'key', message: error.message }]);
  });
});

describe('warnings do not block', () => {
  async function imported(overrides: Partial<ImportInput>): Promise<Array<[string, string]>> {
    const result = await importCertificate(input(overrides));
    expect((await readdir(outDir)).sort()).toEqual(['certificate.pem', 'keystore.p12', 'notes.txt']);
    return result.findings.map((finding) => [finding.code, finding.level]);
  }

  it('a Strict S/MIME certificate (E-mail Protection only) → strict_smime, check with Anaplan', async () => {
    const result = await importCertificate(input({ source: { path: fixture.ca.issue(fixture.request, 'strict').path } }));
    const finding = result.findings.find((candidate) => candidate.code === 'strict_smime');
    expect(finding?.level).toBe('warn');
    expect(finding?.message).toContain('check with Anaplan');
  });

  it('a certificate expiring in 10 days → expires_soon', async () => {
    const findings = await imported({ source: { path: fixture.ca.issue(fixture.request, 'expires-in-10-days').path } });
    expect(findings).toContainEqual(['expires_soon', 'warn']);
  });

  it('a chain under a root not on the list (the test CA) → unknown_root, a warning', async () => {
    expect(await imported({})).toEqual([['unknown_root', 'warn']]);
  });

  it('an email other than the expected one → email_differs', async () => {
    const result = await importCertificate(input({ expectedEmail: 'integration@example.com' }));
    const finding = result.findings.find((candidate) => candidate.code === 'email_differs');
    expect(finding).toMatchObject({ level: 'warn' });
    expect(finding?.message).toContain('ada@example.com, not for integration@example.com');
  });

  it('the expected email in other letter case → no warning', async () => {
    expect(await imported({ expectedEmail: 'Ada@Example.COM' })).toEqual([['unknown_root', 'warn']]);
  });

  it('no CRL and no OCSP → no_revocation, says Anaplan checks revocation', async () => {
    const result = await importCertificate(input({ source: { path: fixture.ca.issue(fixture.request, 'no-revocation').path } }));
    const finding = result.findings.find((candidate) => candidate.code === 'no_revocation');
    expect(finding?.level).toBe('warn');
    expect(finding?.message).toContain('Anaplan checks revocation');
  });

  it('valid for 4 years → validity_too_long', async () => {
    expect(await imported({ source: { path: fixture.ca.issue(fixture.request, 'long-validity').path } })).toContainEqual(['validity_too_long', 'warn']);
  });

  it('certificates of another chain in the file → left out, with a warning', async () => {
    const stranger = fixture.ca.issue(otherRequest, 'multipurpose');
    const result = await importCertificate(input({ source: { text: fixture.issued.pem + stranger.pem + fixture.ca.chainPem } }));
    expect(result.findings.map((finding) => finding.code)).toContain('extra_certificates');
    expect(await readFile(join(outDir, 'chain.pem'), 'utf8')).toBe(fixture.ca.chainPem);
  });
});

describe('the keystore password and the alias are checked before anything else', () => {
  it('a keystore password shorter than 6 characters', async () => {
    const error = await refused({ keystorePassword: '12345' });
    expect(error.code).toBe('bad_input');
    expect(error.details?.problems).toEqual([{ field: 'keystorePassword', message: expect.stringContaining('at least 6 characters') }]);
  });

  it('a keystore password with a line break', async () => {
    const error = await refused({ keystorePassword: 'secret\npassword' });
    expect(error.message).toContain('control character');
  });

  it('an alias with uppercase letters: refused, with the lowercase spelling', async () => {
    const error = await refused({ alias: 'Anaplan-Connect' });
    expect(error.details?.problems).toEqual([{ field: 'alias', message: expect.stringContaining('"anaplan-connect" instead of "Anaplan-Connect"') }]);
    expect(error.message).toContain('JKS');
  });

  it('an alias with spaces', async () => {
    const error = await refused({ alias: 'my key' });
    expect(error.message).toContain('contains spaces');
  });

  it('both at once: both problems listed', async () => {
    const error = await refused({ alias: 'my key', keystorePassword: 'short' });
    expect((error.details?.problems as unknown[]).length).toBe(2);
  });
});

describe('existing outputs', () => {
  it('an existing certificate.pem → file_exists, untouched', async () => {
    await writeFile(join(outDir, 'certificate.pem'), 'an older certificate\n');
    const error = await refused({});
    expect(error.code).toBe('file_exists');
    expect(error.message).toContain('certificate.pem');
  });

  it('an existing keystore.p12 → file_exists, untouched', async () => {
    await writeFile(join(outDir, 'keystore.p12'), 'an older keystore');
    const error = await refused({});
    expect(error.code).toBe('file_exists');
    expect(await readFile(join(outDir, 'keystore.p12'), 'utf8')).toBe('an older keystore');
  });

  it('with overwrite: replaced, the old files kept as numbered .bak', async () => {
    await writeFile(join(outDir, 'certificate.pem'), 'an older certificate\n');
    await writeFile(join(outDir, 'keystore.p12'), 'an older keystore');
    await writeFile(join(outDir, 'keystore.p12.bak'), 'an even older keystore');
    await importCertificate(input({ overwrite: true }));
    expect(await readFile(join(outDir, 'certificate.pem'), 'utf8')).toBe(toPem('CERTIFICATE', fixture.issued.der));
    expect(await readFile(join(outDir, 'certificate.pem.bak'), 'utf8')).toBe('an older certificate\n');
    expect(await readFile(join(outDir, 'keystore.p12.1.bak'), 'utf8')).toBe('an older keystore');
    expect(await readFile(join(outDir, 'keystore.p12.bak'), 'utf8')).toBe('an even older keystore');
  });

  it('importing the same PFX again without overwrite → file_exists (a keystore is never silently replaced)', async () => {
    await importCertificate(input({ source: { path: fixture.replies.pfx }, key: null, filePassword: PFX_PASSWORD }));
    const error = await refused({ source: { path: fixture.replies.pfx }, key: null, filePassword: PFX_PASSWORD });
    expect(error.code).toBe('file_exists');
    expect(error.message).toContain('keystore.p12');
  });
});
