// parseCertificateBundle on the many ways a certificate arrives: PEM variants, DER, PKCS#7 and
// PKCS#12 files written by OpenSSL with every algorithm choice it offers, and by Java's keytool.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importCertificate } from '../../main/pki/certificate-import.js';
import { parseCertificateBundle } from '../../main/pki/certificate-parse.js';
import { readPkcs12Entry } from '../../main/pki/keystore.js';
import { failure } from '../support/fixtures.js';
import { thrownAppError, useTestCa } from '../support/import-fixtures.js';
import { findJdk } from '../support/java.js';
import { LEGACY_PKCS12, PFX_PASSWORD, openssl } from '../support/test-ca.js';
let fileCount = 0;

const fixture = useTestCa('pki-parse-');

function parseFile(path: string, filePassword?: string | null): ReturnType<typeof parseCertificateBundle> {
  return parseCertificateBundle(readFileSync(path), { filePassword: filePassword ?? null, sourceName: path });
}

const refusal = thrownAppError;

function leafIn(certificates: X509Certificate[]): boolean {
  return certificates.some((certificate) => certificate.raw.equals(fixture.issued.der));
}

/** A PKCS#12 file written by openssl with extra options; null when this openssl cannot write it. */
function pkcs12With(options: string[]): string | null {
  const path = join(fixture.work, `variant-${++fileCount}.p12`);
  try {
    openssl([
      'pkcs12', '-export', '-inkey', fixture.request.keyPath, '-passin', `pass:${fixture.request.passphrase}`, '-in', fixture.issued.path, '-certfile', fixture.ca.intermediatePath,
      '-passout', `pass:${PFX_PASSWORD}`, ...options, '-out', path,
    ]);
    return path;
  } catch {
    return null;
  }
}

describe('formats', () => {
  it.each([
    ['leafPem', 'pem', 1],
    ['chainWithChatter', 'pem', 3],
    ['der', 'der', 1],
    ['p7bPem', 'pkcs7-pem', 3],
    ['p7bDer', 'pkcs7-der', 3],
  ] as const)('%s → %s with %i certificates', (shape, format, count) => {
    const bundle = parseFile(fixture.replies[shape]);
    expect(bundle.format).toBe(format);
    expect(bundle.certificates).toHaveLength(count);
    expect(bundle.privateKey).toBeNull();
    expect(leafIn(bundle.certificates)).toBe(true);
  });

  it('PKCS#12 → the certificates and the private key', () => {
    const bundle = parseFile(fixture.replies.pfx, PFX_PASSWORD);
    expect(bundle.format).toBe('pkcs12');
    expect(bundle.certificates).toHaveLength(3);
    expect(bundle.privateKey && new X509Certificate(fixture.issued.der).checkPrivateKey(bundle.privateKey)).toBe(true);
  });

  it('PEM with Windows line endings, a BOM and the same certificate twice', () => {
    const text = `\uFEFF${(fixture.issued.pem + fixture.issued.pem + fixture.ca.intermediatePem).replace(/\n/g, '\r\n')}`;
    const bundle = parseCertificateBundle(Buffer.from(text, 'utf8'), {});
    expect(bundle.certificates).toHaveLength(2);
  });

  it('PEM saved as UTF-16 with a byte order mark (Windows Notepad "Unicode")', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`Certificate:\r\n${fixture.issued.pem}`, 'utf16le')]);
    expect(parseCertificateBundle(bytes, {}).certificates[0]?.raw.equals(fixture.issued.der)).toBe(true);
  });

  it('bare base64 pasted without the BEGIN/END lines', () => {
    const base64 = fixture.issued.der.toString('base64').replace(/(.{76})/g, '$1\n');
    expect(parseCertificateBundle(Buffer.from(base64), {}).certificates[0]?.raw.equals(fixture.issued.der)).toBe(true);
  });

  it('DER with a trailing newline, and DER certificates back to back', () => {
    expect(parseCertificateBundle(Buffer.concat([fixture.issued.der, Buffer.from('\n')]), {}).certificates).toHaveLength(1);
    const intermediate = new X509Certificate(fixture.ca.intermediatePem).raw;
    expect(parseCertificateBundle(Buffer.concat([fixture.issued.der, intermediate]), {}).certificates).toHaveLength(2);
  });

  it('an OpenSSL "TRUSTED CERTIFICATE" block', async () => {
    const path = join(fixture.work, 'trusted.pem');
    openssl(['x509', '-in', fixture.issued.path, '-trustout', '-addtrust', 'clientAuth', '-out', path]);
    expect(await readFile(path, 'utf8')).toContain('BEGIN TRUSTED CERTIFICATE');
    expect(parseFile(path).certificates[0]?.raw.equals(fixture.issued.der)).toBe(true);
  });
});

