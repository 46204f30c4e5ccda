import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { CA_PROFILES, type CaProfile, caProfile } from '../../main/pki/ca-profiles.js';
import { buildCsrPem } from '../../main/pki/csr.js';
import { opensslEquivalent } from '../../main/pki/equivalent-commands.js';
import { generateRsaKeyPair, privateKeyPem, type RsaBits, type RsaKeyPair } from '../../main/pki/keys.js';
import { type CsrSubject, subjectLine } from '../../main/pki/subject.js';
import { ADA, bash, openssl, PASSPHRASE, useTempDir } from '../support/fixtures.js';

/** Every character that is special to a shell, to -subj, to RFC 2253 or to UTF-8 handling. */
const HOSTILE: CsrSubject = {
  commonName: `Ada O'Lovelacé "Countess" $HOME \`id\``,
  email: 'ada+anaplan_1%x@ex-ample.co.uk',
  organization: 'Engines/Analytical+Co, Ltd; <#1> = \\ back',
  organizationalUnit: '#Integration & Ops',
  locality: 'Zürich',
  state: 'Greater London',
  country: 'ch',
};

const dir = useTempDir('pki-csr-');
const keyPairs = new Map<RsaBits, RsaKeyPair>();

async function keysOf(bits: RsaBits): Promise<RsaKeyPair> {
  const existing = keyPairs.get(bits);
  if (existing) return existing;
  const created = await generateRsaKeyPair(bits);
  keyPairs.set(bits, created);
  return created;
}

/** Writes our key (encrypted) and CSR; returns their paths. */
async function writeRequest(keys: RsaKeyPair, subject: CsrSubject, profile: CaProfile): Promise<{ key: string; csr: string }> {
  const key = join(dir(), `${profile.id}-key.pem`);
  const csr = join(dir(), `${profile.id}.csr`);
  await writeFile(key, privateKeyPem(keys.privateKey, PASSPHRASE), { mode: 0o600 });
  await writeFile(csr, buildCsrPem(keys, subject, profile));
  return { key, csr };
}

/** What the brief asks of every CSR: openssl verifies it, shows Anaplan's extensions, and holds the key file's public key. */
function expectGoodCsr(paths: { key: string; csr: string }, subject: CsrSubject, profile: CaProfile): string {
  const verify = openssl('req', '-verify', '-noout', '-in', paths.csr);
  expect(verify.status, verify.stderr).toBe(0);
  expect(verify.stderr + verify.stdout).toMatch(/verify OK/);

  const text = openssl('req', '-text', '-noout', '-in', paths.csr).stdout;
  expect(text).toMatch(new RegExp(`Signature Algorithm: ${profile.hash}WithRSAEncryption`));
  expect(text).toContain(`email:${subject.email}`);
  expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
  expect(text).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Client Authentication, E-mail Protection/);
  expect(text).toMatch(/X509v3 Basic Constraints:\s+CA:FALSE/);

  const printedSubject = openssl('req', '-noout', '-subject', '-nameopt', 'sep_comma_plus_space,esc_2253,utf8', '-in', paths.csr).stdout.trim();
  expect(printedSubject).toBe(`subject=${subjectLine(subject, profile)}`);

  const csrKey = openssl('req', '-in', paths.csr, '-noout', '-pubkey').stdout;
  const fileKey = openssl('pkey', '-in', paths.key, '-passin', `pass:${PASSPHRASE}`, '-pubout').stdout;
  expect(csrKey).toMatch(/BEGIN PUBLIC KEY/);
  expect(csrKey).toBe(fileKey);
  return text;
}

/** The DER of the subject and of the attributes (the extensionRequest) of a CSR. */
function requestParts(pem: string): { subject: string; attributes: string } {
  const csr = forge.asn1.fromDer(forge.pem.decode(pem)[0]?.body ?? '');
  const info = (csr.value as forge.asn1.Asn1[])[0];
  const parts = (info?.value ?? []) as forge.asn1.Asn1[];
  const [subject, attributes] = [parts[1], parts[3]];
  if (!subject || !attributes) throw new Error('not a CSR');
  return { subject: forge.asn1.toDer(subject).toHex(), attributes: forge.asn1.toDer(attributes).toHex() };
}

