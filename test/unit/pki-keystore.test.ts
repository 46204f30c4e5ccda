// The keystore Anaplan Connect, Boomi and Informatica read: built here, proven with a real JDK
// loading it exactly as Anaplan Connect does (anaplan-facts §5), and with keytool.
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImportInput, importCertificate } from '../../main/pki/certificate-import.js';
import { buildPkcs12, readPkcs12Entry, validateAlias } from '../../main/pki/keystore.js';
import { readPrivateKeyFile } from '../../main/pki/keys.js';
import { thrownAppError, useTestCa } from '../support/import-fixtures.js';
import { type Jdk, KeystoreProbe, findJdk, keytoolList } from '../support/java.js';
import { LEGACY_PKCS12, PFX_PASSWORD, makeRequest, opensslOutput } from '../support/test-ca.js';

const PASSWORD = 'keystore pass 1';

const fixture = useTestCa('pki-keystore-');

const thrown = thrownAppError;

async function buildForTest(alias = 'anaplan-connect', password = PASSWORD): Promise<Buffer> {
  const key = await readPrivateKeyFile(fixture.request.keyPath, fixture.request.passphrase);
  return buildPkcs12(key, new X509Certificate(fixture.issued.der), [new X509Certificate(fixture.ca.intermediatePem), new X509Certificate(fixture.ca.rootPem)], { alias, password });
}

describe('validateAlias', () => {
  it.each(['anaplan-connect', 'ada.lovelace_2', 'a', 'x'.repeat(64)])('accepts %s', (alias) => {
    expect(validateAlias(alias)).toBe(alias);
  });

  it.each([
    ['', 'Enter an alias'],
    ['Anaplan', '"anaplan" instead of "Anaplan"'],
    ['my key', 'contains spaces'],
    ['key:1', 'contains ":"'],
    ['x'.repeat(65), 'at most 64'],
    ['tab\there', 'control characters'],
  ])('refuses %j', (alias, message) => {
    const error = thrown(() => validateAlias(alias));
    expect(error.code).toBe('bad_input');
    expect(error.message).toContain(message);
    expect(error.details?.problems).toEqual([{ field: 'alias', message: error.message }]);
  });
});

