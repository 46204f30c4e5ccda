import { createHash, createHmac, createPrivateKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { Asn1Error, type Tlv, Tag, TagClass, content, expect, explicit, is, oidOf, raw, readTlv, sequenceItems, smallIntegerOf, stringOf } from './asn1-reader.js';
import {
  DecryptionError,
  KDF_PURPOSE,
  MAX_ITERATIONS,
  UnsupportedAlgorithmError,
  bmpPassword,
  decryptWithPassword,
  derivationIterations,
  digestByOid,
  iterationsOf,
  pkcs12Kdf,
} from './pkcs12-crypto.js';

/**
 * Reads a PKCS#12 (.p12/.pfx) file: checks its MAC with the password, decrypts its safes and
 * key bags, and returns the keys and certificates with their friendlyName and localKeyId.
 * Certificates come back as the exact DER bytes stored in the file.
 */

export const PKCS12_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbmac1: '1.2.840.113549.1.5.14',
} as const;

export interface Pkcs12Attributes {
  friendlyName: string | null;
  localKeyId: Buffer | null;
}

export interface Pkcs12Key extends Pkcs12Attributes {
  key: KeyObject;
}

export interface Pkcs12Certificate extends Pkcs12Attributes {
  der: Buffer;
}

export interface Pkcs12Contents {
  keys: Pkcs12Key[];
  certificates: Pkcs12Certificate[];
}

export type Pkcs12Problem = 'wrong_password' | 'key_password_differs' | 'unsupported' | 'damaged';

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
  constructor(
    readonly problem: Pkcs12Problem,
    message: string,
  ) {
    super(message);
  }
}

/** PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData MacData OPTIONAL }. */
export function looksLikePkcs12(top: Tlv): boolean {
  try {
    const [version, authSafe] = sequenceItems(top, 'a PFX');
    return smallIntegerOf(version) === 3 && is(authSafe, Tag.sequence);
  } catch {
    return false;
  }
}

export function readPkcs12(bytes: Buffer, password: string): Pkcs12Contents {
  return asPkcs12Error(() => readPfx(bytes, password));
}

/** Runs read, turning what the ASN.1 reader and the ciphers throw into the Pkcs12Error it means. */
function asPkcs12Error<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Pkcs12Error) throw error;
    if (error instanceof UnsupportedAlgorithmError) {
      throw new Pkcs12Error('unsupported', `it uses ${error.message}, which this assistant does not read`);
    }
    if (error instanceof Asn1Error) throw new Pkcs12Error('damaged', `it is damaged or cut short (${error.message})`);
    throw error;
  }
}

function readPfx(bytes: Buffer, password: string): Pkcs12Contents {
  const contents: Pkcs12Contents = { keys: [], certificates: [] };
  const unlocking = new Unlocking(password);
  forEachSafe(bytes, unlocking, (safeContents, macVerified) => readSafeContents(safeContents, unlocking, macVerified, contents));
  return contents;
}

/**
 * A keystore needs a MAC and a few decryptions (a safe, a key or two). A file of thousands of
 * bags, each asking for thousands of rounds, would keep the assistant busy for minutes: what
 * one file may make us derive from its password is limited, in count and in rounds in all.
 */
const MAX_DERIVATIONS = 32;

/** The file password, and what the file has made us derive from it so far. */
class Unlocking {
  private derivations = 0;
  private rounds = 0;
  constructor(readonly password: string) {}

  /** Counts one derivation of `iterations` rounds; throws UnsupportedAlgorithmError past the limits. */
  spend(iterations: number): void {
    this.derivations += 1;
    this.rounds += iterations;
    if (this.derivations > MAX_DERIVATIONS || this.rounds > MAX_ITERATIONS) {
      throw new UnsupportedAlgorithmError(
        `more password-based decryption than a keystore needs (over ${MAX_DERIVATIONS} decryptions, or over ${MAX_ITERATIONS.toLocaleString('en')} rounds in all)`,
      );
    }
  }

  /** spend() for the scheme of algorithmIdentifier; damaged parameters are left to decryptWithPassword to report. */
  spendOn(algorithmIdentifier: Tlv): void {
    let iterations = 0;
    try {
      iterations = derivationIterations(algorithmIdentifier);
    } catch (error) {
      if (!(error instanceof Asn1Error)) throw error;
    }
    this.spend(iterations);
  }
}

