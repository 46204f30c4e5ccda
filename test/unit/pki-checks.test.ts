// Anaplan's rules for a sign-in certificate (anaplan-facts §3) and the supported-root list, on
// real certificates from a test CA made with openssl.
import { type KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckContext, type Finding, MAX_VALIDITY_DAYS, checkForAnaplan } from '../../main/pki/certificate-checks.js';
import { importCertificate } from '../../main/pki/certificate-import.js';
import { parseCertificateBundle } from '../../main/pki/certificate-parse.js';
import { formatName, parseNameText, sameName } from '../../main/pki/distinguished-name.js';
import { readPrivateKeyFile } from '../../main/pki/keys.js';
import { type SupportedRoots, builtInRoots, chainEndsInSupportedRoot, loadRoots } from '../../main/pki/supported-roots.js';
import { certificateFacts } from '../../main/pki/x509-extensions.js';
import { failure } from '../support/fixtures.js';
import { useTestCa } from '../support/import-fixtures.js';
import { TEST_EMAIL } from '../support/test-ca.js';

const TEST_ROOT_NAME = 'C=GB, O=Assistant Test CA, CN=Assistant Test Root CA';
const DAY = 24 * 60 * 60 * 1000;

let key: KeyObject;
let leaf: X509Certificate;
let intermediate: X509Certificate;
let root: X509Certificate;

const fixture = useTestCa('pki-checks-', async ({ ca, request, issued }) => {
  key = await readPrivateKeyFile(request.keyPath, request.passphrase);
  leaf = new X509Certificate(issued.pem);
  intermediate = new X509Certificate(ca.intermediatePem);
  root = new X509Certificate(ca.rootPem);
});

/** The built-in list plus the test root: a chain under the test CA then counts as supported. */
function rootsWithTestRoot(): SupportedRoots {
  const builtIn = builtInRoots();
  return { ...builtIn, roots: [...builtIn.roots, { name: 'Assistant Test Root CA', subject: TEST_ROOT_NAME }] };
}

function context(overrides: Partial<CheckContext> = {}): CheckContext {
  return { privateKey: key, roots: rootsWithTestRoot(), ...overrides };
}

function codes(findings: Finding[]): Array<[string, string]> {
  return findings.map((finding) => [finding.code, finding.level]);
}

function custom(extensions: string, options: { subject?: string } = {}): X509Certificate {
  return new X509Certificate(fixture.ca.issueCustom(fixture.request.csrPath, extensions, options).pem);
}

