import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { readTlv, sequenceItems } from './asn1-reader.js';
import { type PemSpan, pemBlocks } from './pem.js';
import { UnsupportedAlgorithmError, derivationIterations } from './pkcs12-crypto.js';
import { shellWord } from './posix-shell.js';

/** A private key file is a few kilobytes; anything far bigger is not one. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

const MIN_RSA_BITS = 2048;

/**
 * Reads a private key file the way Anaplan Connect needs it (anaplan-facts §5): PKCS#8 PEM,
 * encrypted or not, RSA only. Every other case ends in an AppError that says what to do.
 */
export async function readPrivateKeyFile(path: string, passphrase: string | null): Promise<KeyObject> {
  const bytes = await readKeyBytes(path);
  const text = bytes.toString('latin1');
  const block = firstKeyBlock(text);
  if (!block) throw notAKeyError(path, bytes, text);
  const key = openBlock(path, block, passphrase);
  return assertUsableRsa(path, key);
}

const KEY_LABELS = ['ENCRYPTED PRIVATE KEY', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'OPENSSH PRIVATE KEY'];

async function readKeyBytes(path: string): Promise<Buffer> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new AppError('bad_input', `${path} is not a file. Choose the private key file (for example private-key.pem).`, { path });
    if (stats.size > MAX_KEY_FILE_BYTES) {
      throw new AppError('bad_input', `${path} is ${stats.size} bytes: far too big for a private key file. Choose the private key file (for example private-key.pem).`, { path });
    }
    return await readFile(path);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError('bad_input', `There is no file at ${path}. Check the path of the private key file.`, { path });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new AppError('io', `Could not read ${path}: permission denied. Run as the account that owns the key, or fix the file's permissions (it should be readable only by that account: chmod 600).`, { path });
    }
    throw new AppError('io', `Could not read ${path}: ${error instanceof Error ? error.message : String(error)}.`, { path });
  }
}

function firstKeyBlock(text: string): PemSpan | undefined {
  return pemBlocks(text).find((block) => KEY_LABELS.includes(block.label));
}

function openBlock(path: string, block: PemSpan, passphrase: string | null): KeyObject {
  switch (block.label) {
    case 'RSA PRIVATE KEY':
      throw new AppError(
        'bad_input',
        `${path} holds the key in the old PKCS#1 format ("BEGIN RSA PRIVATE KEY"), which Anaplan Connect refuses: it reads PKCS#8 only. Convert it: openssl pkcs8 -topk8 -in ${shellWord(path)} -out private-key.pem (it asks for a passphrase for the new file; add -nocrypt for an unencrypted one).`,
        { path, format: 'pkcs1' },
      );
    case 'EC PRIVATE KEY':
    case 'DSA PRIVATE KEY':
      throw notRsaError(path, block.label.split(' ')[0] ?? 'non-RSA');
    case 'OPENSSH PRIVATE KEY':
      throw new AppError('bad_input', `${path} is an OpenSSH key (for ssh logins), not a certificate key. Choose the private key that belongs to your Anaplan certificate, or create a new key and CSR.`, { path });
    case 'ENCRYPTED PRIVATE KEY':
      if (passphrase === null) {
        throw new AppError('bad_input', `${path} is encrypted ("BEGIN ENCRYPTED PRIVATE KEY"). Give its passphrase.`, { path, reason: 'passphrase_missing' });
      }
      refuseCostlyEncryption(path, block);
      try {
        return createPrivateKey({ key: block.text, format: 'pem', passphrase });
      } catch {
        throw new AppError('bad_input', `The passphrase does not open ${path}. Check it (letters are case-sensitive) and try again.`, { path, reason: 'passphrase_wrong' });
      }
    default:
      try {
        return createPrivateKey({ key: block.text, format: 'pem' });
      } catch {
        throw new AppError('bad_input', `${path} looks like a private key file but cannot be read: it may be damaged or cut short. Choose another copy, or create a new key and CSR.`, { path });
      }
  }
}

/**
 * The file says how many rounds of key derivation open it, and OpenSSL runs whatever it says:
 * a damaged or hostile key could ask for billions (hours). Checked before the passphrase is tried.
 */
function refuseCostlyEncryption(path: string, block: PemSpan): void {
  try {
    const [algorithmIdentifier] = sequenceItems(readTlv(Buffer.from(block.body.replace(/\s+/g, ''), 'base64')), 'an encrypted private key');
    derivationIterations(algorithmIdentifier);
  } catch (error) {
    // A damaged structure is left to createPrivateKey, which refuses it.
    if (!(error instanceof UnsupportedAlgorithmError)) return;
    throw new AppError(
      'bad_input',
      `${path} is encrypted with ${error.message}, which this assistant does not open. Anaplan Connect reads keys encrypted the way OpenSSL writes them by default (PBES2 with PBKDF2). If the key opens elsewhere, convert it: openssl pkcs8 -topk8 -v2 aes-256-cbc -in ${shellWord(path)} -out private-key.pem; otherwise create a new key and CSR.`,
      { path, reason: 'unsupported_encryption' },
    );
  }
}

function assertUsableRsa(path: string, key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw notRsaError(path, (key.asymmetricKeyType ?? 'non-RSA').toUpperCase());
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new AppError('bad_input', `${path} is a ${bits}-bit RSA key: too small, Anaplan needs RSA ${MIN_RSA_BITS} or more. Create a new key and CSR.`, { path, bits });
  }
  return key;
}

function notRsaError(path: string, type: string): AppError {
  return new AppError('bad_input', `${path} is an ${type} key; Anaplan certificates need an RSA key (2048 bits or more). Create a new key and CSR.`, { path, keyType: type });
}

function notAKeyError(path: string, bytes: Buffer, text: string): AppError {
  if (text.includes('-----BEGIN CERTIFICATE')) {
    return new AppError('bad_input', `${path} holds a certificate, not a private key. Choose the private key file (for example private-key.pem).`, { path });
  }
  if (bytes[0] === 0x30) {
    return new AppError(
      'bad_input',
      `${path} looks like a binary (DER) file; Anaplan Connect needs a PEM file. If it is a private key, convert it: openssl pkey -inform DER -in ${shellWord(path)} -out private-key.pem`,
      { path },
    );
  }
  return new AppError('bad_input', `${path} is not a private key file (no "BEGIN PRIVATE KEY" block). Choose the private key file (for example private-key.pem).`, { path });
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}