describe('buildCsrPem', () => {
  it.each(CA_PROFILES.map((profile) => [profile.id, profile] as const))('makes a request openssl accepts for %s (2048 bits)', async (_, profile) => {
    const keys = await keysOf(2048);
    const pem = buildCsrPem(keys, ADA, profile);
    expect(pem.startsWith('-----BEGIN CERTIFICATE REQUEST-----\n')).toBe(true);
    const text = expectGoodCsr(await writeRequest(keys, ADA, profile), ADA, profile);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    // Fields the CA ignores stay out of the request.
    for (const [field, short] of [['organization', 'O'], ['organizationalUnit', 'OU'], ['country', 'C']] as const) {
      const present = new RegExp(`[ ,]${short} = `).test(text.split('\n').find((line) => line.includes('Subject:')) ?? '');
      expect(present, `${profile.id} ${field}`).toBe(profile.fields[field] !== 'ignored');
    }
  });

  it('makes 3072-bit requests and hostile subjects come out exactly', async () => {
    const keys = await keysOf(3072);
    const profile = caProfile('sectigo');
    const text = expectGoodCsr(await writeRequest(keys, HOSTILE, profile), { ...HOSTILE, country: 'CH' }, profile);
    expect(text).toMatch(/Public-Key: \(3072 bit\)/);
  });

  it('signs with SHA-512 for a profile that asks for it', async () => {
    const keys = await keysOf(2048);
    const profile: CaProfile = { ...caProfile('other'), hash: 'sha512' };
    expectGoodCsr(await writeRequest(keys, ADA, profile), ADA, profile);
  });

  it('encodes the subject as OpenSSL does: PrintableString country, UTF8String names, IA5String email', async () => {
    const keys = await keysOf(2048);
    const { csr } = await writeRequest(keys, HOSTILE, caProfile('sectigo'));
    const parsed = openssl('asn1parse', '-in', csr).stdout;
    expect(parsed).toMatch(/:countryName\n.*PRINTABLESTRING\s+:CH/);
    expect(parsed).toMatch(/:localityName\n.*UTF8STRING\s+:Zürich/);
    expect(parsed).toMatch(/:emailAddress\n.*IA5STRING\s+:ada\+anaplan_1%x@ex-ample\.co\.uk/);
  });

  it('refuses a subject that fails the checks instead of making an invalid request', async () => {
    const keys = await keysOf(2048);
    expect(() => buildCsrPem(keys, { ...ADA, email: 'adà@example.com' }, caProfile('sectigo'))).toThrow(/^The certificate request details need fixing[\s\S]*\nEmail address: /);
  });
});

describe('opensslEquivalent', () => {
  it.each([
    ['encrypted, hostile subject', HOSTILE, caProfile('sectigo'), true],
    ['unencrypted, DigiCert (fields it ignores left out)', ADA, caProfile('digicert'), false],
    ['SHA-512', ADA, { ...caProfile('other'), hash: 'sha512' } as CaProfile, true],
  ])('run for real, gives the same subject and requested extensions as ours (%s)', async (_, subject, profile, encrypted) => {
    const commands = opensslEquivalent({ subject, profile, bits: 2048, encrypted, keyFile: 'their key.pem', csrFile: 'their.csr', passphraseEnv: 'KEY_PASSPHRASE' });
    expect(commands).toHaveLength(3);
    const [makeKey = '', makeRequest = '', check = ''] = commands;
    expect(makeKey).toMatch(/^openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 /);
    expect(makeKey.includes(' -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 100000 ')).toBe(encrypted);
    expect(makeKey.includes('env:KEY_PASSPHRASE')).toBe(encrypted);
    expect(makeRequest).toMatch(/^openssl req -new -key /);
    expect(makeRequest).toContain(` -${profile.hash} `);

    const env = { ...process.env, KEY_PASSPHRASE: PASSPHRASE };
    for (const command of [makeKey, makeRequest]) {
      const made = bash(command, { cwd: dir(), env });
      expect(made.status, `${command}\n${made.stderr}`).toBe(0);
    }
    const checked = bash(check, { cwd: dir() });
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stderr + checked.stdout).toMatch(/verify OK/);

    const theirs = requestParts(await readFile(join(dir(), 'their.csr'), 'utf8'));
    const ours = requestParts(buildCsrPem(await keysOf(2048), subject, profile));
    expect(theirs.subject).toBe(ours.subject);
    expect(theirs.attributes).toBe(ours.attributes);
    expect(checked.stdout).toContain(`Signature Algorithm: ${profile.hash}WithRSAEncryption`);

    // Their key file is what Anaplan Connect reads too: PKCS#8, private to the owner.
    const keyPem = await readFile(join(dir(), 'their key.pem'), 'utf8');
    expect(keyPem.startsWith(encrypted ? '-----BEGIN ENCRYPTED PRIVATE KEY-----' : '-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect((await stat(join(dir(), 'their key.pem'))).mode & 0o777).toBe(0o600);
    if (encrypted) {
      const structure = openssl('asn1parse', '-in', join(dir(), 'their key.pem')).stdout;
      expect(structure).toMatch(/:PBES2[\s\S]*:hmacWithSHA256[\s\S]*:aes-256-cbc/);
      // The same stretching as ours: 100,000 PBKDF2 iterations (0x0186A0).
      expect(structure).toMatch(/INTEGER\s+:0186A0/);
    }
  });

  it('quotes for a POSIX shell, protects file names that look like options, and lets openssl prompt by default', () => {
    const [makeKey = '', makeRequest = '', check = ''] = opensslEquivalent({
      subject: ADA,
      profile: caProfile('sectigo'),
      bits: 4096,
      encrypted: true,
      keyFile: '-key.pem',
      csrFile: "Ada's request.csr",
    });
    expect(makeKey).toBe('openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 | openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 100000 -out ./-key.pem');
    expect(makeRequest).toContain('openssl req -new -key ./-key.pem -sha256 ');
    expect(makeRequest).toContain(`-out 'Ada'\\''s request.csr'`);
    expect(makeRequest).toContain(
      "-subj '/C=GB/ST=Greater London/L=London/O=Analytical Engines Ltd/OU=Integration/CN=Ada Lovelace/emailAddress=ada@example.com'",
    );
    expect(makeRequest).toContain('-addext keyUsage=critical,digitalSignature,keyEncipherment');
    expect(makeRequest).not.toContain('-passin');
    expect(check).toBe(`openssl req -in 'Ada'\\''s request.csr' -noout -verify -text`);
  });
});