/** Checks the PFX's MAC (when it has one) and hands each safe it opens to read, with whether the MAC was checked. */
function forEachSafe(bytes: Buffer, unlocking: Unlocking, read: (safeContents: Buffer, macVerified: boolean) => void): void {
  const [, authSafe, macData] = sequenceItems(readTlv(bytes), 'a PFX');
  const [contentType, wrapped] = sequenceItems(authSafe, 'the authenticated safe');
  if (oidOf(contentType) !== PKCS12_OID.data) {
    throw new Pkcs12Error('unsupported', 'it is protected with public-key integrity (a signature) rather than a password, which this assistant does not read');
  }
  const authenticatedSafe = content(expect(explicit(wrapped, 0, 'the authenticated safe content'), Tag.octetString, 'the authenticated safe octets'));
  const macVerified = macData ? verifyMac(macData, authenticatedSafe, unlocking) : false;

  for (const contentInfo of sequenceItems(readTlv(authenticatedSafe), 'the safe list')) {
    const safeContents = openSafe(contentInfo, unlocking);
    try {
      if (safeContents) read(safeContents, macVerified);
    } catch (error) {
      // Without a MAC, a wrong password can decrypt to garbage that happens to end in valid padding.
      if (!macVerified && error instanceof Asn1Error) throw new Pkcs12Error('wrong_password', 'the password is wrong (or the file is damaged)');
      throw error;
    }
  }
}

/** MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }. */
function verifyMac(macData: Tlv, authenticatedSafe: Buffer, unlocking: Unlocking): true {
  const [digestInfo, salt, iterationsTlv] = sequenceItems(macData, 'the MAC data');
  const [digestAlgorithm, expected] = sequenceItems(digestInfo, 'the MAC');
  const digestOid = oidOf(sequenceItems(digestAlgorithm, 'the MAC algorithm')[0]);
  if (digestOid === PKCS12_OID.pbmac1) {
    throw new UnsupportedAlgorithmError('a PBMAC1 integrity check (OpenSSL 3.4 and later with -pbmac1_pbkdf2)');
  }
  const digest = digestByOid(digestOid);
  const iterations = iterationsTlv ? iterationsOf(iterationsTlv) : 1;
  const expectedMac = content(expect(expected, Tag.octetString, 'the MAC value'));
  const saltBytes = content(expect(salt, Tag.octetString, 'the MAC salt'));
  // The MAC key is as long as the digest (RFC 7292 B.2), whatever length the stored MAC claims.
  const outputBytes = createHash(digest.name).digest().length;
  if (expectedMac.length !== outputBytes) throw new Asn1Error(`a ${expectedMac.length}-byte integrity check value where ${digest.name} gives ${outputBytes}`);
  // Tools disagree on how to encode an empty password (two zero bytes, or no bytes at all).
  const { password } = unlocking;
  const candidates = password === '' ? [bmpPassword(''), Buffer.alloc(0)] : [bmpPassword(password)];
  for (const candidate of candidates) {
    unlocking.spend(iterations);
    const key = pkcs12Kdf(digest, candidate, saltBytes, KDF_PURPOSE.mac, iterations, outputBytes);
    const mac = createHmac(digest.name, key).update(authenticatedSafe).digest();
    if (mac.length === expectedMac.length && timingSafeEqual(mac, expectedMac)) return true;
  }
  throw new Pkcs12Error('wrong_password', 'the password is wrong (the integrity check failed)');
}

/** ContentInfo: data (SafeContents as is), encryptedData (decrypted), envelopedData (not read). */
function openSafe(contentInfo: Tlv, unlocking: Unlocking): Buffer | null {
  const [contentType, wrapped] = sequenceItems(contentInfo, 'a safe');
  switch (oidOf(contentType)) {
    case PKCS12_OID.data:
      return content(expect(explicit(wrapped, 0, 'safe data'), Tag.octetString, 'safe data octets'));
    case PKCS12_OID.encryptedData: {
      // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { contentType, algorithm, [0] IMPLICIT encryptedContent } }
      const [, encryptedContentInfo] = sequenceItems(explicit(wrapped, 0, 'encrypted data'), 'encrypted data');
      const [, algorithmIdentifier, encrypted] = sequenceItems(encryptedContentInfo, 'encrypted content info');
      if (!algorithmIdentifier || !is(encrypted, 0, TagClass.context)) throw new Asn1Error('encrypted safe without content');
      return decrypt(algorithmIdentifier, content(encrypted), unlocking, 'wrong_password');
    }
    case PKCS12_OID.envelopedData:
      throw new UnsupportedAlgorithmError('a public-key encrypted safe (envelopedData)');
    default:
      return null;
  }
}

