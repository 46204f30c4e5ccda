import { createHash, createHmac, type KeyObject, randomBytes } from 'node:crypto';
import forge from './forge.js';
import { type Asn1, algorithm, contextConstructed, integer, octetString, oid, sequence, set, toDer } from './der.js';
import { KDF_PURPOSE, bmpPassword, digestByOid, encryptTripleDesPbe, pkcs12Kdf } from './pkcs12-crypto.js';
import { PKCS12_OID, SECRET_BAG_OID } from './pkcs12-read.js';

/**
 * Writes a PKCS#12 file the way every JDK from 8u60 reads it (anaplan-facts §5 and §7): one
 * private key entry, its key bag encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC under the file
 * password (so the key password equals the store password), the certificates in an
 * unencrypted safe (they are public: the leaf is uploaded to Anaplan anyway), and an HMAC-SHA1
 * MAC. Not OpenSSL 3's defaults (PBES2/AES, HMAC-SHA-256), which Java before 8u301 reports as
 * "keystore password was incorrect".
 */

/**
 * Key derivation rounds for the key bag and the MAC. OpenSSL's -legacy writes 2,048; JDK 12 and
 * later write 10,000. Every JDK reads either; more rounds slow down guessing a stolen file's password.
 */
export const PKCS12_ITERATIONS = 10_000;

const SHA1_OID = '1.3.14.3.2.26';
const PFX_VERSION = 3;

export interface Pkcs12KeyEntry {
  privateKey: KeyObject;
  /** DER of the leaf first, then the rest of the chain. */
  certificates: Buffer[];
  friendlyName: string;
  password: string;
}

export function writePkcs12(entry: Pkcs12KeyEntry): Buffer {
  const [leaf, ...chain] = entry.certificates;
  if (!leaf) throw new Error('writePkcs12 needs at least the leaf certificate');
  // localKeyId links the key to its certificate; OpenSSL uses the SHA-1 of the certificate, as here.
  const localKeyId = createHash('sha1').update(leaf).digest();
  const attributes = bagAttributes(entry.friendlyName, localKeyId);

  const certificateBags = [certificateBag(leaf, attributes), ...chain.map((der) => certificateBag(der, null))];
  const keyBag = shroudedKeyBag(entry.privateKey, entry.password, attributes);
  const authenticatedSafe = toDer(sequence([dataContentInfo(toDer(sequence(certificateBags))), dataContentInfo(toDer(sequence([keyBag])))]));

  return toDer(sequence([integer(PFX_VERSION), dataContentInfo(authenticatedSafe), macData(authenticatedSafe, entry.password)]));
}

function bagAttributes(friendlyName: string, localKeyId: Buffer): Asn1 {
  return set([
    sequence([oid(PKCS12_OID.friendlyName), set([bmpString(friendlyName)])]),
    sequence([oid(PKCS12_OID.localKeyId), set([octetString(localKeyId)])]),
  ]);
}

function certificateBag(der: Buffer, attributes: Asn1 | null): Asn1 {
  const value = sequence([oid(PKCS12_OID.x509Certificate), contextConstructed(0, [octetString(der)])]);
  return sequence([oid(PKCS12_OID.certBag), contextConstructed(0, [value]), ...(attributes ? [attributes] : [])]);
}

function shroudedKeyBag(privateKey: KeyObject, password: string, attributes: Asn1): Asn1 {
  const privateKeyInfo = privateKey.export({ type: 'pkcs8', format: 'der' });
  const { algorithmIdentifier, ciphertext } = encryptTripleDesPbe(privateKeyInfo, password, PKCS12_ITERATIONS);
  const encryptedPrivateKeyInfo = sequence([algorithmIdentifier, octetString(ciphertext)]);
  return sequence([oid(PKCS12_OID.pkcs8ShroudedKeyBag), contextConstructed(0, [encryptedPrivateKeyInfo]), attributes]);
}

function dataContentInfo(der: Buffer): Asn1 {
  return sequence([oid(PKCS12_OID.data), contextConstructed(0, [octetString(der)])]);
}

function macData(authenticatedSafe: Buffer, password: string): Asn1 {
  const salt = randomBytes(20);
  const sha1 = digestByOid(SHA1_OID);
  const key = pkcs12Kdf(sha1, bmpPassword(password), salt, KDF_PURPOSE.mac, PKCS12_ITERATIONS, 20);
  const mac = createHmac('sha1', key).update(authenticatedSafe).digest();
  return sequence([sequence([algorithm(SHA1_OID), octetString(mac)]), octetString(salt), integer(PKCS12_ITERATIONS)]);
}

/** BMPString (UTF-16 big-endian), how PKCS#12 stores friendlyName: forge writes each UTF-16 code unit as two bytes. */
function bmpString(text: string): Asn1 {
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BMPSTRING, false, text);
}

export interface Pkcs12SecretKeyEntry {
  /** The OID of the key's algorithm as the JDK writes it (AlgorithmId.get("AES"): 2.16.840.1.101.3.4.1). */
  keyAlgorithmOid: string;
  /** What Java's Key.getEncoded() will return. */
  keyBytes: Uint8Array;
  friendlyName: string;
  /** The JDK writes "Time <milliseconds since 1970>" in UTF-8, and reads the entry's creation date back from it. */
  localKeyId: Buffer;
  password: string;
}

/**
 * A PKCS#12 file holding one secret key, laid out as the JDK's PKCS12 KeyStore stores a
 * KeyStore.SecretKeyEntry (see SECRET_BAG_OID in pkcs12-read.ts), with the algorithms every JDK
 * from 8u60 reads: the secret encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC under the file
 * password (the entry password equals the store password), one unencrypted safe, HMAC-SHA1 MAC.
 */
export function writePkcs12SecretKey(entry: Pkcs12SecretKeyEntry): Buffer {
  const secretKeyInfo = toDer(sequence([integer(0), algorithm(entry.keyAlgorithmOid), octetString(entry.keyBytes)]));
  const { algorithmIdentifier, ciphertext } = encryptTripleDesPbe(secretKeyInfo, entry.password, PKCS12_ITERATIONS);
  const encryptedInfo = toDer(sequence([algorithmIdentifier, octetString(ciphertext)]));
  const secretValue = sequence([oid(PKCS12_OID.pkcs8ShroudedKeyBag), contextConstructed(0, [octetString(encryptedInfo)])]);
  const secretBag = sequence([oid(SECRET_BAG_OID), contextConstructed(0, [secretValue]), bagAttributes(entry.friendlyName, entry.localKeyId)]);
  const authenticatedSafe = toDer(sequence([dataContentInfo(toDer(sequence([secretBag])))]));
  return toDer(sequence([integer(PFX_VERSION), dataContentInfo(authenticatedSafe), macData(authenticatedSafe, entry.password)]));
}
