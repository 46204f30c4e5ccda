import { createCipheriv, createDecipheriv, createHash, hash, pbkdf2Sync, randomBytes } from 'node:crypto';
import forge from './forge.js';
import { iterateSha1 } from './iterated-sha1.js';
import { type Tlv, Tag, content, expect, oidOf, sequenceItems, smallIntegerOf } from './asn1-reader.js';
import { type Asn1, algorithm, integer, octetString, sequence } from './der.js';

/**
 * Password-based encryption as PKCS#12 files use it (RFC 7292 and RFC 8018), on node:crypto:
 * - PBES2 (PBKDF2 + AES-CBC or 3DES), what OpenSSL 3 writes by default;
 * - the PKCS#12 PBE schemes (SHA-1 key derivation + 3DES or RC2), what OpenSSL's -legacy,
 *   Windows and older Java write, and what every JDK from 8u60 reads (anaplan-facts §7).
 * RC2 is only in OpenSSL 3's legacy provider, which Node does not load: node-forge's RC2 is
 * used for that one cipher.
 */

export const PBE_OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeWithSha1And128BitRc4: '1.2.840.113549.1.12.1.1',
  pbeWithSha1And40BitRc4: '1.2.840.113549.1.12.1.2',
  pbeWithSha1And3KeyTripleDesCbc: '1.2.840.113549.1.12.1.3',
  pbeWithSha1And2KeyTripleDesCbc: '1.2.840.113549.1.12.1.4',
  pbeWithSha1And128BitRc2Cbc: '1.2.840.113549.1.12.1.5',
  pbeWithSha1And40BitRc2Cbc: '1.2.840.113549.1.12.1.6',
} as const;

/** Digest algorithms by OID (MACs and PBKDF2 PRFs). */
const DIGESTS: Readonly<Record<string, { name: string; blockBytes: number }>> = {
  '1.3.14.3.2.26': { name: 'sha1', blockBytes: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', blockBytes: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', blockBytes: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', blockBytes: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', blockBytes: 128 },
};

const PRFS: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

const PBES2_CIPHERS: Readonly<Record<string, { name: string; keyBytes: number }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyBytes: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyBytes: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyBytes: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyBytes: 24 },
};

/** Thrown when a file uses an algorithm we do not read; the message names it. */
export class UnsupportedAlgorithmError extends Error {
  override readonly name = 'UnsupportedAlgorithmError';
}

/** Thrown when decryption fails: in practice, a wrong password. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

/**
 * Files state their own iteration counts; a hostile one could ask for billions and hang the app.
 * Tools write 1 to 600,000; Java refuses more than 5,000,000, and so does this.
 */
export const MAX_ITERATIONS = 5_000_000;

export function iterationsOf(tlv: Tlv | undefined): number {
  const iterations = smallIntegerOf(tlv);
  if (iterations < 1 || iterations > MAX_ITERATIONS) throw new UnsupportedAlgorithmError(`an iteration count of ${iterations} (at most ${MAX_ITERATIONS.toLocaleString('en')} is read)`);
  return iterations;
}

const SCRYPT_OID = '1.3.6.1.4.1.11591.4.11';

/**
 * The iteration count a password-based scheme asks for, read before any work is done: PBES2 with
 * PBKDF2, and PBES1 and the PKCS#12 PBE schemes (parameters { salt, iterations }). Throws
 * UnsupportedAlgorithmError past MAX_ITERATIONS and for other key derivations (scrypt: its cost
 * has no such bound), Asn1Error when the parameters are damaged.
 */
export function derivationIterations(algorithmIdentifier: Tlv | undefined): number {
  const [algorithmOid, parameters] = sequenceItems(algorithmIdentifier, 'an encryption algorithm');
  if (oidOf(algorithmOid) !== PBE_OID.pbes2) return iterationsOf(sequenceItems(parameters, 'PBE parameters')[1]);
  const [kdf] = sequenceItems(parameters, 'PBES2 parameters');
  const [kdfOid, kdfParameters] = sequenceItems(kdf, 'a key derivation function');
  const kdfId = oidOf(kdfOid);
  if (kdfId !== PBE_OID.pbkdf2) throw new UnsupportedAlgorithmError(`a key derivation other than PBKDF2 (${kdfId === SCRYPT_OID ? 'scrypt' : kdfId})`);
  return iterationsOf(sequenceItems(kdfParameters, 'PBKDF2 parameters')[1]);
}

