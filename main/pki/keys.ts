import { createHash, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { type KeyEncryption, encryptPrivateKeyInfo, encryptPrivateKeyInfoAsync } from './pbes2.js';
import { toPem } from './pem.js';

export { readPrivateKeyFile } from './key-file.js';

export type RsaBits = 2048 | 3072 | 4096;

export const RSA_KEY_SIZES: readonly RsaBits[] = [2048, 3072, 4096];

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** RSA with e = 65537, generated on the libuv thread pool so the event loop never stalls. */
export async function generateRsaKeyPair(bits: RsaBits): Promise<RsaKeyPair> {
  return generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/**
 * PKCS#8 PEM, the only private key format Anaplan Connect reads (anaplan-facts §5):
 * "BEGIN PRIVATE KEY" without a passphrase, else "BEGIN ENCRYPTED PRIVATE KEY" (PBES2,
 * AES-256-CBC, HMAC-SHA-256). Never PKCS#1 ("BEGIN RSA PRIVATE KEY"), which it refuses.
 */
export function privateKeyPem(privateKey: KeyObject, passphrase: string | null): string {
  const info = privateKeyInfo(privateKey);
  return passphrase === null ? toPem('PRIVATE KEY', info) : toPem('ENCRYPTED PRIVATE KEY', encryptPrivateKeyInfo(info, passphrase));
}

/** privateKeyPem with the passphrase stretching off the event loop. */
export async function privateKeyPemAsync(privateKey: KeyObject, passphrase: string | null): Promise<string> {
  const info = privateKeyInfo(privateKey);
  return passphrase === null ? toPem('PRIVATE KEY', info) : toPem('ENCRYPTED PRIVATE KEY', await encryptPrivateKeyInfoAsync(info, passphrase));
}

/** The key as PKCS#8 PEM, encrypted with a key derived beforehand (deriveKeyEncryption), or plain when there is none. */
export function privateKeyPemWith(privateKey: KeyObject, encryption: KeyEncryption | null): string {
  const info = privateKeyInfo(privateKey);
  return encryption === null ? toPem('PRIVATE KEY', info) : toPem('ENCRYPTED PRIVATE KEY', encryption.encrypt(info));
}

function privateKeyInfo(privateKey: KeyObject): Buffer {
  return privateKey.export({ type: 'pkcs8', format: 'der' });
}

/** SHA-256 of the SubjectPublicKeyInfo DER as "AB:CD:…": the same for the key, the CSR and the certificate. */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  const digest = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').toUpperCase();
  return digest.match(/../g)?.join(':') ?? '';
}
