// Importing what a CA sends back, in every shape CAs send it: the outputs are exactly what
// Anaplan Connect (-certificate, -keystore), the Tenant Administrator's upload and Boomi need.
import { X509Certificate } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImportInput, type ImportResult, importCertificate, previewImport } from '../../main/pki/certificate-import.js';
import { readPkcs12Entry } from '../../main/pki/keystore.js';
import { toPem } from '../../main/pki/pem.js';
import { modeOf } from '../support/fixtures.js';
import { keyOf, useTestCa } from '../support/import-fixtures.js';
import { LEGACY_PKCS12, PFX_PASSWORD, TEST_EMAIL, openssl, opensslOutput } from '../support/test-ca.js';

const KEYSTORE_PASSWORD = 'keystore pass 1';

let outCount = 0;

const fixture = useTestCa('pki-import-');

function keyOfRequest(): ImportInput['key'] {
  return keyOf(fixture.request);
}

function freshOut(): string {
  return join(fixture.work, `out-${++outCount}`);
}

interface Shape {
  name: string;
  input: () => Pick<ImportInput, 'source' | 'key' | 'filePassword'>;
  /** Whether the reply carries the chain (intermediate and root). */
  withChain: boolean;
}

const SHAPES: Shape[] = [
  { name: 'PEM, the leaf alone (.crt)', input: () => ({ source: { path: fixture.replies.leafPem }, key: keyOfRequest() }), withChain: false },
  { name: 'PEM with the chain out of order and an email around the blocks', input: () => ({ source: { path: fixture.replies.chainWithChatter }, key: keyOfRequest() }), withChain: true },
  { name: 'the same, pasted as text', input: () => ({ source: { text: fixture.ca.rootPem + '\nmine:\n' + fixture.issued.pem + fixture.ca.intermediatePem }, key: keyOfRequest() }), withChain: true },
  { name: 'DER (.cer)', input: () => ({ source: { path: fixture.replies.der }, key: keyOfRequest() }), withChain: false },
  { name: 'PKCS#7 PEM (.p7b)', input: () => ({ source: { path: fixture.replies.p7bPem }, key: keyOfRequest() }), withChain: true },
  { name: 'PKCS#7 DER (.p7b)', input: () => ({ source: { path: fixture.replies.p7bDer }, key: keyOfRequest() }), withChain: true },
  { name: 'PKCS#12 with OpenSSL 3 defaults (.pfx, key inside)', input: () => ({ source: { path: fixture.replies.pfx }, key: null, filePassword: PFX_PASSWORD }), withChain: true },
  { name: 'PKCS#12, the .pfx with the separate key file as well', input: () => ({ source: { path: fixture.replies.pfx }, key: keyOfRequest(), filePassword: PFX_PASSWORD }), withChain: true },
];

