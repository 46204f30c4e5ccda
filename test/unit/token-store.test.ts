// Anaplan Connect's refresh-token store (anaplan-facts §5): written without a JDK, proven with a
// real JDK reading it exactly as Anaplan Connect 4.x does (DeviceAuthenticator.getDecodedRefreshToken,
// Utils.loadKeystore), with name and password derived by an independent Java copy of
// Utils.createHash/bytesToHex and CryptoUtil.encrypt.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ANAPLAN_CONNECT_TOKEN_STORE,
  buildTokenStore,
  checkTokenStoreClientId,
  readTokenStore,
  tokenStoreFileName,
  tokenStoreName,
  tokenStorePassword,
  writeTokenStore,
} from '../../main/anaplan/token-store.js';
import { AppError } from '../../main/errors.js';
import { type Tlv, Tag, content, explicit, oidOf, readTlv, sequenceItems, smallIntegerOf, stringOf } from '../../main/pki/asn1-reader.js';
import { algorithm, contextConstructed, integer, octetString, oid, sequence, set, toDer, utf8String } from '../../main/pki/der.js';
import { KDF_PURPOSE, bmpPassword, decryptWithPassword, digestByOid, encryptTripleDesPbe, pkcs12Kdf } from '../../main/pki/pkcs12-crypto.js';
import { PKCS12_OID, SECRET_BAG_OID, readPkcs12SecretKeys } from '../../main/pki/pkcs12-read.js';
import { writePkcs12SecretKey } from '../../main/pki/pkcs12-write.js';
import { type Jdk, findJdk } from '../support/java.js';
import { PROBE_CLASS, PROBE_SOURCE } from '../support/token-store-probe.js';

const CLIENT_IDS = [
  '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e',
  'abc123clientid',
  // 11 + 5 bytes: the password's plaintext fills one AES block exactly, so PKCS#5 adds a whole block.
  'a1b2c',
  'x',
  'Client-ID_with.punctuation~!$@|%:;',
  'A'.repeat(256),
];

const JWT_LIKE =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFiYzEyMyJ9.eyJzdWIiOiJpbnRlZ3JhdGlvbkBleGFtcGxlLmNvbSIsImF1ZCI6ImFuYXBsYW4iLCJleHAiOjE3OTk5OTk5OTl9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-_Q';