describe('PKCS#12 files with every algorithm choice OpenSSL offers', () => {
  const variants: Array<[string, string[]]> = [
    ['OpenSSL 3 defaults (PBES2 AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC)', []],
    ['AES-128 key, AES-192 certificates, SHA-512 MAC, 5000 rounds', ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-192-CBC', '-macalg', 'sha512', '-iter', '5000']],
    ['2-key 3DES key bag', ['-keypbe', 'PBE-SHA1-2DES']],
    ['3DES certificates (-descert)', ['-descert']],
    ['nothing encrypted, only the MAC', ['-keypbe', 'NONE', '-certpbe', 'NONE']],
    ['no MAC (-nomac)', ['-nomac']],
    ...(LEGACY_PKCS12
      ? ([
          ['legacy (-legacy: 3DES key, RC2-40 certificates, SHA-1 MAC)', ['-legacy']],
          ['legacy with RC2-128 certificates', ['-legacy', '-certpbe', 'PBE-SHA1-RC2-128']],
        ] as Array<[string, string[]]>)
      : []),
  ];

  it.for(variants)('%s: read with the password, refused with a wrong one', ([name, options], { skip }) => {
    const path = pkcs12With(options);
    if (!path) return skip(`this openssl cannot write the variant "${name}"`);
    const bundle = parseFile(path, PFX_PASSWORD);
    expect(bundle.certificates).toHaveLength(2);
    expect(leafIn(bundle.certificates)).toBe(true);
    expect(bundle.privateKey?.asymmetricKeyType).toBe('rsa');
    const error = refusal(() => parseFile(path, 'wrong password'));
    expect(error.code).toBe('bad_input');
    expect(error.details?.reason).toBe('password_wrong');
  });

  it('no MAC: every wrong password is reported as one, also when it decrypts to garbage with valid padding', () => {
    const path = pkcs12With(['-nomac']);
    if (!path) throw new Error('openssl could not write -nomac');
    const bytes = readFileSync(path);
    // About 1 wrong password in 256 yields valid CBC padding; 600 tries make that case near certain.
    for (let attempt = 0; attempt < 600; attempt++) {
      const error = refusal(() => parseCertificateBundle(bytes, { filePassword: `wrong ${attempt}` }));
      expect(error.details?.reason).toBe('password_wrong');
    }
  });

  it('a PKCS#12 without a key: needs the key file, then imports', async () => {
    const path = join(fixture.work, 'certificates-only.p12');
    openssl(['pkcs12', '-export', '-nokeys', '-in', fixture.issued.path, '-certfile', fixture.ca.intermediatePath, '-passout', `pass:${PFX_PASSWORD}`, '-out', path]);
    const base = { source: { path }, filePassword: PFX_PASSWORD, keystorePassword: 'keystore pass 1', overwrite: false };
    const error = await failure(importCertificate({ ...base, key: null, outDir: join(fixture.work, 'no-key') }));
    expect(error.message).toContain('PKCS#12 file without a private key');
    const result = await importCertificate({ ...base, key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase }, outDir: join(fixture.work, 'with-key') });
    expect(result.chainLength).toBe(2);
  });

  const jdk = findJdk();
  it.skipIf(jdk === null)('a PKCS#12 written by Java\'s keytool (JDK 17: PBES2/AES, HMAC-SHA256)', async () => {
    if (!jdk) return;
    const source = join(fixture.work, 'for-keytool.p12');
    const result = await importCertificate({ source: { path: fixture.replies.pfx }, key: null, filePassword: PFX_PASSWORD, outDir: join(fixture.work, 'for-keytool'), keystorePassword: 'keystore pass 1', overwrite: false });
    await writeFile(source, await readFile(result.keystorePath));
    const javaWritten = join(fixture.work, 'java-written.p12');
    execFileSync(jdk.keytool, ['-importkeystore', '-srckeystore', source, '-srcstoretype', 'PKCS12', '-srcstorepass', 'keystore pass 1', '-destkeystore', javaWritten, '-deststoretype', 'PKCS12', '-deststorepass', 'java pass 1', '-noprompt'], { stdio: 'pipe' });
    const entry = readPkcs12Entry(await readFile(javaWritten), 'anaplan-connect', 'java pass 1');
    expect(entry.certificate.raw.equals(fixture.issued.der)).toBe(true);
    expect(entry.chain).toHaveLength(2);
  });
});

describe('what is not a certificate gets its own message', () => {
  it('an EC private key', () => {
    const { keyPath } = fixture.ca.otherKeyRequest('ec');
    expect(refusal(() => parseFile(keyPath)).details?.reason).toBe('private_key');
  });

  it('a DER private key (PKCS#8)', async () => {
    const path = join(fixture.work, 'key.der');
    openssl(['pkey', '-in', fixture.request.keyPath, '-passin', `pass:${fixture.request.passphrase}`, '-outform', 'DER', '-out', path]);
    expect(refusal(() => parseFile(path)).details?.reason).toBe('private_key');
  });

  it('a public key', () => {
    const path = join(fixture.work, 'public.pem');
    openssl(['x509', '-in', fixture.issued.path, '-pubkey', '-noout', '-out', path]);
    const error = refusal(() => parseFile(path));
    expect(error.details?.reason).toBe('public_key');
    expect(error.message).toContain('only a public key');
  });

  it('a Java keystore (JKS)', () => {
    const error = refusal(() => parseCertificateBundle(Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1]), {}));
    expect(error.details?.reason).toBe('jks');
    expect(error.message).toContain('keytool -importkeystore');
  });

  it('a damaged certificate block', () => {
    const damaged = fixture.issued.pem.replace(/^(MII.{10})./m, '$1!');
    expect(refusal(() => parseCertificateBundle(Buffer.from(damaged), {})).details?.reason).toBe('damaged_certificate');
  });

  it('a PKCS#12 file cut short', async () => {
    const bytes = await readFile(fixture.replies.pfx);
    const error = refusal(() => parseCertificateBundle(bytes.subarray(0, 200), { filePassword: PFX_PASSWORD }));
    expect(error.details?.reason).toBe('pkcs12_damaged');
  });

  it('text with no blocks at all', () => {
    const error = refusal(() => parseCertificateBundle(Buffer.from('Your certificate is attached.\n'), { sourceName: 'The pasted text' }));
    expect(error.message).toMatch(/^The pasted text holds no certificate: expected PEM/);
  });
});