describe('checkForAnaplan', () => {
  it('a Multipurpose S/MIME certificate under a supported root: no findings', () => {
    expect(checkForAnaplan(leaf, [intermediate, root], context())).toEqual([]);
  });

  it('every finding has a code, a level and a message that says what to do', () => {
    const findings = checkForAnaplan(new X509Certificate(fixture.ca.issue(fixture.request, 'tls-server').pem), [], context({ privateKey: createPrivateKey(readFileSync(fixture.ca.otherKeyRequest('rsa1024').keyPath)) }));
    expect(findings.length).toBeGreaterThan(1);
    for (const finding of findings) {
      expect(finding.code).toMatch(/^[a-z_]+$/);
      expect(['block', 'warn']).toContain(finding.level);
      expect(finding.message.length).toBeGreaterThan(60);
    }
  });

  it('key_mismatch: the certificate of another key', () => {
    const otherKey = createPrivateKey(readFileSync(fixture.ca.otherKeyRequest('rsa1024').keyPath));
    const findings = checkForAnaplan(leaf, [intermediate, root], context({ privateKey: otherKey }));
    expect(codes(findings)).toEqual([['key_mismatch', 'block']]);
    expect(findings[0]?.message).toContain('This certificate belongs to a different key');
  });

  it('not_rsa: an EC certificate', () => {
    const ec = fixture.ca.otherKeyRequest('ec');
    const certificate = new X509Certificate(fixture.ca.issueCustom(ec.csrPath, 'keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth, emailProtection\nsubjectAltName = email:copy\ncrlDistributionPoints = URI:http://crl.invalid/c.crl').pem);
    const findings = checkForAnaplan(certificate, [intermediate, root], context({ privateKey: createPrivateKey(readFileSync(ec.keyPath)) }));
    expect(codes(findings)).toEqual([['not_rsa', 'block']]);
    expect(findings[0]?.message).toContain('EC');
  });

  it('key_too_small: RSA 1024', () => {
    const small = fixture.ca.otherKeyRequest('rsa1024');
    const certificate = new X509Certificate(fixture.ca.issueCustom(small.csrPath, 'keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth, emailProtection\nsubjectAltName = email:copy\ncrlDistributionPoints = URI:http://crl.invalid/c.crl').pem);
    const findings = checkForAnaplan(certificate, [intermediate, root], context({ privateKey: createPrivateKey(readFileSync(small.keyPath)) }));
    expect(codes(findings)).toEqual([['key_too_small', 'block']]);
    expect(findings[0]?.message).toContain('1024 bits');
  });

  it('the email only in the subject emailAddress is enough; only in the CN is not', () => {
    const subjectOnly = custom('keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth, emailProtection\ncrlDistributionPoints = URI:http://crl.invalid/c.crl');
    expect(checkForAnaplan(subjectOnly, [intermediate, root], context())).toEqual([]);
    const cnOnly = new X509Certificate(fixture.ca.issue(fixture.request, 'no-email').pem);
    expect(codes(checkForAnaplan(cnOnly, [intermediate, root], context()))).toEqual([['no_email', 'block']]);
  });

  it('email_differs compares without letter case, and names both addresses', () => {
    expect(checkForAnaplan(leaf, [intermediate, root], context({ expectedEmail: ' ADA@example.com ' }))).toEqual([]);
    const findings = checkForAnaplan(leaf, [intermediate, root], context({ expectedEmail: 'grace@example.com' }));
    expect(codes(findings)).toEqual([['email_differs', 'warn']]);
    expect(findings[0]?.message).toContain(`${TEST_EMAIL}, not for grace@example.com`);
  });

  it('no_digital_signature: Key Usage without Digital Signature blocks; no Key Usage at all warns', () => {
    const encipherOnly = custom('keyUsage = critical, keyEncipherment\nextendedKeyUsage = clientAuth, emailProtection\nsubjectAltName = email:copy\ncrlDistributionPoints = URI:http://crl.invalid/c.crl');
    expect(codes(checkForAnaplan(encipherOnly, [intermediate, root], context()))).toEqual([['no_digital_signature', 'block']]);
    const noKeyUsage = custom('extendedKeyUsage = clientAuth, emailProtection\nsubjectAltName = email:copy\ncrlDistributionPoints = URI:http://crl.invalid/c.crl');
    expect(codes(checkForAnaplan(noKeyUsage, [intermediate, root], context()))).toEqual([['no_digital_signature', 'warn']]);
  });

  it('tls_server_certificate: serverAuth (even with clientAuth), with the advice to order S/MIME', () => {
    const findings = checkForAnaplan(new X509Certificate(fixture.ca.issue(fixture.request, 'tls-server').pem), [intermediate, root], context());
    expect(codes(findings)).toEqual([['tls_server_certificate', 'block']]);
    expect(findings[0]?.message).toMatch(/^This is a TLS server certificate .*Anaplan needs an S\/MIME \(client\) certificate.*ask your CA for a Multipurpose S\/MIME certificate/);
  });

  it('eku_missing_purposes: Extended Key Usage without client authentication or e-mail protection', () => {
    const codeSigning = custom('keyUsage = critical, digitalSignature\nextendedKeyUsage = codeSigning\nsubjectAltName = email:copy\ncrlDistributionPoints = URI:http://crl.invalid/c.crl');
    const findings = checkForAnaplan(codeSigning, [intermediate, root], context());
    expect(codes(findings)).toEqual([['eku_missing_purposes', 'block']]);
    expect(findings[0]?.message).toContain('Code Signing');
  });

  it('strict_smime: e-mail protection without client authentication warns, and says to check with Anaplan', () => {
    const findings = checkForAnaplan(new X509Certificate(fixture.ca.issue(fixture.request, 'strict').pem), [intermediate, root], context());
    expect(codes(findings)).toEqual([['strict_smime', 'warn']]);
    expect(findings[0]?.message).toContain('check with Anaplan');
  });

  it('client authentication without e-mail protection is accepted (what Anaplan\'s own CSR template asks for)', () => {
    const clientOnly = custom('keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\nsubjectAltName = email:copy\ncrlDistributionPoints = URI:http://crl.invalid/c.crl');
    expect(checkForAnaplan(clientOnly, [intermediate, root], context())).toEqual([]);
  });

  it('ca_certificate and self_signed', () => {
    expect(codes(checkForAnaplan(new X509Certificate(fixture.ca.issue(fixture.request, 'ca').pem), [intermediate, root], context()))).toEqual([['ca_certificate', 'block']]);
    const selfSigned = new X509Certificate(fixture.ca.selfSign(fixture.request).pem);
    expect(codes(checkForAnaplan(selfSigned, [], context()))).toEqual([['self_signed', 'block']]);
  });

  it('validity: not yet valid, expired, expiring within 30 days, as of `now`', () => {
    const facts = certificateFacts(leaf);
    const at = (date: Date): Array<[string, string]> => codes(checkForAnaplan(leaf, [intermediate, root], context({ now: date })));
    expect(at(new Date(facts.notBefore.getTime() - 60_000))).toEqual([['not_yet_valid', 'block']]);
    expect(at(new Date(facts.notAfter.getTime() + 60_000))).toEqual([['expired', 'block']]);
    expect(at(new Date(facts.notAfter.getTime() - 10 * DAY))).toEqual([['expires_soon', 'warn']]);
    expect(at(new Date(facts.notAfter.getTime() - 30 * DAY))).toEqual([['expires_soon', 'warn']]);
    expect(at(new Date(facts.notAfter.getTime() - 32 * DAY))).toEqual([]);
    const message = checkForAnaplan(leaf, [], context({ now: new Date(facts.notAfter.getTime() - 10 * DAY - 3_600_000) })).find((finding) => finding.code === 'expires_soon')?.message;
    expect(message).toContain('in 10 days');
  });

  it(`validity_too_long: more than about 3 years (${MAX_VALIDITY_DAYS} days)`, () => {
    const findings = checkForAnaplan(new X509Certificate(fixture.ca.issue(fixture.request, 'long-validity').pem), [intermediate, root], context());
    expect(codes(findings)).toEqual([['validity_too_long', 'warn']]);
  });

  it('no_revocation: neither a CRL distribution point nor OCSP; either one is enough', () => {
    expect(codes(checkForAnaplan(new X509Certificate(fixture.ca.issue(fixture.request, 'no-revocation').pem), [intermediate, root], context()))).toEqual([['no_revocation', 'warn']]);
    const ocspOnly = custom('keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth, emailProtection\nsubjectAltName = email:copy\nauthorityInfoAccess = OCSP;URI:http://ocsp.invalid');
    expect(checkForAnaplan(ocspOnly, [intermediate, root], context())).toEqual([]);
  });

  it('unknown_root: a warning naming the root and the list, never a block', () => {
    const findings = checkForAnaplan(leaf, [intermediate, root], context({ roots: builtInRoots() }));
    expect(codes(findings)).toEqual([['unknown_root', 'warn']]);
    expect(findings[0]?.message).toContain('"Assistant Test Root CA"');
    expect(findings[0]?.message).toContain('Built-in snapshot');
  });
});