const TOKENS: Array<[string, string]> = [
  ['a JWT-like token with ".", "-", "_"', JWT_LIKE],
  ['an opaque hex token', 'c2f0e1d4b7a94e8f9a6b3c5d7e9f1a2b'],
  ['a 2,000-character token', Array.from({ length: 2000 }, (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'[(i * 7919) % 66]).join('')],
  ['a one-character token (base64 "==" padding)', 'z'],
  ['a two-character token (base64 "=" padding)', 'zz'],
  ['a token with "+", "/" and "="', 'ab+/cd==ef'],
  ['a non-ASCII token (UTF-8 under base64)', 'tökén-日本-🎉'],
];

// Pinned with JDK 17 (MessageDigest "SHA-512/256", Cipher "AES/ECB/PKCS5PADDING"), so the derivation
// is checked even where no JDK is installed.
const PINNED = {
  clientId: 'abc123clientid',
  name: 'ks_660ac92b5200e64128cfdb946fbd51c9da8b84a873d495d697202362ac1edfaa',
  password: 'HSNHV0AjFeAGLfvDKYRLVujIfkjR2RMupJg4NTtZRaU=',
};

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'token-store-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function thrown(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('name and password', () => {
  it('match values computed by a JDK', () => {
    expect(tokenStoreName(PINNED.clientId)).toBe(PINNED.name);
    expect(tokenStoreFileName(PINNED.clientId)).toBe(`${PINNED.name}.jks`);
    expect(tokenStorePassword(PINNED.clientId)).toBe(PINNED.password);
  });

  it('are ks_ + 64 lowercase hex digits, and a base64 AES ciphertext of whole blocks', () => {
    for (const clientId of CLIENT_IDS) {
      expect(tokenStoreName(clientId)).toMatch(/^ks_[0-9a-f]{64}$/);
      const password = Buffer.from(tokenStorePassword(clientId), 'base64');
      expect(password.length % 16).toBe(0);
      expect(password.length).toBe(16 * (Math.floor((11 + clientId.length) / 16) + 1));
    }
  });

  it.each([
    ['', 'Enter the OAuth client ID'],
    ['   ', 'Enter the OAuth client ID'],
    ['abc def', 'spaces or line breaks'],
    ['abc\n', 'spaces or line breaks'],
    ['clïent', 'plain ASCII'],
    ['a'.repeat(257), 'too long'],
  ])('refuse the client id %j', (clientId, message) => {
    for (const derive of [checkTokenStoreClientId, tokenStoreName, tokenStorePassword]) {
      const error = thrown(() => derive(clientId));
      expect(error.code).toBe('bad_input');
      expect(error.message).toContain(message);
      expect(error.details?.problems).toEqual([{ field: 'clientId', message: error.message }]);
    }
  });
});

/** The pieces of the file, read with the project's own DER reader. */
function layoutOf(bytes: Buffer, password: string) {
  const [version, authSafe, macData] = sequenceItems(readTlv(bytes), 'PFX');
  const [authType, authWrapped] = sequenceItems(authSafe, 'authSafe');
  const safes = sequenceItems(readTlv(content(explicit(authWrapped, 0, 'authSafe content'))), 'safes');
  const [safe] = safes;
  const [safeType, safeWrapped] = sequenceItems(safe, 'safe');
  const bags = sequenceItems(readTlv(content(explicit(safeWrapped, 0, 'safe content'))), 'bags');
  const [bag] = bags;
  const [bagId, bagWrapped, attributes] = sequenceItems(bag, 'bag');
  const [secretTypeId, secretWrapped, ...extra] = sequenceItems(explicit(bagWrapped, 0, 'secret bag'), 'secret bag');
  const secretValue = explicit(secretWrapped, 0, 'secret value');
  const [encryption, ciphertext] = sequenceItems(readTlv(content(secretValue)), 'encrypted info');
  const [encryptionOid, encryptionParameters] = sequenceItems(encryption, 'encryption');
  const [salt, iterations] = sequenceItems(encryptionParameters, 'pbe parameters');
  const [keyVersion, keyAlgorithm, keyOctets] = sequenceItems(readTlv(decryptWithPassword(encryption as Tlv, content(ciphertext as Tlv), password)), 'secret key');
  const [keyAlgorithmOid, keyAlgorithmParameters] = sequenceItems(keyAlgorithm, 'key algorithm');
  const [digestInfo, macSalt, macIterations] = sequenceItems(macData, 'mac data');
  const attributeList = sequenceItems(attributes, 'attributes').map((attribute) => {
    const [type, values] = sequenceItems(attribute, 'attribute');
    const [value] = sequenceItems(values, 'values');
    return { type: oidOf(type), value: value as Tlv };
  });
  return {
    version: smallIntegerOf(version),
    authType: oidOf(authType),
    safeCount: safes.length,
    safeType: oidOf(safeType),
    bagCount: bags.length,
    bagId: oidOf(bagId),
    secretTypeId: oidOf(secretTypeId),
    secretValueTag: secretValue.tagNumber,
    extra: extra.length,
    encryptionOid: oidOf(encryptionOid),
    saltBytes: content(salt as Tlv).length,
    iterations: smallIntegerOf(iterations),
    keyVersion: smallIntegerOf(keyVersion),
    keyAlgorithmOid: oidOf(keyAlgorithmOid),
    keyAlgorithmParametersTag: keyAlgorithmParameters?.tagNumber,
    keyBytes: content(keyOctets as Tlv).toString('latin1'),
    macDigestOid: oidOf(sequenceItems(sequenceItems(digestInfo, 'digest info')[0], 'digest algorithm')[0]),
    macSaltBytes: content(macSalt as Tlv).length,
    macIterations: smallIntegerOf(macIterations),
    attributes: attributeList,
  };
}

describe('buildTokenStore', () => {
  it('lays the entry out as the JDK stores a SecretKeyEntry, with algorithms every JDK from 8u60 reads', () => {
    const now = new Date(1_795_555_536_254);
    const layout = layoutOf(buildTokenStore(PINNED.clientId, JWT_LIKE, now), PINNED.password);
    expect(layout).toMatchObject({
      version: 3,
      authType: PKCS12_OID.data,
      safeCount: 1,
      safeType: PKCS12_OID.data,
      bagCount: 1,
      bagId: SECRET_BAG_OID,
      secretTypeId: PKCS12_OID.pkcs8ShroudedKeyBag,
      secretValueTag: Tag.octetString,
      extra: 0,
      encryptionOid: '1.2.840.113549.1.12.1.3',
      saltBytes: 20,
      iterations: 10_000,
      keyVersion: 0,
      keyAlgorithmOid: '2.16.840.1.101.3.4.1',
      keyAlgorithmParametersTag: Tag.null,
      keyBytes: Buffer.from(JWT_LIKE).toString('base64'),
      macDigestOid: '1.3.14.3.2.26',
      macSaltBytes: 20,
      macIterations: 10_000,
    });
    const [friendlyName, localKeyId] = layout.attributes;
    expect(friendlyName?.type).toBe(PKCS12_OID.friendlyName);
    expect(friendlyName?.value.tagNumber).toBe(Tag.bmpString);
    expect(friendlyName && stringOf(friendlyName.value)).toBe(PINNED.name);
    expect(localKeyId?.type).toBe(PKCS12_OID.localKeyId);
    expect(localKeyId && content(localKeyId.value).toString('utf8')).toBe('Time 1795555536254');
    expect(layout.attributes).toHaveLength(2);
  });

  it.each(TOKENS)('round-trips %s', (_label, token) => {
    for (const clientId of CLIENT_IDS.slice(0, 3)) expect(readTokenStore(buildTokenStore(clientId, token), clientId)).toBe(token);
  });

  it('uses fresh salts: two stores of one token differ', () => {
    expect(buildTokenStore(PINNED.clientId, JWT_LIKE).equals(buildTokenStore(PINNED.clientId, JWT_LIKE))).toBe(false);
  });

  it.each([
    ['', 'empty'],
    [' \t', 'empty'],
    ['x'.repeat(65_537), 'too long'],
    ['bad\ud800surrogate', 'lone UTF-16 surrogate'],
  ])('refuses the refresh token %#', (token, message) => {
    const error = thrown(() => buildTokenStore(PINNED.clientId, token));
    expect(error.code).toBe('bad_input');
    expect(error.message).toContain(message);
  });
});

describe('readTokenStore refusals', () => {
  const [clientA = '', clientB = ''] = CLIENT_IDS;

  it("a store of client A read as client B's: another client ID", () => {
    const error = thrown(() => readTokenStore(buildTokenStore(clientA, JWT_LIKE), clientB));
    expect(error.code).toBe('bad_input');
    expect(error.details?.problem).toBe('other_client');
    expect(error.message).toContain(`does not open with the password of OAuth client ${clientB}`);
    expect(error.message).toContain('written for another client ID');
    expect(error.message).toContain(`anaplan-setup oauth --client-id ${clientB}`);
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'damaged'],
    ['a cut-short file', buildTokenStore(clientA, JWT_LIKE).subarray(0, 200), 'damaged'],
    ['text', Buffer.from('not a keystore at all\n'), 'damaged'],
    ['a JKS keystore', Buffer.from('feedfeed000000020000000000000000', 'hex'), 'unsupported'],
  ])('%s: a clear error', (_label, bytes, problem) => {
    const error = thrown(() => readTokenStore(bytes, clientA));
    expect(error.code).toBe('bad_input');
    expect(error.details?.problem).toBe(problem);
    expect(error.message).toMatch(/^The token store ks_[0-9a-f]{64}\.jks /);
  });

  it('a flipped byte: the integrity check fails', () => {
    const bytes = buildTokenStore(clientA, JWT_LIKE);
    bytes[120] = (bytes[120] ?? 0) ^ 0x01;
    expect(thrown(() => readTokenStore(bytes, clientA)).details?.problem).toBe('other_client');
  });

  it('an entry under another alias: no refresh token for this client', () => {
    const bytes = writePkcs12SecretKey({ keyAlgorithmOid: '2.16.840.1.101.3.4.1', keyBytes: Buffer.from('dG9rZW4='), friendlyName: 'ks_other', localKeyId: Buffer.from('Time 1'), password: tokenStorePassword(clientA) });
    const error = thrown(() => readTokenStore(bytes, clientA));
    expect(error.details?.problem).toBe('no_token');
    expect(error.message).toContain(`holds no refresh token under the alias ${tokenStoreName(clientA)}`);
  });

  it('finds the alias case-insensitively, as the JDK does', () => {
    const bytes = writePkcs12SecretKey({ keyAlgorithmOid: '2.16.840.1.101.3.4.1', keyBytes: Buffer.from('dG9rZW4='), friendlyName: tokenStoreName(clientA).toUpperCase(), localKeyId: Buffer.from('Time 1'), password: tokenStorePassword(clientA) });
    expect(readTokenStore(bytes, clientA)).toBe('token');
  });

  it.each([
    ['not base64', 'dG9r ZW4=', 'not base64 text'],
    ['base64 with one character left over', 'dG9rZ', 'not base64 text'],
    ['wrong padding', 'dG9rZW=', 'not base64 text'],
    ['data after the padding', 'dG9rZW4=x', 'not base64 text'],
    ['not UTF-8', Buffer.from([0xff, 0xfe]).toString('base64'), 'not UTF-8'],
    ['empty', '', 'empty refresh token'],
  ])('key bytes %s: a clear error', (_label, keyText, message) => {
    const bytes = writePkcs12SecretKey({ keyAlgorithmOid: '2.16.840.1.101.3.4.1', keyBytes: Buffer.from(keyText, 'latin1'), friendlyName: tokenStoreName(clientA), localKeyId: Buffer.from('Time 1'), password: tokenStorePassword(clientA) });
    const error = thrown(() => readTokenStore(bytes, clientA));
    expect(error.message).toContain(message);
  });

  it('accepts base64 without padding, as Java\'s decoder does', () => {
    const bytes = writePkcs12SecretKey({ keyAlgorithmOid: '2.16.840.1.101.3.4.1', keyBytes: Buffer.from('dG9rZW4'), friendlyName: tokenStoreName(clientA), localKeyId: Buffer.from('Time 1'), password: tokenStorePassword(clientA) });
    expect(readTokenStore(bytes, clientA)).toBe('token');
  });

  it('the entry password differs from the store password: named as such', () => {
    // The MAC under the client's password, the entry encrypted under another one.
    const password = tokenStorePassword(clientA);
    const secretKeyInfo = toDer(sequence([integer(0), algorithm('2.16.840.1.101.3.4.1'), octetString(Buffer.from('dG9rZW4='))]));
    const { algorithmIdentifier, ciphertext } = encryptTripleDesPbe(secretKeyInfo, 'another password', 2048);
    const secretValue = sequence([oid(PKCS12_OID.pkcs8ShroudedKeyBag), contextConstructed(0, [octetString(toDer(sequence([algorithmIdentifier, octetString(ciphertext)])))])]);
    const attributes = set([sequence([oid(PKCS12_OID.friendlyName), set([utf8String(tokenStoreName(clientA))])])]);
    const safe = toDer(sequence([sequence([oid(SECRET_BAG_OID), contextConstructed(0, [secretValue]), attributes])]));
    const authenticatedSafe = toDer(sequence([sequence([oid(PKCS12_OID.data), contextConstructed(0, [octetString(safe)])])]));
    const salt = Buffer.alloc(20, 7);
    const macKey = pkcs12Kdf(digestByOid('1.3.14.3.2.26'), bmpPassword(password), salt, KDF_PURPOSE.mac, 2048, 20);
    const mac = createHmac('sha1', macKey).update(authenticatedSafe).digest();
    const pfx = toDer(
      sequence([integer(3), sequence([oid(PKCS12_OID.data), contextConstructed(0, [octetString(authenticatedSafe)])]), sequence([sequence([algorithm('1.3.14.3.2.26'), octetString(mac)]), octetString(salt), integer(2048)])]),
    );
    const error = thrown(() => readTokenStore(pfx, clientA));
    expect(error.details?.problem).toBe('damaged');
    expect(error.message).toContain('its entry has a password of its own');
  });
});