describe('buildPkcs12', () => {
  it('uses algorithms every JDK from 8u60 reads: 3DES key bag, plain certificate safe, HMAC-SHA1 MAC', async () => {
    const path = join(fixture.work, 'algorithms.p12');
    await writeFile(path, await buildForTest());
    // Without -legacy: OpenSSL 3 reads 3DES and SHA-1 with its default provider.
    const info = opensslOutput(['pkcs12', '-in', path, '-passin', `pass:${PASSWORD}`, '-info', '-noout']);
    expect(info).toContain('MAC: sha1');
    expect(info).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC');
    expect(info).not.toMatch(/PBES2|AES|sha256/i);
    expect(info).toContain('PKCS7 Data');
    expect(info).not.toContain('PKCS7 Encrypted data');
  });

  it('holds the key and the leaf under the alias (localKeyId linking them), then the chain', async () => {
    const path = join(fixture.work, 'content.p12');
    await writeFile(path, await buildForTest('ada'));
    const text = opensslOutput(['pkcs12', '-in', path, '-passin', `pass:${PASSWORD}`, '-passout', 'pass:unused-here', '-info']);
    const bags = text.split(/(?=Bag Attributes)/).filter((part) => part.includes('-----BEGIN'));
    expect(bags).toHaveLength(4);
    const leafBag = bags.find((bag) => bag.includes('subject=C = GB, ST = Greater London'));
    const keyBag = bags.find((bag) => bag.includes('ENCRYPTED PRIVATE KEY'));
    const localKeyId = (bag: string | undefined): string | undefined => /localKeyID: ([0-9A-F ]+)/.exec(bag ?? '')?.[1];
    expect(leafBag).toContain('friendlyName: ada');
    expect(keyBag).toContain('friendlyName: ada');
    expect(localKeyId(leafBag)).toBeDefined();
    expect(localKeyId(leafBag)).toBe(localKeyId(keyBag));
  });

  it('reads back with readPkcs12Entry; the alias matches in any letter case, as in Java', async () => {
    const bytes = await buildForTest();
    const entry = readPkcs12Entry(bytes, 'Anaplan-Connect', PASSWORD);
    expect(entry.certificate.raw.equals(fixture.issued.der)).toBe(true);
    expect(entry.chain.map((certificate) => certificate.subject)).toEqual([new X509Certificate(fixture.ca.intermediatePem).subject, new X509Certificate(fixture.ca.rootPem).subject]);
    expect(entry.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it('refuses a key that is not the certificate\'s', async () => {
    const other = await makeRequest(join(fixture.work, 'other-request'), { email: 'grace@example.com' });
    const otherKey = await readPrivateKeyFile(other.keyPath, other.passphrase);
    const error = thrown(() => buildPkcs12(otherKey, new X509Certificate(fixture.issued.der), [], { alias: 'a', password: PASSWORD }));
    expect(error.message).toContain('does not belong to this private key');
  });

  it('refuses a short password and a bad alias', async () => {
    await expect(buildForTest('anaplan-connect', '12345')).rejects.toThrow('at least 6 characters');
    await expect(buildForTest('Anaplan')).rejects.toThrow('lowercase');
  });
});

describe('readPkcs12Entry', () => {
  it('a wrong password: says so', async () => {
    const bytes = await buildForTest();
    const refused = thrown(() => readPkcs12Entry(bytes, 'anaplan-connect', 'not the password'));
    expect(refused.code).toBe('bad_input');
    expect(refused.message).toContain('The keystore password is wrong');
    expect(refused.details?.problems).toEqual([{ field: 'keystorePassword', message: refused.message }]);
  });

  it('something else than a keystore: cannot be read', () => {
    const error = thrown(() => readPkcs12Entry(Buffer.from('hello, world'), 'anaplan-connect', PASSWORD));
    expect(error.code).toBe('bad_input');
    expect(error.message).toContain('This keystore cannot be read');
  });

  it('an alias not in the keystore: lists the aliases present', async () => {
    const bytes = await buildForTest('ada');
    const error = thrown(() => readPkcs12Entry(bytes, 'anaplan-connect', PASSWORD));
    expect(error.message).toBe('There is no key entry "anaplan-connect" in this keystore. It holds: "ada". Use that alias.');
    expect(error.details?.aliases).toEqual(['ada']);
  });

  it('reads a PKCS#12 written by OpenSSL 3 with its defaults (friendlyName with capitals and spaces)', async () => {
    const entry = readPkcs12Entry(await readFile(fixture.replies.pfx), 'ada lovelace s/mime', PFX_PASSWORD);
    expect(entry.certificate.raw.equals(fixture.issued.der)).toBe(true);
    expect(entry.chain).toHaveLength(2);
  });

  it('refuses a JKS keystore with the command that converts it', () => {
    const error = thrown(() => readPkcs12Entry(Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]), 'a', PASSWORD));
    expect(error.message).toContain('keytool -importkeystore');
  });
});

const jdk: Jdk | null = findJdk();

describe.skipIf(jdk === null)(jdk ? 'the JDK reads the keystore exactly as Anaplan Connect does' : 'JDK proof skipped: no java, javac and keytool in JAVA_HOME or on the PATH', () => {
  let probe: KeystoreProbe;
  const keystores: Array<{ name: string; file: string; alias: string }> = [];

  beforeAll(async () => {
    if (!jdk) return;
    probe = KeystoreProbe.compile(jdk);
    const shapes: Array<[string, Pick<ImportInput, 'source' | 'key' | 'filePassword'>]> = [
      ['pem', { source: { path: fixture.replies.leafPem }, key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase } }],
      ['pem-chain', { source: { path: fixture.replies.chainWithChatter }, key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase } }],
      ['der', { source: { path: fixture.replies.der }, key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase } }],
      ['p7b-pem', { source: { path: fixture.replies.p7bPem }, key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase } }],
      ['p7b-der', { source: { path: fixture.replies.p7bDer }, key: { path: fixture.request.keyPath, passphrase: fixture.request.passphrase } }],
      ['pfx', { source: { path: fixture.replies.pfx }, key: null, filePassword: PFX_PASSWORD }],
      ...(LEGACY_PKCS12 ? [['pfx-legacy', { source: { path: fixture.replies.pfxLegacy ?? '' }, key: null, filePassword: PFX_PASSWORD }] as [string, Pick<ImportInput, 'source' | 'key' | 'filePassword'>]] : []),
    ];
    for (const [name, input] of shapes) {
      const alias = `ada-${name}`;
      const result = await importCertificate({ ...input, outDir: join(fixture.work, `jdk-${name}`), alias, keystorePassword: PASSWORD, overwrite: false });
      keystores.push({ name, file: result.keystorePath, alias });
    }
  });

  afterAll(() => probe?.remove());

  it('KeyStore.getInstance("JKS").load + getEntry(alias, store password): a PrivateKeyEntry with an RSA key and our leaf, for every reply shape', () => {
    const results = probe.load(keystores.map(({ file, alias }) => ({ file, password: PASSWORD, alias })));
    expect(results).toHaveLength(keystores.length);
    results.forEach((result, index) => {
      const { name } = keystores[index] ?? { name: '?' };
      expect(result.error, name).toBeNull();
      expect(result.entryType, name).toBe('PrivateKeyEntry');
      expect(result.keyAlgorithm, name).toBe('RSA');
      expect(result.certificateBase64, name).toBe(fixture.issued.der.toString('base64'));
      expect(result.chainLength, name).toBe(name === 'pem' || name === 'der' ? 1 : 3);
    });
  });

  it('Java reports a wrong store password and a missing alias as Anaplan Connect would meet them', () => {
    const [first] = keystores;
    if (!first) throw new Error('no keystore made');
    const [wrongPassword, missingAlias] = probe.load([
      { file: first.file, password: 'not the password', alias: first.alias },
      { file: first.file, password: PASSWORD, alias: 'anaplan-connect' },
    ]);
    expect(wrongPassword?.ok).toBe(false);
    expect(wrongPassword?.error).toMatch(/password|integrity/i);
    expect(missingAlias).toMatchObject({ ok: true, entryType: 'no entry' });
  });

  it('keytool -list with -storetype PKCS12 and with -storetype JKS shows the alias as a PrivateKeyEntry', () => {
    const chained = keystores.find((keystore) => keystore.name === 'pem-chain');
    if (!jdk || !chained) throw new Error('no keystore made');
    for (const storetype of ['PKCS12', 'JKS'] as const) {
      const listed = keytoolList(jdk, chained.file, PASSWORD, storetype);
      expect(listed.status, listed.output).toBe(0);
      expect(listed.output).toMatch(/Your keystore contains 1 entry/);
      expect(listed.output).toMatch(new RegExp(`^${chained.alias}, .*PrivateKeyEntry`, 'm'));
    }
  });
});
