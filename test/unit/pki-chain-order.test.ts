// Issue 13, finding 3: "One crafted reply freezes the app for minutes." A leaf plus N certificates
// with the leaf issuer's name and (P-521) key, each signed by another key, made chain ordering try
// every candidate against every other: 200 of them took 50 s, synchronously. Now candidates are
// found through an index by subject name and key, each (certificate, key) verdict is computed
// once, and a reply with more certificates than any CA sends is refused before ordering starts.
// No timed assertions: the signature checks are counted.
import { type KeyObject, X509Certificate, createPrivateKey, sign } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { importCertificate, previewImport } from '../../main/pki/certificate-import.js';
import { MAX_REPLY_CERTIFICATES, parseCertificateBundle } from '../../main/pki/certificate-parse.js';
import { orderChain } from '../../main/pki/chain-order.js';
import { type Asn1, bitString, fromDer, integer, sequence, toDer } from '../../main/pki/der.js';
import { keyOf, thrownAppError, useTestCa } from '../support/import-fixtures.js';
import { derOf, openssl } from '../support/test-ca.js';

/** The leaf's issuer, as the attack names every one of its look-alike CA certificates. */
const LOOK_ALIKE_SUBJECT = '/C=GB/O=Look Alike CA/CN=Look Alike Issuing CA';
/** Enough look-alikes to show the growth: the old ordering made about N² checks (10,000 here). */
const MANY = 100;

interface Attack {
  /** The request's certificate, signed by the look-alikes' key under their name. */
  leafPem: string;
  /** MANY certificates: the leaf issuer's name as subject and issuer, its P-521 key, each signed by another key. */
  lookAlikes: string[];
}

const setup = useTestCa('chain-order-');
let attack: Attack | undefined;

/**
 * Made once: the keys, the first look-alike and the leaf by the real openssl; the other look-alikes
 * are the first with another serial number, signed again by the other key (node:crypto), which is
 * what openssl would make, in a fraction of the time.
 */