function decrypt(algorithmIdentifier: Tlv, ciphertext: Buffer, unlocking: Unlocking, problem: Pkcs12Problem): Buffer {
  unlocking.spendOn(algorithmIdentifier);
  try {
    return decryptWithPassword(algorithmIdentifier, ciphertext, unlocking.password);
  } catch (error) {
    if (error instanceof DecryptionError) {
      throw passwordProblem(problem, 'private key');
    }
    throw error;
  }
}

/** The error for a key that does not open with the password: wrong, or the key has a password of its own. */
function passwordProblem(problem: Pkcs12Problem, what: 'private key' | 'secret key'): Pkcs12Error {
  return new Pkcs12Error(problem, problem === 'key_password_differs' ? `the ${what} has a password of its own, different from the file password` : 'the password is wrong');
}

/** The MAC proved the file password right: a key that does not open with it has a password of its own. */
function keyProblem(macVerified: boolean): Pkcs12Problem {
  return macVerified ? 'key_password_differs' : 'wrong_password';
}

/**
 * Hands each SafeBag of safeContents (bagId, bag value, attributes) to visit, and reads nested
 * SafeContents bags the same way (after visiting them), at most four deep.
 */
function forEachBag(safeContents: Buffer, visit: (bagId: Tlv | undefined, value: Tlv, attributesTlv: Tlv | undefined) => void, depth = 0): void {
  if (depth > 4) throw new Asn1Error('safe bags nested too deeply');
  for (const bag of sequenceItems(readTlv(safeContents), 'the safe contents')) {
    const [bagId, wrapped, attributesTlv] = sequenceItems(bag, 'a safe bag');
    const value = explicit(wrapped, 0, 'a bag value');
    visit(bagId, value, attributesTlv);
    if (oidOf(bagId) === PKCS12_OID.safeContentsBag) forEachBag(raw(value), visit, depth + 1);
  }
}

/** SafeContents ::= SEQUENCE OF SafeBag { bagId, [0] EXPLICIT bagValue, bagAttributes SET OPTIONAL }. */
function readSafeContents(safeContents: Buffer, unlocking: Unlocking, macVerified: boolean, into: Pkcs12Contents): void {
  forEachBag(safeContents, (bagId, value, attributesTlv) => {
    const attributes = readAttributes(attributesTlv);
    switch (oidOf(bagId)) {
      case PKCS12_OID.keyBag:
        into.keys.push({ ...attributes, key: privateKeyFromInfo(raw(value)) });
        break;
      case PKCS12_OID.pkcs8ShroudedKeyBag: {
        const [algorithmIdentifier, encrypted] = sequenceItems(value, 'an encrypted private key');
        if (!algorithmIdentifier) throw new Asn1Error('encrypted private key without algorithm');
        const problem = keyProblem(macVerified);
        const info = decrypt(algorithmIdentifier, content(expect(encrypted, Tag.octetString, 'encrypted key octets')), unlocking, problem);
        into.keys.push({ ...attributes, key: privateKeyFromDecrypted(info, problem) });
        break;
      }
      case PKCS12_OID.certBag: {
        const [certType, certValue] = sequenceItems(value, 'a certificate bag');
        if (oidOf(certType) !== PKCS12_OID.x509Certificate) break;
        into.certificates.push({ ...attributes, der: content(expect(explicit(certValue, 0, 'a certificate'), Tag.octetString, 'certificate octets')) });
        break;
      }
      default:
        // Nested safe contents (forEachBag reads them), CRL bags, secret bags: not needed here.
        break;
    }
  });
}

function readAttributes(attributesTlv: Tlv | undefined): Pkcs12Attributes {
  const attributes: Pkcs12Attributes = { friendlyName: null, localKeyId: null };
  if (!attributesTlv) return attributes;
  for (const attribute of sequenceItems(attributesTlv, 'bag attributes')) {
    const [type, values] = sequenceItems(attribute, 'a bag attribute');
    const [first] = sequenceItems(values, 'attribute values');
    if (!first) continue;
    const id = oidOf(type);
    if (id === PKCS12_OID.friendlyName) attributes.friendlyName = stringOf(first);
    else if (id === PKCS12_OID.localKeyId) attributes.localKeyId = Buffer.from(content(first));
  }
  return attributes;
}