export function digestByOid(digestOid: string): { name: string; blockBytes: number } {
  const digest = DIGESTS[digestOid];
  if (!digest) throw new UnsupportedAlgorithmError(`digest algorithm ${digestOid}`);
  return digest;
}

/** A PKCS#12 password as BMPString: UTF-16 big-endian with two zero bytes at the end (RFC 7292 B.1). */
export function bmpPassword(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
}

export const KDF_PURPOSE = { key: 1, iv: 2, mac: 3 } as const;

/** The PKCS#12 key derivation function (RFC 7292 appendix B.2). `password` is already BMP-encoded. */
export function pkcs12Kdf(digest: { name: string; blockBytes: number }, password: Buffer, salt: Buffer, purpose: number, iterations: number, length: number): Buffer {
  const v = digest.blockBytes;
  const diversifier = Buffer.alloc(v, purpose);
  const stretch = (input: Buffer): Buffer => {
    if (input.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(input.length / v));
    for (let i = 0; i < out.length; i++) out[i] = input[i % input.length] ?? 0;
    return out;
  };
  const block = Buffer.concat([stretch(salt), stretch(password)]);
  const parts: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    const first = createHash(digest.name).update(diversifier).update(block).digest();
    const a = iterateDigest(digest.name, first, iterations - 1);
    parts.push(a);
    produced += a.length;
    if (produced >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, B being A repeated to v bytes.
    const b = Buffer.alloc(v);
    for (let i = 0; i < v; i++) b[i] = a[i % a.length] ?? 0;
    for (let offset = 0; offset < block.length; offset += v) {
      let carry = 1;
      for (let i = v - 1; i >= 0; i--) {
        const sum = (block[offset + i] ?? 0) + (b[i] ?? 0) + carry;
        block[offset + i] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(parts).subarray(0, length);
}

/** The digest applied `rounds` more times: SHA-1 (every legacy keystore) in-process, others through OpenSSL. */
function iterateDigest(name: string, digest: Buffer, rounds: number): Buffer {
  if (name === 'sha1') return iterateSha1(digest, rounds);
  let a = digest;
  for (let round = 0; round < rounds; round++) a = hash(name, a, 'buffer');
  return a;
}

/** Decrypts data protected by the password-based scheme in `algorithmIdentifier`. */
export function decryptWithPassword(algorithmIdentifier: Tlv, ciphertext: Buffer, password: string): Buffer {
  const [algorithmOid, parameters] = sequenceItems(algorithmIdentifier, 'an encryption algorithm');
  const id = oidOf(algorithmOid);
  if (id === PBE_OID.pbes2) return decryptPbes2(parameters, ciphertext, password);
  const pkcs12Cipher = PKCS12_PBE_CIPHERS[id];
  if (!pkcs12Cipher) throw new UnsupportedAlgorithmError(PKCS12_PBE_NAMES[id] ?? `encryption algorithm ${id}`);
  const [salt, iterations] = sequenceItems(parameters, 'PKCS#12 PBE parameters');
  const saltBytes = content(expect(salt, Tag.octetString, 'a salt'));
  const rounds = iterationsOf(iterations);
  const sha1 = digestByOid('1.3.14.3.2.26');
  const bmp = bmpPassword(password);
  const key = pkcs12Kdf(sha1, bmp, saltBytes, KDF_PURPOSE.key, rounds, pkcs12Cipher.keyBytes);
  const iv = pkcs12Kdf(sha1, bmp, saltBytes, KDF_PURPOSE.iv, rounds, 8);
  return pkcs12Cipher.rc2Bits ? decryptRc2(key, iv, ciphertext, pkcs12Cipher.rc2Bits) : decryptNode(pkcs12Cipher.name, key, iv, ciphertext);
}

const PKCS12_PBE_CIPHERS: Readonly<Record<string, { name: string; keyBytes: number; rc2Bits?: number }>> = {
  [PBE_OID.pbeWithSha1And3KeyTripleDesCbc]: { name: 'des-ede3-cbc', keyBytes: 24 },
  [PBE_OID.pbeWithSha1And2KeyTripleDesCbc]: { name: 'des-ede-cbc', keyBytes: 16 },
  [PBE_OID.pbeWithSha1And128BitRc2Cbc]: { name: 'rc2-cbc', keyBytes: 16, rc2Bits: 128 },
  [PBE_OID.pbeWithSha1And40BitRc2Cbc]: { name: 'rc2-40-cbc', keyBytes: 5, rc2Bits: 40 },
};

const PKCS12_PBE_NAMES: Readonly<Record<string, string>> = {
  [PBE_OID.pbeWithSha1And128BitRc4]: 'pbeWithSHAAnd128BitRC4',
  [PBE_OID.pbeWithSha1And40BitRc4]: 'pbeWithSHAAnd40BitRC4',
};

/** PBES2-params ::= SEQUENCE { keyDerivationFunc (PBKDF2), encryptionScheme }. */
function decryptPbes2(parameters: Tlv | undefined, ciphertext: Buffer, password: string): Buffer {
  const [kdf, scheme] = sequenceItems(parameters, 'PBES2 parameters');
  const [kdfOid, kdfParameters] = sequenceItems(kdf, 'a key derivation function');
  if (oidOf(kdfOid) !== PBE_OID.pbkdf2) throw new UnsupportedAlgorithmError(`key derivation ${oidOf(kdfOid)} (only PBKDF2 is read)`);
  const [salt, iterations, ...rest] = sequenceItems(kdfParameters, 'PBKDF2 parameters');
  const prfTlv = rest.find((item) => item.tagNumber === Tag.sequence);
  const prfOid = prfTlv ? oidOf(sequenceItems(prfTlv, 'a PRF')[0]) : '1.2.840.113549.2.7';
  const prf = PRFS[prfOid];
  if (!prf) throw new UnsupportedAlgorithmError(`PBKDF2 PRF ${prfOid}`);
  const [cipherOid, ivTlv] = sequenceItems(scheme, 'an encryption scheme');
  const cipher = PBES2_CIPHERS[oidOf(cipherOid)];
  if (!cipher) throw new UnsupportedAlgorithmError(`PBES2 cipher ${oidOf(cipherOid)}`);
  // OpenSSL hands PBKDF2 the password's bytes as typed (UTF-8), not the BMPString of B.1.
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), content(expect(salt, Tag.octetString, 'a salt')), iterationsOf(iterations), cipher.keyBytes, prf);
  return decryptNode(cipher.name, key, content(expect(ivTlv, Tag.octetString, 'an IV')), ciphertext);
}

function decryptNode(cipherName: string, key: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  let decipher;
  try {
    decipher = createDecipheriv(cipherName, key, iv);
  } catch {
    throw new UnsupportedAlgorithmError(`${cipherName} (not available in this runtime's crypto library)`);
  }
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError('decryption failed');
  }
}