describe.each(SHAPES)('importing $name', ({ input, withChain }) => {
  let outDir: string;
  let result: ImportResult;

  beforeAll(async () => {
    outDir = freshOut();
    result = await importCertificate({ ...input(), outDir, keystorePassword: KEYSTORE_PASSWORD, overwrite: false });
  });

  it('writes certificate.pem as exactly one PEM block: the leaf', async () => {
    const text = await readFile(join(outDir, 'certificate.pem'), 'utf8');
    expect(text.match(/-----BEGIN /g)).toHaveLength(1);
    expect(text).toBe(toPem('CERTIFICATE', fixture.issued.der));
    expect(result.certificatePath).toBe(join(outDir, 'certificate.pem'));
    // What Anaplan matches the user by, as OpenSSL reads it from the file the administrator uploads.
    expect(openssl(['x509', '-in', result.certificatePath, '-noout', '-email']).trim()).toBe(TEST_EMAIL);
  });

  it(withChain ? 'writes chain.pem: the intermediate, then the root' : 'writes no chain.pem when the reply has no chain', async () => {
    if (withChain) {
      expect(await readFile(join(outDir, 'chain.pem'), 'utf8')).toBe(fixture.ca.chainPem);
      expect(result.chainPath).toBe(join(outDir, 'chain.pem'));
      expect(result.chainLength).toBe(3);
    } else {
      expect(result.chainPath).toBeNull();
      expect(result.chainLength).toBe(1);
      expect((await readdir(outDir)).sort()).toEqual(['certificate.pem', 'keystore.p12']);
    }
  });

  it('writes keystore.p12 with the key and the leaf under the alias, key password = store password', async () => {
    const entry = readPkcs12Entry(await readFile(join(outDir, 'keystore.p12')), 'anaplan-connect', KEYSTORE_PASSWORD);
    expect(entry.certificate.raw.equals(fixture.issued.der)).toBe(true);
    expect(entry.certificate.checkPrivateKey(entry.privateKey)).toBe(true);
    expect(entry.chain.map((certificate) => certificate.raw.toString('base64'))).toEqual(
      withChain ? [new X509Certificate(fixture.ca.intermediatePem), new X509Certificate(fixture.ca.rootPem)].map((certificate) => certificate.raw.toString('base64')) : [],
    );
    expect(result.alias).toBe('anaplan-connect');
    expect(result.keystorePath).toBe(join(outDir, 'keystore.p12'));
    const info = opensslOutput(['pkcs12', '-in', result.keystorePath, '-passin', `pass:${KEYSTORE_PASSWORD}`, '-nokeys', '-info']);
    expect(info).toContain('friendlyName: anaplan-connect');
  });

  it('makes every file readable by the owner only (0600)', async () => {
    for (const name of await readdir(outDir)) expect(await modeOf(join(outDir, name))).toBe(0o600);
  });

  it('reports the certificate, with the test root as a warning only', () => {
    const leaf = new X509Certificate(fixture.issued.der);
    expect(result.email).toBe(TEST_EMAIL);
    expect(result.fingerprint).toBe(leaf.fingerprint256);
    expect(result.subject).toBe('C=GB, ST=Greater London, L=London, O=Analytical Engines Ltd, OU=Integration, CN=Ada Lovelace, emailAddress=ada@example.com');
    expect(result.issuer).toBe('C=GB, O=Assistant Test CA, CN=Assistant Test SMIME CA');
    expect(new Date(result.notAfter).getTime()).toBe(new Date(leaf.validTo).getTime());
    expect(new Date(result.notBefore).getTime()).toBe(new Date(leaf.validFrom).getTime());
    // A private test root is never on Anaplan's list: a warning, never a block.
    expect(result.findings.map((finding) => [finding.code, finding.level])).toEqual([['unknown_root', 'warn']]);
  });
});

describe.runIf(LEGACY_PKCS12)('importing a legacy PKCS#12 (3DES key, RC2-40 certificates, SHA-1 MAC: openssl -legacy)', () => {
  it('reads it and writes the same three files', async () => {
    const outDir = freshOut();
    const result = await importCertificate({ source: { path: fixture.replies.pfxLegacy ?? '' }, key: null, filePassword: PFX_PASSWORD, outDir, keystorePassword: KEYSTORE_PASSWORD, overwrite: false });
    expect(await readFile(result.certificatePath, 'utf8')).toBe(toPem('CERTIFICATE', fixture.issued.der));
    expect(await readFile(join(outDir, 'chain.pem'), 'utf8')).toBe(fixture.ca.chainPem);
    expect(readPkcs12Entry(await readFile(result.keystorePath), 'anaplan-connect', KEYSTORE_PASSWORD).certificate.raw.equals(fixture.issued.der)).toBe(true);
  });
});
if (!LEGACY_PKCS12) it.skip('legacy PKCS#12 import: this openssl cannot write -legacy PKCS#12 files', () => undefined);

describe('the alias', () => {
  it('is the one given, in the keystore and the result', async () => {
    const outDir = freshOut();
    const result = await importCertificate({ source: { path: fixture.replies.p7bPem }, key: keyOfRequest(), outDir, alias: 'ada.integration_2', keystorePassword: KEYSTORE_PASSWORD, overwrite: false });
    expect(result.alias).toBe('ada.integration_2');
    expect(readPkcs12Entry(await readFile(result.keystorePath), 'ada.integration_2', KEYSTORE_PASSWORD).certificate.raw.equals(fixture.issued.der)).toBe(true);
  });
});

describe('previewImport', () => {
  it('reports what an import would, and writes nothing', async () => {
    const before = await readdir(fixture.work);
    const preview = await previewImport({ source: { path: fixture.replies.chainWithChatter }, key: keyOfRequest(), expectedEmail: TEST_EMAIL });
    expect(preview).toMatchObject({ email: TEST_EMAIL, chainLength: 3, fingerprint: new X509Certificate(fixture.issued.der).fingerprint256 });
    expect(preview.findings.map((finding) => finding.code)).toEqual(['unknown_root']);
    expect(await readdir(fixture.work)).toEqual(before);
  });

  it('returns blocking findings instead of throwing them', async () => {
    const expired = fixture.ca.issue(fixture.request, 'expired');
    const preview = await previewImport({ source: { path: expired.path }, key: keyOfRequest() });
    expect(preview.findings.filter((finding) => finding.level === 'block').map((finding) => finding.code)).toEqual(['expired']);
  });
});
