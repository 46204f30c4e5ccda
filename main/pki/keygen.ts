import { lstat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../errors.js';
import { writeFilesSafely } from '../fs/atomic.js';
import { type CaProfile, type CaProfileId, caProfile } from './ca-profiles.js';
import { buildCsrPem } from './csr.js';
import { type RsaBits, generateRsaKeyPair, privateKeyPemWith, publicKeyFingerprint } from './keys.js';
import { deriveKeyEncryption } from './pbes2.js';
import { checkPassphrase } from './passphrase.js';
import { type CsrSubject, assertSubject, normalizeSubject, subjectLine } from './subject.js';

export const PRIVATE_KEY_FILE = 'private-key.pem';
export const CSR_FILE = 'request.csr';

const PRIVATE_KEY_MODE = 0o600;
const CSR_MODE = 0o644;

export interface KeygenInput {
  subject: CsrSubject;
  caProfileId: CaProfileId;
  bits: RsaBits;
  /** null: the key file is written unencrypted (with a warning). */
  passphrase: string | null;
  dir: string;
  /** Replace existing files, keeping the old ones as numbered .bak copies. */
  forceBackup: boolean;
  onProgress?: (message: string) => void;
}

export interface KeygenResult {
  privateKeyPath: string;
  csrPath: string;
  csrPem: string;
  subject: string;
  email: string;
  bits: RsaBits;
  fingerprint: string;
  caProfileId: CaProfileId;
  keyEncrypted: boolean;
  hash: 'sha256' | 'sha512';
  createdAt: string;
  warnings: string[];
}

/**
 * Creates DIR/private-key.pem (0600) and DIR/request.csr (0644). Everything is checked before the
 * key is generated, and the files are written all or nothing: on any error the folder is as it was.
 */
export async function createKeyAndCsr(input: KeygenInput): Promise<KeygenResult> {
  const progress = input.onProgress ?? (() => undefined);
  progress('Checking the details');
  const profile = caProfile(input.caProfileId);
  assertSubject(input.subject, profile);
  assertBits(input.bits, profile);
  assertPassphrase(input.passphrase);
  const dir = resolve(input.dir);
  await assertFolderUsable(dir, input.forceBackup);

  progress(`Generating a ${input.bits}-bit RSA key pair${input.bits >= 4096 ? ' (this can take a few seconds)' : ''}`);
  const encryption = input.passphrase === null ? Promise.resolve(null) : deriveKeyEncryption(input.passphrase);
  const keys = await generateRsaKeyPair(input.bits);
  progress('Signing the certificate signing request');
  const csrPem = buildCsrPem(keys, input.subject, profile);
  const keyPem = privateKeyPemWith(keys.privateKey, await encryption);

  progress(`Writing ${PRIVATE_KEY_FILE} and ${CSR_FILE}`);
  const written = await writeFilesSafely(
    dir,
    [
      { name: PRIVATE_KEY_FILE, content: keyPem, mode: PRIVATE_KEY_MODE },
      { name: CSR_FILE, content: csrPem, mode: CSR_MODE },
    ],
    { overwrite: input.forceBackup },
  );

  const email = normalizeSubject(input.subject).email;
  const replaced = written.filter((file) => file.status === 'replaced').map((file) => file.path);
  return {
    privateKeyPath: join(dir, PRIVATE_KEY_FILE),
    csrPath: join(dir, CSR_FILE),
    csrPem,
    subject: subjectLine(input.subject, profile),
    email,
    bits: input.bits,
    fingerprint: publicKeyFingerprint(keys.publicKey),
    caProfileId: profile.id,
    keyEncrypted: input.passphrase !== null,
    hash: profile.hash,
    createdAt: new Date().toISOString(),
    warnings: [...(input.passphrase === null ? [unencryptedKeyWarning(email)] : []), ...(replaced.length > 0 ? [replacedWarning(replaced)] : [])],
  };
}

function assertBits(bits: number, profile: CaProfile): void {
  if ((profile.keySizes as readonly number[]).includes(bits)) return;
  const offered = profile.keySizes.join(', ');
  throw new AppError(
    'bad_input',
    bits < 2048
      ? `${bits} bits is too small: Anaplan needs RSA 2048 or more. Choose ${offered}.`
      : `${profile.name} does not take ${bits}-bit RSA keys here. Choose ${offered}.`,
    { bits, keySizes: profile.keySizes },
  );
}

function assertPassphrase(passphrase: string | null): void {
  if (passphrase === null) return;
  const check = checkPassphrase(passphrase);
  if (check.ok) return;
  throw new AppError('bad_input', `${check.problem ?? 'The passphrase cannot be used.'} Nothing was created.`, { field: 'passphrase' });
}

/**
 * The folder may be missing (it is created 0700) or a folder; refused here, before the slow key
 * generation, when it is a file or already holds our files and replacing them was not allowed.
 * writeFilesSafely checks again when it writes.
 */
async function assertFolderUsable(dir: string, forceBackup: boolean): Promise<void> {
  const kind = await kindOf(dir);
  if (kind === 'missing') return;
  if (kind !== 'folder') {
    throw new AppError('bad_input', `${dir} exists and is not a folder. Choose a folder for the key and the request (it is created if missing).`, { path: dir });
  }
  if (forceBackup) return;
  const existing: string[] = [];
  for (const name of [PRIVATE_KEY_FILE, CSR_FILE]) {
    if ((await kindOf(join(dir, name))) !== 'missing') existing.push(name);
  }
  if (existing.length === 0) return;
  throw new AppError(
    'file_exists',
    `${existing.join(' and ')} already ${existing.length === 1 ? 'exists' : 'exist'} in ${dir}. Nothing was written. A key that may already have a certificate must not be lost: choose another folder, or confirm that ${existing.length === 1 ? 'it' : 'they'} may be replaced (the old ${existing.length === 1 ? 'file is' : 'files are'} kept as numbered .bak copies).`,
    { folder: dir, files: existing },
  );
}

async function kindOf(path: string): Promise<'missing' | 'folder' | 'other'> {
  try {
    return (await lstat(path)).isDirectory() ? 'folder' : 'other';
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') {
      throw new AppError('bad_input', `Part of ${path} is a file, not a folder. Choose a folder for the key and the request.`, { path });
    }
    throw new AppError('io', `Could not check ${path}: ${error instanceof Error ? error.message : String(error)}. Check the folder, then try again.`, { path });
  }
}

function unencryptedKeyWarning(email: string): string {
  return `The private key is not encrypted: anyone who can read ${PRIVATE_KEY_FILE} can sign in to Anaplan as ${email} once the certificate is issued. It is readable only by your account (0600); keep it that way, and keep it out of shared folders, backups and version control you do not control.`;
}

function replacedWarning(paths: readonly string[]): string {
  return `Replaced ${paths.join(' and ')}; the previous versions are kept next to them as numbered .bak files. A certificate issued for the previous request only works with the previous key.`;
}