/** A supported-roots JSON file (or any text, to test refusals). */
async function rootsFileWith(content: unknown): Promise<string> {
  const path = join(fixture.work, `roots-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('chainEndsInSupportedRoot', () => {
  it('the test chain is not under the built-in list', () => {
    expect(chainEndsInSupportedRoot(leaf, [intermediate, root], builtInRoots())).toMatchObject({ supported: false, rootName: null });
  });

  it('matches a root by subject, in any order and letter case', () => {
    const roots: SupportedRoots = { source: 'test', roots: [{ name: 'Test root', subject: 'cn=assistant test root ca, o=Assistant Test CA, c=GB' }] };
    expect(chainEndsInSupportedRoot(leaf, [intermediate, root], roots)).toEqual({ supported: true, rootName: 'Test root', reason: null });
  });

  it('matches a root by fingerprint', () => {
    const roots: SupportedRoots = { source: 'test', roots: [{ name: 'Test root', sha256: root.fingerprint256.replace(/:/g, '').toLowerCase() }] };
    expect(chainEndsInSupportedRoot(leaf, [intermediate, root], roots).supported).toBe(true);
  });

  it('matches by the last issuer when the reply leaves the root out', () => {
    expect(chainEndsInSupportedRoot(leaf, [intermediate], rootsWithTestRoot())).toMatchObject({ supported: true, rootName: 'Assistant Test Root CA' });
  });

  it('refuses a broken chain (a certificate that did not sign the one before)', () => {
    const result = chainEndsInSupportedRoot(leaf, [root], rootsWithTestRoot());
    expect(result.supported).toBe(false);
    expect(result.reason).toContain('did not sign');
  });

  it('a cross-signed root: the chain goes up to the older root, the self-signed copy is no stranger', async () => {
    const olderRoot = fixture.ca.makeRoot('/C=US/O=Older Trust Network/CN=Older Trust Root');
    const cross = fixture.ca.crossSignRoot(olderRoot);
    const result = await importCertificate({
      source: { text: leaf.toString() + fixture.ca.rootPem + cross.pem + fixture.ca.intermediatePem + olderRoot.pem },
      key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase },
      outDir: join(fixture.work, 'cross-signed'),
      keystorePassword: 'keystore pass 1',
      overwrite: false,
      rootsFile: await rootsFileWith({ mode: 'replace', roots: [{ name: 'Older Trust Root', subject: 'C=US, O=Older Trust Network, CN=Older Trust Root' }] }),
    });
    expect(result.chainLength).toBe(4);
    expect(result.findings).toEqual([]);
    expect(await readFile(join(fixture.work, 'cross-signed', 'chain.pem'), 'utf8')).toBe(fixture.ca.intermediatePem + cross.pem + olderRoot.pem);
  });

  it('does not take a root named like a listed one when its fingerprint differs', () => {
    const impostor = fixture.ca.makeRoot('/C=US/O=DigiCert Inc/OU=www.digicert.com/CN=DigiCert Global Root G2');
    const issued = new X509Certificate(fixture.ca.issueUnder(impostor, fixture.request).pem);
    const result = chainEndsInSupportedRoot(issued, [new X509Certificate(impostor.pem)], builtInRoots());
    expect(result).toMatchObject({ supported: false, rootName: null });
    expect(result.reason).toContain('named like "DigiCert Global Root G2", but it is not that root');
  });
});

describe('the built-in list', () => {
  it('names the CAs Anaplan names, says it is a snapshot, and every subject parses', () => {
    const { roots, source } = builtInRoots();
    expect(source).toContain('snapshot');
    const names = roots.map((entry) => entry.name).join('\n');
    for (const expected of ['AAA Certificate Services', 'USERTrust RSA Certification Authority', 'Sectigo', 'DigiCert Assured ID Root CA', 'DigiCert Global Root G2', 'GlobalSign', 'QuoVadis']) {
      expect(names).toContain(expected);
    }
    for (const entry of roots) {
      expect(entry.subject && parseNameText(entry.subject)).toBeTruthy();
      if (entry.sha256) expect(entry.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    }
  });

  const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
  it.runIf(existsSync(SYSTEM_BUNDLE))("fingerprints and subjects agree with this machine's root store where it has the root", () => {
    const system = parseCertificateBundle(readFileSync(SYSTEM_BUNDLE), {}).certificates;
    let compared = 0;
    for (const entry of builtInRoots().roots) {
      const found = system.find((certificate) => certificate.fingerprint256 === entry.sha256);
      if (!found) continue;
      compared++;
      expect(sameName(certificateFacts(found).subject, parseNameText(entry.subject ?? '') ?? []), `${entry.name}: ${formatName(certificateFacts(found).subject)}`).toBe(true);
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('loadRoots', () => {
  it('without a file: the built-in list', async () => {
    expect(await loadRoots(null)).toEqual(builtInRoots());
  });

  it('a file extends the built-in list by default', async () => {
    const loaded = await loadRoots(await rootsFileWith({ roots: [{ name: 'Our root', subject: TEST_ROOT_NAME }] }));
    expect(loaded.roots).toHaveLength(builtInRoots().roots.length + 1);
    expect(loaded.source).toContain('added to the built-in snapshot');
  });

  it('"mode": "replace" uses only the file, with fingerprints normalized', async () => {
    const loaded = await loadRoots(await rootsFileWith({ mode: 'replace', source: 'Anaplan list of 2027-01-01', roots: [{ name: 'Our root', sha256: root.fingerprint256.replace(/:/g, '').toLowerCase() }] }));
    expect(loaded).toEqual({ source: 'Anaplan list of 2027-01-01', roots: [{ name: 'Our root', sha256: root.fingerprint256 }] });
  });

  it('an import with the file no longer warns about the root', async () => {
    const result = await importCertificate({
      source: { text: leaf.toString() + fixture.ca.chainPem },
      key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase },
      outDir: join(fixture.work, 'with-roots-file'),
      keystorePassword: 'keystore pass 1',
      overwrite: false,
      rootsFile: await rootsFileWith({ roots: [{ name: 'Our root', subject: TEST_ROOT_NAME }] }),
    });
    expect(result.findings).toEqual([]);
  });

  it('refuses a bad file with clear messages', async () => {
    const notJson = await failure(loadRoots(await rootsFileWith('{ roots: ')));
    expect(notJson.code).toBe('bad_input');
    expect(notJson.message).toContain('is not valid JSON');

    const badEntries = await failure(loadRoots(await rootsFileWith({ roots: [{ name: 'No match data' }, { name: 'Bad hash', sha256: 'abc' }, { name: 'Bad name', subject: 'just words' }] })));
    expect(badEntries.code).toBe('bad_input');
    const fields = (badEntries.details?.problems as Array<{ field: string }>).map((problem) => problem.field);
    expect(fields).toEqual(['roots.0', 'roots.1.sha256', 'roots.2.subject']);

    const missing = await failure(loadRoots(join(fixture.work, 'no-such-roots.json')));
    expect(missing.code).toBe('bad_input');
    expect(missing.message).toContain('There is no supported roots file');
  });
});

describe('distinguished names', () => {
  it('prints names as OpenSSL does with RFC 2253 escapes, and reads them back', () => {
    const name = [
      { oid: '2.5.4.6', type: 'C', value: 'US' },
      { oid: '2.5.4.10', type: 'O', value: 'DigiCert, Inc.' },
      { oid: '2.5.4.3', type: 'CN', value: 'DigiCert SMIME RSA4096 Root G5' },
    ];
    expect(formatName(name)).toBe('C=US, O=DigiCert\\, Inc., CN=DigiCert SMIME RSA4096 Root G5');
    expect(sameName(name, parseNameText(formatName(name)) ?? [])).toBe(true);
    expect(sameName(name, parseNameText('CN=DigiCert SMIME RSA4096 Root G5,O=DigiCert\\, Inc.,C=US') ?? [])).toBe(true);
    expect(parseNameText('no attributes here')).toBeNull();
  });
});