/** A wrong password can decrypt to garbage with valid padding (about 1 time in 256): that is a wrong password too. */
function privateKeyFromDecrypted(privateKeyInfo: Buffer, problem: Pkcs12Problem): KeyObject {
  try {
    return createPrivateKey({ key: privateKeyInfo, format: 'der', type: 'pkcs8' });
  } catch {
    throw passwordProblem(problem, 'private key');
  }
}

function privateKeyFromInfo(privateKeyInfo: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: privateKeyInfo, format: 'der', type: 'pkcs8' });
  } catch {
    throw new Asn1Error('a private key that cannot be read');
  }
}

/**
 * SecretBag (RFC 7292 §4.2.5). The JDK stores a secret key (KeyStore.SecretKeyEntry) as one:
 * SecretBag ::= SEQUENCE { secretTypeId (the JDK writes pkcs8ShroudedKeyBag), secretValue [0] EXPLICIT
 * OCTET STRING holding an EncryptedPrivateKeyInfo }, whose plaintext is PKCS#8-like:
 * SEQUENCE { version 0, AlgorithmIdentifier of the key's algorithm, OCTET STRING key bytes }.
 */
export const SECRET_BAG_OID = '1.2.840.113549.1.12.10.1.5';

export interface Pkcs12SecretKey extends Pkcs12Attributes {
  /** The key algorithm's OID ("AES": 2.16.840.1.101.3.4.1; keytool -importpass: pbeWithMD5AndDES-CBC). */
  algorithmOid: string;
  /** What Java's Key.getEncoded() returns for the entry (for a PBE key: the password as ASCII bytes). */
  keyBytes: Buffer;
}

/**
 * The secret-key entries of a PKCS#12 file, read the way the JDK's PKCS12 KeyStore reads them
 * (the key password must be the file password). Private keys and certificates are not returned:
 * readPkcs12 reads those.
 */
export function readPkcs12SecretKeys(bytes: Buffer, password: string): Pkcs12SecretKey[] {
  return asPkcs12Error(() => readPfxSecretKeys(bytes, password));
}

function readPfxSecretKeys(bytes: Buffer, password: string): Pkcs12SecretKey[] {
  const secretKeys: Pkcs12SecretKey[] = [];
  const unlocking = new Unlocking(password);
  forEachSafe(bytes, unlocking, (safeContents, macVerified) => readSecretBags(safeContents, unlocking, macVerified, secretKeys));
  return secretKeys;
}

function readSecretBags(safeContents: Buffer, unlocking: Unlocking, macVerified: boolean, into: Pkcs12SecretKey[]): void {
  forEachBag(safeContents, (bagId, value, attributesTlv) => {
    if (oidOf(bagId) !== SECRET_BAG_OID) return;
    // Like the JDK: exactly { secretTypeId, [0] OCTET STRING }, secretTypeId not looked at.
    const items = sequenceItems(value, 'a secret bag');
    if (items.length !== 2) throw new Asn1Error('a secret bag of the wrong length');
    const octets = content(expect(explicit(items[1], 0, 'a secret value'), Tag.octetString, 'secret value octets'));
    const [algorithmIdentifier, encrypted] = sequenceItems(readTlv(octets), 'an encrypted secret key');
    if (!algorithmIdentifier) throw new Asn1Error('encrypted secret key without algorithm');
    const problem = keyProblem(macVerified);
    const info = decrypt(algorithmIdentifier, content(expect(encrypted, Tag.octetString, 'encrypted secret key octets')), unlocking, problem);
    into.push({ ...readAttributes(attributesTlv), ...secretKeyFromDecrypted(info, problem) });
  });
}

/** SEQUENCE { INTEGER, SEQUENCE { OID, parameters OPTIONAL }, OCTET STRING }; garbage means a wrong password. */
function secretKeyFromDecrypted(info: Buffer, problem: Pkcs12Problem): { algorithmOid: string; keyBytes: Buffer } {
  try {
    const [version, algorithmIdentifier, keyOctets] = sequenceItems(readTlv(info), 'a secret key');
    smallIntegerOf(version);
    const algorithmItems = sequenceItems(algorithmIdentifier, 'a secret key algorithm');
    if (algorithmItems.length < 1 || algorithmItems.length > 2) throw new Asn1Error('a secret key algorithm of the wrong length');
    return { algorithmOid: oidOf(algorithmItems[0]), keyBytes: Buffer.from(content(expect(keyOctets, Tag.octetString, 'secret key octets'))) };
  } catch (error) {
    if (!(error instanceof Asn1Error)) throw error;
    throw passwordProblem(problem, 'secret key');
  }
}
