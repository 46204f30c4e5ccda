import { createCipheriv, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { algorithm, integer, octetString, oid, sequence, toDer } from './der.js';

/**
 * PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018): PBKDF2 with an HMAC-SHA-256 PRF, and
 * AES-256-CBC. That is the structure OpenSSL 3 writes and Anaplan Connect reads (anaplan-facts §5).
 * Built here rather than by KeyObject.export: there the crypto library behind node:crypto picks
 * the PRF and iteration count, and Electron's main process runs on BoringSSL, not OpenSSL.
 */

export const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
} as const;

/**
 * OpenSSL 3.0 writes 2048 iterations; more make guessing the passphrase of a stolen key file
 * slower at a one-off cost of some milliseconds here and in each Anaplan Connect run.
 */
export const PBKDF2_ITERATIONS = 100_000;

const SALT_BYTES = 16;
const AES_256_KEY_BYTES = 32;
const AES_BLOCK_BYTES = 16;

const pbkdf2Async = promisify(pbkdf2);

interface Pbes2Parameters {
  salt: Buffer;
  iv: Buffer;
  iterations: number;
}

function freshParameters(): Pbes2Parameters {
  return { salt: randomBytes(SALT_BYTES), iv: randomBytes(AES_BLOCK_BYTES), iterations: PBKDF2_ITERATIONS };
}

/** Encrypts a PKCS#8 PrivateKeyInfo (DER); returns the EncryptedPrivateKeyInfo DER. Blocks for the PBKDF2 time. */
export function encryptPrivateKeyInfo(privateKeyInfo: Uint8Array, passphrase: string): Buffer {
  const parameters = freshParameters();
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), parameters.salt, parameters.iterations, AES_256_KEY_BYTES, 'sha256');
  return assemble(parameters, encrypt(key, parameters.iv, privateKeyInfo));
}

/** The same, with PBKDF2 on the libuv thread pool so the event loop keeps turning. */
export async function encryptPrivateKeyInfoAsync(privateKeyInfo: Uint8Array, passphrase: string): Promise<Buffer> {
  return (await deriveKeyEncryption(passphrase)).encrypt(privateKeyInfo);
}

/** A passphrase stretched into an AES key with fresh salt and IV, ready to encrypt one private key. */
export interface KeyEncryption {
  encrypt(privateKeyInfo: Uint8Array): Buffer;
}

/**
 * PBKDF2 needs only the passphrase, not the key: started before the key exists, it runs on the
 * thread pool beside the RSA prime search instead of after it.
 */
export async function deriveKeyEncryption(passphrase: string): Promise<KeyEncryption> {
  const parameters = freshParameters();
  const key = await pbkdf2Async(Buffer.from(passphrase, 'utf8'), parameters.salt, parameters.iterations, AES_256_KEY_BYTES, 'sha256');
  return { encrypt: (privateKeyInfo) => assemble(parameters, encrypt(key, parameters.iv, privateKeyInfo)) };
}

function encrypt(key: Buffer, iv: Buffer, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

function assemble({ salt, iv, iterations }: Pbes2Parameters, encryptedData: Buffer): Buffer {
  const pbkdf2Parameters = sequence([octetString(salt), integer(iterations), algorithm(OID.hmacWithSha256)]);
  const pbes2Parameters = sequence([sequence([oid(OID.pbkdf2), pbkdf2Parameters]), sequence([oid(OID.aes256Cbc), octetString(iv)])]);
  return toDer(sequence([sequence([oid(OID.pbes2), pbes2Parameters]), octetString(encryptedData)]));
}