function theAttack(): Attack {
  if (attack) return attack;
  const dir = join(setup.work, 'attack');
  mkdirSync(dir);
  const file = (name: string) => join(dir, name);
  for (const name of ['issuer.key', 'other.key']) openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', file(name)]);
  openssl(['pkey', '-in', file('issuer.key'), '-pubout', '-out', file('issuer.pub')]);
  openssl(['x509', '-new', '-subj', LOOK_ALIKE_SUBJECT, '-key', file('other.key'), '-force_pubkey', file('issuer.pub'), '-set_serial', '1000', '-days', '30', '-out', file('look-alike.pem')]);
  const template = readFileSync(file('look-alike.pem'), 'utf8');
  const otherKey = createPrivateKey(readFileSync(file('other.key')));
  const lookAlikes = [template];
  for (let i = 1; i < MANY; i++) lookAlikes.push(withSerial(template, 1000 + i, otherKey));
  writeFileSync(
    file('leaf.ext'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth,emailProtection\nsubjectAltName=email:copy\ncrlDistributionPoints=URI:http://crl.test-ca.invalid/look-alike.crl\n',
  );
  const { request } = setup;
  openssl([
    'x509', '-req', '-in', request.csrPath, '-CA', file('look-alike.pem'), '-CAkey', file('issuer.key'), '-set_serial', '77',
    '-days', '300', '-extfile', file('leaf.ext'), '-out', file('leaf.pem'),
  ]);
  attack = { leafPem: readFileSync(file('leaf.pem'), 'utf8'), lookAlikes };
  return attack;
}

const CONTEXT_SPECIFIC = 0x80;

/** The certificate with another serial number, signed again (ECDSA with SHA-256, as openssl signed it). */
function withSerial(pem: string, serial: number, signer: KeyObject): string {
  const [tbs, signatureAlgorithm] = fromDer(derOf(pem) ?? Buffer.alloc(0)).value as Asn1[];
  if (!tbs || !signatureAlgorithm) throw new Error('not a certificate');
  const fields = tbs.value as Asn1[];
  fields[fields[0]?.tagClass === CONTEXT_SPECIFIC ? 1 : 0] = integer(serial); // after the version [0], when there is one (openssl x509 -new writes v1)
  const body = toDer(tbs);
  const der = toDer(sequence([tbs, signatureAlgorithm, bitString(sign('sha256', body, signer))]));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

const certificate = (pem: string) => new X509Certificate(derOf(pem) ?? Buffer.alloc(0));

/** Every X509Certificate.verify call while `work` runs: which certificate, with which key. */
function countVerifications<T>(work: () => T): { result: T; calls: Array<{ child: string; key: string }> } {
  const spy = vi.spyOn(X509Certificate.prototype, 'verify');
  try {
    const result = work();
    const calls = spy.mock.calls.map((args, i) => ({
      child: (spy.mock.contexts[i] as X509Certificate).fingerprint256,
      key: args[0].export({ type: 'spki', format: 'der' }).toString('base64'),
    }));
    return { result, calls };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('orderChain: an index by subject and key, each verdict once', () => {
  test(`the attack's shape with ${MANY} look-alikes: each (certificate, key) pair checked at most once, about one check per certificate`, () => {
    const { leafPem, lookAlikes } = theAttack();
    const leaf = certificate(leafPem);
    const bundle = [leaf, ...lookAlikes.map(certificate)];
    const { result, calls } = countVerifications(() => orderChain(leaf, bundle));
    // The leaf's issuer is the first look-alike with its key; none of them has an issuer in the bundle.
    expect(result.chain.map((ca) => ca.raw.equals(bundle[1]?.raw ?? Buffer.alloc(0)))).toEqual([true]);
    expect(result.unrelated).toHaveLength(0); // the others are versions of that CA: same name, same key
    const pairs = calls.map((call) => `${call.child} ${call.key}`);
    expect(new Set(pairs).size, 'a (certificate, key) pair was checked twice').toBe(pairs.length);
    // The leaf once against the shared key, then each look-alike once (self-signed? issued by a look-alike?
    // both questions are the same pair). The old ordering made about MANY² checks.
    expect(calls.length).toBeLessThanOrEqual(MANY + 2);
  });

  test('an ordinary chain among unrelated certificates: three checks, only against the keys named as issuers', () => {
    const { ca, issued } = setup;
    const root = certificate(ca.rootPem);
    const intermediate = certificate(ca.intermediatePem);
    const leaf = certificate(issued.pem);
    const strangers = theAttack().lookAlikes.slice(0, 20).map(certificate);
    const { result, calls } = countVerifications(() => orderChain(leaf, [...strangers.slice(0, 10), root, leaf, ...strangers.slice(10), intermediate]));
    expect(result.chain.map((c) => c.subject)).toEqual([intermediate.subject, root.subject]);
    expect(result.unrelated).toHaveLength(20);
    const keyOfCert = (c: X509Certificate) => c.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    // The leaf by the intermediate, the intermediate by the root, the root by itself: nothing else.
    expect(calls).toEqual(
      expect.arrayContaining([
        { child: leaf.fingerprint256, key: keyOfCert(intermediate) },
        { child: intermediate.fingerprint256, key: keyOfCert(root) },
        { child: root.fingerprint256, key: keyOfCert(root) },
      ]),
    );
    expect(calls).toHaveLength(3);
  });

  test('an injected signature check sees the same, and a lying one is believed once per pair', () => {
    const { leafPem, lookAlikes } = theAttack();
    const leaf = certificate(leafPem);
    const bundle = [leaf, ...lookAlikes.map(certificate)];
    const seen: string[] = [];
    // Says yes to everything: every look-alike "issued" every other. The old ordering then chained
    // look-alike after look-alike, checking each against all; the index asks once per pair.
    const result = orderChain(leaf, bundle, (child, key) => {
      seen.push(`${child.fingerprint256} ${key.export({ type: 'spki', format: 'der' }).toString('base64')}`);
      return true;
    });
    expect(seen.length).toBeGreaterThan(MANY);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeLessThanOrEqual(MANY + 2);
    // Each look-alike "signed itself": the path ends at the first.
    expect(result.chain).toHaveLength(1);
  });
});

describe(`a reply with more than MAX_REPLY_CERTIFICATES (${MAX_REPLY_CERTIFICATES}) certificates is refused`, () => {
  const importInput = (text: string, outDir: string) => ({
    source: { text },
    key: keyOf(setup.request),
    outDir,
    keystorePassword: 'keystore pass 1',
    overwrite: false,
  });

  test('the attack over the cap, as PEM and as PKCS#7: refused with a message that says why and what to do, nothing written', async () => {
    const { leafPem, lookAlikes } = theAttack();
    const overCap = [leafPem, ...lookAlikes.slice(0, MAX_REPLY_CERTIFICATES)]; // one more than the cap
    const outDir = join(setup.work, 'refused');
    mkdirSync(outDir);
    const pemError = await importCertificate(importInput(overCap.join(''), outDir)).then(
      () => null,
      (error: unknown) => error as { code: string; message: string; details?: { reason?: string } },
    );
    expect(pemError?.code).toBe('bad_input');
    expect(pemError?.details?.reason).toBe('too_many_certificates');
    expect(pemError?.message).toBe(
      `The pasted text holds more than ${MAX_REPLY_CERTIFICATES} certificates, so it was not read. A CA's reply holds your certificate and the few CA certificates above it, never this many: this is not the reply as your CA sent it, and working through it could keep the assistant busy for minutes. Choose the file your CA sent when it issued your certificate, or paste only your certificate and its chain.`,
    );
    expect(readdirSync(outDir)).toEqual([]);

    const pemFiles = overCap.map((pem, i) => {
      const path = join(setup.work, 'attack', `p7b-part-${i}.pem`);
      writeFileSync(path, pem);
      return path;
    });
    const p7b = join(setup.work, 'attack', 'over-cap.p7b');
    openssl(['crl2pkcs7', '-nocrl', ...pemFiles.flatMap((path) => ['-certfile', path]), '-outform', 'DER', '-out', p7b]);
    const p7bError = thrownAppError(() => parseCertificateBundle(readFileSync(p7b), { maxCertificates: MAX_REPLY_CERTIFICATES }));
    expect(p7bError.details?.reason).toBe('too_many_certificates');
    // Without a limit (a trust store), the same bundle reads.
    expect(parseCertificateBundle(readFileSync(p7b)).certificates).toHaveLength(MAX_REPLY_CERTIFICATES + 1);
  });

  test('the attack at the cap (leaf and 31 look-alikes) is read, and its path found in a few checks per certificate', async () => {
    const { leafPem, lookAlikes } = theAttack();
    const atCap = [leafPem, ...lookAlikes.slice(0, MAX_REPLY_CERTIFICATES - 1)];
    const { result: summary, calls } = await (async () => {
      const spy = vi.spyOn(X509Certificate.prototype, 'verify');
      try {
        const value = await previewImport({ source: { text: atCap.join('') }, key: keyOf(setup.request) });
        return { result: value, calls: spy.mock.calls.length };
      } finally {
        spy.mockRestore();
      }
    })();
    expect(summary.chainLength).toBe(2);
    expect(summary.issuer).toContain('Look Alike Issuing CA');
    // Ordering is a few checks per certificate (the checks after it, on the chain, add a handful).
    expect(calls).toBeLessThan(3 * MAX_REPLY_CERTIFICATES);
  });

  test('a real reply (leaf, intermediate, root) still imports under the cap', async () => {
    const outDir = join(setup.work, 'real');
    const result = await importCertificate(importInput(readFileSync(setup.replies.chainWithChatter, 'utf8'), outDir));
    expect(result.chainLength).toBe(3);
  });
});