function decryptRc2(key: Buffer, iv: Buffer, ciphertext: Buffer, effectiveBits: number): Buffer {
  const cipher = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), effectiveBits);
  cipher.start(forge.util.createBuffer(iv.toString('binary')));
  cipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  if (!cipher.finish()) throw new DecryptionError('decryption failed');
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

export interface Pkcs12PbeEncryption {
  algorithmIdentifier: Asn1;
  ciphertext: Buffer;
}

/**
 * pbeWithSHAAnd3-KeyTripleDES-CBC: the key bag encryption every JDK from 8u60 reads
 * (OpenSSL 3's PBES2/AES default is what old Java misreads as a wrong password, anaplan-facts §7).
 */
export function encryptTripleDesPbe(plaintext: Buffer, password: string, iterations: number): Pkcs12PbeEncryption {
  const salt = randomBytes(20);
  const sha1 = digestByOid('1.3.14.3.2.26');
  const bmp = bmpPassword(password);
  const key = pkcs12Kdf(sha1, bmp, salt, KDF_PURPOSE.key, iterations, 24);
  const iv = pkcs12Kdf(sha1, bmp, salt, KDF_PURPOSE.iv, iterations, 8);
  const cipher = createCipheriv('des-ede3-cbc', key, iv);
  return {
    algorithmIdentifier: algorithm(PBE_OID.pbeWithSha1And3KeyTripleDesCbc, sequence([octetString(salt), integer(iterations)])),
    ciphertext: Buffer.concat([cipher.update(plaintext), cipher.final()]),
  };
}

