import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateRsaKeyPair, privateKeyPem, privateKeyPemAsync, publicKeyFingerprint, readPrivateKeyFile, type RsaKeyPair } from '../../main/pki/keys.js';
import { bash, failure, openssl, PASSPHRASE, run, useTempDir } from '../support/fixtures.js';

const dir = useTempDir('pki-keys-');
let keys: RsaKeyPair;

beforeAll(async () => {
  keys = await generateRsaKeyPair(2048);
});

async function writeKey(name: string, pem: string | Buffer): Promise<string> {
  const path = join(dir(), name);
  await writeFile(path, pem, { mode: 0o600 });
  return path;
}

async function readError(path: string, passphrase: string | null): Promise<{ code: string; message: string }> {
  const error = await failure(readPrivateKeyFile(path, passphrase));
  return { code: error.code, message: error.message };
}

const HAS_JAVA = spawnSync('java', ['-version']).status === 0;

describe('privateKeyPem', () => {
  it.each([
    ['sync', (pass: string) => Promise.resolve(privateKeyPem(keys.privateKey, pass))],
    ['async', (pass: string) => privateKeyPemAsync(keys.privateKey, pass)],
  ])('(%s) writes encrypted PKCS#8 with PBES2, AES-256-CBC and HMAC-SHA-256 that only the passphrase opens', async (_, write) => {
    const path = await writeKey('key.pem', await write(PASSPHRASE));
    const pem = await readFile(path, 'utf8');
    expect(pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----\n')).toBe(true);
    expect(pem.endsWith('-----END ENCRYPTED PRIVATE KEY-----\n')).toBe(true);
    expect(pem).not.toContain('RSA PRIVATE KEY');

    const structure = openssl('asn1parse', '-in', path);
    expect(structure.status).toBe(0);
    expect(structure.stdout).toMatch(/OBJECT\s+:PBES2/);
    expect(structure.stdout).toMatch(/OBJECT\s+:PBKDF2/);
    expect(structure.stdout).toMatch(/OBJECT\s+:hmacWithSHA256/);
    expect(structure.stdout).toMatch(/OBJECT\s+:aes-256-cbc/);

    expect(openssl('pkey', '-in', path, '-passin', `pass:${PASSPHRASE}`, '-noout').status).toBe(0);
    expect(openssl('pkey', '-in', path, '-passin', 'pass:', '-noout').status).not.toBe(0);
    expect(openssl('pkey', '-in', path, '-passin', 'pass:tulip orbit canyon 43', '-noout').status).not.toBe(0);

    // The key inside is ours.
    const inside = openssl('pkey', '-in', path, '-passin', `pass:${PASSPHRASE}`, '-pubout');
    expect(inside.stdout).toBe(keys.publicKey.export({ type: 'spki', format: 'pem' }));
  });

  it('writes unencrypted PKCS#8 ("BEGIN PRIVATE KEY", never PKCS#1) when there is no passphrase', async () => {
    const pem = privateKeyPem(keys.privateKey, null);
    expect(pem.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    expect(pem).not.toContain('RSA PRIVATE KEY');
    const path = await writeKey('plain.pem', pem);
    expect(openssl('pkey', '-in', path, '-noout').status).toBe(0);
    const structure = openssl('asn1parse', '-in', path);
    expect(structure.stdout).toMatch(/OBJECT\s+:rsaEncryption/);
    expect(structure.stdout).not.toMatch(/PBES2/);
  });

  it('uses a fresh salt and IV every time', () => {
    expect(privateKeyPem(keys.privateKey, PASSPHRASE)).not.toBe(privateKeyPem(keys.privateKey, PASSPHRASE));
  });

  it.skipIf(!HAS_JAVA)('is read by a JDK (javax.crypto EncryptedPrivateKeyInfo, PKCS8EncodedKeySpec)', async () => {
    await writeFile(join(dir(), 'ReadKey.java'), JAVA_READ_KEY);
    const encrypted = await writeKey('encrypted.pem', privateKeyPem(keys.privateKey, PASSPHRASE));
    const plain = await writeKey('plain.pem', privateKeyPem(keys.privateKey, null));
    const readKey = (...args: string[]) => run('java', [join(dir(), 'ReadKey.java'), ...args]);
    const good = readKey(encrypted, PASSPHRASE);
    expect(good.stderr).toBe('');
    expect(good.stdout).toContain('PBEWithHmacSHA256AndAES_256');
    expect(good.stdout).toContain('RSA 2048');
    expect(readKey(encrypted, 'wrong passphrase').status).not.toBe(0);
    expect(readKey(plain).stdout).toContain('RSA 2048');
  }, 120_000);
});

describe('publicKeyFingerprint', () => {
  it('is the SHA-256 of the SubjectPublicKeyInfo, as openssl computes it', async () => {
    const path = await writeKey('public.pem', keys.publicKey.export({ type: 'spki', format: 'pem' }));
    const digest = bash(`openssl pkey -pubin -in '${path}' -outform DER | openssl dgst -sha256 -c`);
    const expected = (digest.stdout.split('= ')[1] ?? '').trim().toUpperCase();
    expect(expected).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(publicKeyFingerprint(keys.publicKey)).toBe(expected);
  });
});

describe('readPrivateKeyFile', () => {
  it('reads our encrypted and unencrypted keys, and a key written by openssl req', async () => {
    const encrypted = await writeKey('encrypted.pem', privateKeyPem(keys.privateKey, PASSPHRASE));
    const plain = await writeKey('plain.pem', privateKeyPem(keys.privateKey, null));
    for (const key of [await readPrivateKeyFile(encrypted, PASSPHRASE), await readPrivateKeyFile(plain, null)]) {
      expect(key.asymmetricKeyType).toBe('rsa');
      expect(key.export({ type: 'pkcs8', format: 'pem' })).toBe(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    }
    const made = openssl('req', '-new', '-newkey', 'rsa:2048', '-keyout', join(dir(), 'openssl.pem'), '-out', join(dir(), 'openssl.csr'), '-subj', '/CN=Ada', '-passout', 'pass:openssl passphrase');
    expect(made.status).toBe(0);
    expect((await readPrivateKeyFile(join(dir(), 'openssl.pem'), 'openssl passphrase')).asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('refuses PKCS#1 and says how to convert it', async () => {
    expect(openssl('genrsa', '-traditional', '-out', join(dir(), 'pkcs1.pem'), '2048').status).toBe(0);
    expect(await readFile(join(dir(), 'pkcs1.pem'), 'utf8')).toContain('BEGIN RSA PRIVATE KEY');
    const error = await readError(join(dir(), 'pkcs1.pem'), null);
    expect(error.code).toBe('bad_input');
    expect(error.message).toMatch(/PKCS#1/);
    expect(error.message).toMatch(/Anaplan Connect refuses/);
    expect(error.message).toContain(`openssl pkcs8 -topk8 -in ${join(dir(), 'pkcs1.pem')} -out private-key.pem`);
  });

  it('asks for a missing passphrase and refuses a wrong one', async () => {
    const path = await writeKey('encrypted.pem', privateKeyPem(keys.privateKey, PASSPHRASE));
    expect(await readError(path, null)).toEqual({ code: 'bad_input', message: expect.stringMatching(/is encrypted.*Give its passphrase/) });
    expect(await readError(path, 'not it at all')).toEqual({ code: 'bad_input', message: expect.stringMatching(/passphrase does not open/) });
  });

  it('refuses keys that are not RSA, too small, or not keys at all', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect((await readError(await writeKey('ec.pem', ec), null)).message).toMatch(/EC key; Anaplan certificates need an RSA key/);
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' });
    expect((await readError(await writeKey('sec1.pem', sec1), null)).message).toMatch(/need an RSA key/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expect((await readError(await writeKey('small.pem', small), null)).message).toMatch(/1024-bit RSA key: too small, Anaplan needs RSA 2048 or more/);
    expect((await readError(await writeKey('garbage.pem', 'hello, world\n'), null)).message).toMatch(/not a private key file/);
    expect((await readError(await writeKey('der.key', privateKeyDer()), null)).message).toMatch(/binary \(DER\).*openssl pkey -inform DER/);
    const cut = privateKeyPem(keys.privateKey, null).replace(/\n[A-Za-z0-9+/]{64}\n/, '\n');
    expect((await readError(await writeKey('cut.pem', cut), null)).message).toMatch(/damaged or cut short/);
    const made = openssl('req', '-x509', '-newkey', 'rsa:2048', '-noenc', '-keyout', join(dir(), 'k.pem'), '-out', join(dir(), 'cert.pem'), '-subj', '/CN=Ada', '-days', '1');
    expect(made.status).toBe(0);
    expect((await readError(join(dir(), 'cert.pem'), null)).message).toMatch(/holds a certificate, not a private key/);
    expect(await readError(join(dir(), 'missing.pem'), null)).toEqual({ code: 'bad_input', message: expect.stringMatching(/There is no file at/) });
    expect(await readError(dir(), null)).toEqual({ code: 'bad_input', message: expect.stringMatching(/is not a file/) });
  });
});

function privateKeyDer(): Buffer {
  return keys.privateKey.export({ type: 'pkcs8', format: 'der' });
}

const JAVA_READ_KEY = `
import java.nio.file.*;
import java.security.*;
import java.security.spec.*;
import javax.crypto.*;
import javax.crypto.spec.*;
import java.util.Base64;

public class ReadKey {
  public static void main(String[] args) throws Exception {
    String pem = Files.readString(Path.of(args[0]));
    byte[] der = Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\\\s", ""));
    PKCS8EncodedKeySpec spec;
    if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      AlgorithmParameters params = info.getAlgParameters();
      String name = params.toString();
      SecretKey key = SecretKeyFactory.getInstance(name).generateSecret(new PBEKeySpec(args[1].toCharArray()));
      Cipher cipher = Cipher.getInstance(name);
      cipher.init(Cipher.DECRYPT_MODE, key, params);
      spec = info.getKeySpec(cipher);
      System.out.println(name);
    } else {
      spec = new PKCS8EncodedKeySpec(der);
    }
    PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(spec);
    System.out.println(key.getAlgorithm() + " " + ((java.security.interfaces.RSAPrivateKey) key).getModulus().bitLength());
  }
}
`;