// ----- the JDK proof --------------------------------------------------------------------------

interface JavaRead {
  ok: boolean;
  algorithm: string;
  token: string;
  error: string;
}

const jdk: Jdk | null = findJdk();

describe.skipIf(jdk === null)(jdk ? 'a real JDK reads the store exactly as Anaplan Connect does' : 'JDK proof skipped: no java, javac and keytool in JAVA_HOME or on the PATH', () => {
  const java = jdk as Jdk;
  let classDir: string;

  beforeAll(async () => {
    classDir = join(work, 'probe');
    await mkdir(classDir);
    await writeFile(join(classDir, `${PROBE_CLASS}.java`), PROBE_SOURCE);
    execFileSync(java.javac, ['-d', classDir, join(classDir, `${PROBE_CLASS}.java`)], { stdio: 'pipe', timeout: 120_000 });
  });

  function runProbe(args: string[], options: { env?: NodeJS.ProcessEnv; javaOptions?: string[] } = {}): string[] {
    const output = execFileSync(java.java, [...(options.javaOptions ?? []), '-cp', classDir, PROBE_CLASS, ...args], { encoding: 'utf8', timeout: 120_000, env: options.env ?? process.env });
    return output.trimEnd().split('\n');
  }

  function parseRead(line: string): JavaRead {
    const [status = '', algorithm = '', token = ''] = line.split('\t');
    return status === 'OK' ? { ok: true, algorithm, token: Buffer.from(token, 'base64').toString('utf8'), error: '' } : { ok: false, algorithm: '', token: '', error: algorithm };
  }

  it('derives the same names and passwords as Anaplan Connect, for every client id', () => {
    const lines = runProbe(['derive', ...CLIENT_IDS]);
    expect(lines).toEqual(CLIENT_IDS.map((clientId) => `${tokenStoreName(clientId)}\t${tokenStorePassword(clientId)}`));
    expect(lines[1]).toBe(`${PINNED.name}\t${PINNED.password}`);
  });

  it('reads every token for every client id: KeyStore "JKS", load and getKey with the password, base64-decoded', async () => {
    const cases = TOKENS.flatMap(([label, token], t) => CLIENT_IDS.map((clientId, c) => ({ label, token, clientId, dir: join(work, 'read', `${t}-${c}`) })));
    for (const { token, clientId, dir } of cases) {
      const written = await writeTokenStore(dir, clientId, token, { overwrite: false });
      expect(written.status).toBe('created');
    }
    const results = runProbe(['read', ...cases.flatMap(({ dir, clientId }) => [dir, clientId])]).map(parseRead);
    expect(results).toHaveLength(cases.length);
    cases.forEach(({ label, token, clientId }, i) => {
      const result = results[i];
      expect(result, `${label}, client ${clientId}`).toEqual({ ok: true, algorithm: 'AES', token, error: '' });
    });
  });

  it('finds the store where Anaplan Connect looks: $AC_OAUTH_KEYSTORE_DIR, else user.home', async () => {
    const [clientId = ''] = CLIENT_IDS;
    const configured = join(work, 'configured dir');
    const home = join(work, 'home');
    await writeTokenStore(configured, clientId, 'from-the-variable', { overwrite: false });
    await writeTokenStore(home, clientId, 'from-the-home', { overwrite: false });
    const { AC_OAUTH_KEYSTORE_DIR: _ignored, ...without } = process.env;
    const viaVariable = runProbe(['readhome', clientId], { env: { ...without, AC_OAUTH_KEYSTORE_DIR: configured }, javaOptions: [`-Duser.home=${home}`] }).map(parseRead);
    const viaHome = runProbe(['readhome', clientId], { env: { ...without, AC_OAUTH_KEYSTORE_DIR: '  ' }, javaOptions: [`-Duser.home=${home}`] }).map(parseRead);
    expect(viaVariable[0]?.token).toBe('from-the-variable');
    expect(viaHome[0]?.token).toBe('from-the-home');
  });

  it("refuses a store of client A copied under client B's name, as our reader does", async () => {
    const [clientA = '', clientB = ''] = CLIENT_IDS;
    const dir = join(work, 'cross');
    const { path } = await writeTokenStore(dir, clientA, JWT_LIKE, { overwrite: false });
    await copyFile(path, join(dir, tokenStoreFileName(clientB)));
    const [result] = runProbe(['read', dir, clientB]).map(parseRead);
    expect(result?.ok).toBe(false);
    expect(result?.error).toMatch(/Integrity check failed|password was incorrect/);
    const copied = await readFile(join(dir, tokenStoreFileName(clientB)));
    expect(thrown(() => readTokenStore(copied, clientB)).details?.problem).toBe('other_client');
  });

  it('reads what Anaplan Connect itself writes (JDK 17: PBES2/AES-256, HMAC-SHA-256), and replaces it', async () => {
    const dir = join(work, 'anaplan-connect');
    await mkdir(dir);
    for (const [label, token] of TOKENS) {
      for (const clientId of CLIENT_IDS.slice(0, 2)) {
        expect(runProbe(['write', dir, clientId, Buffer.from(token, 'utf8').toString('base64')]), label).toEqual(['OK']);
        const path = join(dir, tokenStoreFileName(clientId));
        expect(readTokenStore(await readFile(path), clientId), label).toBe(token);
        // The same token: left alone; a new one (a re-registration): replaced, the old one kept.
        expect((await writeTokenStore(dir, clientId, token, { overwrite: false })).status).toBe('unchanged');
        expect((await writeTokenStore(dir, clientId, `${token}-next`, { overwrite: true })).status).toBe('replaced');
        expect(runProbe(['read', dir, clientId]).map(parseRead)[0]?.token, label).toBe(`${token}-next`);
        await rm(dir, { recursive: true });
        await mkdir(dir);
      }
    }
  });

  it('reads a store written by keytool -importpass (a PBE key whose encoded bytes are the base64 text)', async () => {
    for (const [label, token] of TOKENS) {
      const clientId = CLIENT_IDS[0] ?? '';
      const dir = await mkdtemp(join(work, 'keytool-'));
      const name = tokenStoreName(clientId);
      const password = tokenStorePassword(clientId);
      const base64 = Buffer.from(token, 'utf8').toString('base64');
      const result = spawnSync(java.keytool, ['-importpass', '-storetype', 'PKCS12', '-alias', name, '-storepass', password, '-keypass', password, '-keystore', join(dir, `${name}.jks`)], {
        input: `${base64}\n${base64}\n`,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(result.status, `${label}: ${result.stderr}`).toBe(0);
      const bytes = await readFile(join(dir, `${name}.jks`));
      expect(readPkcs12SecretKeys(bytes, password)[0]?.algorithmOid, label).toBe('1.2.840.113549.1.5.3');
      expect(readTokenStore(bytes, clientId), label).toBe(token);
      expect(runProbe(['read', dir, clientId]).map(parseRead)[0], label).toMatchObject({ ok: true, token });
    }
  });

  it('keytool lists the entry as a SecretKeyEntry, dated from its localKeyId', async () => {
    const clientId = CLIENT_IDS[0] ?? '';
    const path = join(work, 'list.jks');
    await writeFile(path, buildTokenStore(clientId, JWT_LIKE, new Date(Date.UTC(2026, 0, 15, 12))));
    const listed = spawnSync(java.keytool, ['-list', '-v', '-keystore', path, '-storepass', tokenStorePassword(clientId)], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`Alias name: ${tokenStoreName(clientId)}`);
    expect(listed.stdout).toContain('Entry type: SecretKeyEntry');
    expect(listed.stdout).toContain('Creation date: Jan 15, 2026');
    expect(ANAPLAN_CONNECT_TOKEN_STORE.keyAlgorithmOid).toBe('2.16.840.1.101.3.4.1');
  });
});
