import { createCipheriv, createHash } from 'node:crypto';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { AppError } from '../errors.js';
import { readExistingFile, writeFilesSafelyReporting } from '../fs/atomic.js';
import { Pkcs12Error, readPkcs12SecretKeys } from '../pki/pkcs12-read.js';
import { writePkcs12SecretKey } from '../pki/pkcs12-write.js';

/**
 * Anaplan Connect's refresh-token store (anaplan-facts §5), written and read without a JDK, so
 * that an unattended job started after the device grant needs no console registration.
 *
 * Anaplan Connect 4.x (DeviceAuthenticator, Utils, CryptoUtil) keeps one file per OAuth client:
 * `<dir>/ks_<hex SHA-512/256 of the UTF-8 client id>.jks`, a PKCS#12 file (despite the name) that
 * it opens with `KeyStore.getInstance("JKS")` (the JDK's JKS type reads PKCS#12 too), whose one
 * secret-key entry, alias = the file's base name, algorithm "AES", has as getEncoded() bytes the
 * base64 text of the refresh token. Store and entry password: base64 of AES/ECB/PKCS5Padding over
 * "P@$word$@|t" + client id under a fixed key.
 *
 * The file is laid out as the JDK lays out a SecretKeyEntry (see SECRET_BAG_OID), but with the
 * algorithms JDK 8 wrote and every JDK since 8u60 reads (3DES PBE, HMAC-SHA1 MAC), not JDK 17's
 * PBES2/AES-256 + HMAC-SHA-256, whose MAC Java 8 before 8u301 cannot check ("keystore password
 * was incorrect"). Anaplan Connect rewrites the file in its own JDK's format when it rotates the token.
 */
export const ANAPLAN_CONNECT_TOKEN_STORE = {
  /** The environment variable that moves the store out of the home folder (ignored when blank). */
  dirVariable: 'AC_OAUTH_KEYSTORE_DIR',
  namePrefix: 'ks_',
  nameDigest: 'sha512-256',
  fileExtension: '.jks',
  /** CryptoUtil.SALT, put in front of the client id before encryption. */
  passwordPrefix: 'P@$word$@|t',
  /** CryptoUtil.KEY: AES-128, ECB, PKCS#5 padding. */
  passwordKey: Buffer.from([122, 120, 101, 87, 32, 43, 69, 83, 101, 54, 82, 23, 116, 75, 101, 66]),
  /** new SecretKeySpec(base64Token, "AES"); the JDK stores it under AlgorithmId.get("AES"). */
  keyAlgorithmOid: '2.16.840.1.101.3.4.1',
} as const;

const FILE_MODE = 0o600;
const MAX_CLIENT_ID_LENGTH = 256;
const MAX_TOKEN_LENGTH = 65_536;

/**
 * An OAuth client id usable for the store: printable ASCII without spaces. Anaplan Connect turns
 * it into bytes for the password with the JVM's default charset (String.getBytes()), which for
 * other characters differs between JDK versions and machines: such a store could not be found again.
 */
export function checkTokenStoreClientId(clientId: string): string {
  let problem: string | null = null;
  if (clientId.trim() === '') problem = 'Enter the OAuth client ID (from Anaplan Administration → Security → OAuth clients).';
  else if (clientId.length > MAX_CLIENT_ID_LENGTH) problem = `The OAuth client ID is too long (${clientId.length} characters; at most ${MAX_CLIENT_ID_LENGTH}). Copy the client ID itself, not the whole page.`;
  else if (/\s/u.test(clientId)) problem = 'The OAuth client ID contains spaces or line breaks. Copy it again without them.';
  else if (!/^[\x21-\x7e]+$/.test(clientId)) {
    problem = 'The OAuth client ID contains characters other than plain ASCII letters, digits and punctuation. Anaplan client IDs never do: copy it again from Anaplan Administration → Security → OAuth clients.';
  }
  if (problem) throw new AppError('bad_input', problem, { problems: [{ field: 'clientId', message: problem }] });
  return clientId;
}

/** `ks_` + lowercase hex of SHA-512/256 over the UTF-8 client id: the alias and the file's base name. */
export function tokenStoreName(clientId: string): string {
  const digest = createHash(ANAPLAN_CONNECT_TOKEN_STORE.nameDigest).update(checkTokenStoreClientId(clientId), 'utf8').digest('hex');
  return `${ANAPLAN_CONNECT_TOKEN_STORE.namePrefix}${digest}`;
}

export function tokenStoreFileName(clientId: string): string {
  return `${tokenStoreName(clientId)}${ANAPLAN_CONNECT_TOKEN_STORE.fileExtension}`;
}

/** base64(AES-128/ECB/PKCS5Padding("P@$word$@|t" + clientId)): both the store and the entry password. */
export function tokenStorePassword(clientId: string): string {
  const { passwordKey, passwordPrefix } = ANAPLAN_CONNECT_TOKEN_STORE;
  const cipher = createCipheriv('aes-128-ecb', passwordKey, null);
  const plaintext = Buffer.from(passwordPrefix + checkTokenStoreClientId(clientId), 'ascii');
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
}

/**
 * The store's bytes: one secret-key entry, alias tokenStoreName(clientId), algorithm AES, key
 * bytes = ASCII of base64(UTF-8 refresh token), store password = entry password =
 * tokenStorePassword(clientId). `now` dates the entry, as the JDK does in its localKeyId.
 */
export function buildTokenStore(clientId: string, refreshToken: string, now: Date = new Date()): Buffer {
  checkRefreshToken(refreshToken);
  return writePkcs12SecretKey({
    keyAlgorithmOid: ANAPLAN_CONNECT_TOKEN_STORE.keyAlgorithmOid,
    keyBytes: Buffer.from(Buffer.from(refreshToken, 'utf8').toString('base64'), 'ascii'),
    friendlyName: tokenStoreName(clientId),
    localKeyId: Buffer.from(`Time ${now.getTime()}`, 'utf8'),
    password: tokenStorePassword(clientId),
  });
}

/**
 * The refresh token in a store, read as Anaplan Connect reads it: the file opened with the
 * client's password, the entry found by its alias (case-insensitive, as the JDK's PKCS12 type
 * does), its key bytes base64-decoded. Reads the stores Anaplan Connect itself writes (JDK 17:
 * PBES2/AES, HMAC-SHA-256) and those of `keytool -importpass` (a PBE key) too.
 */
export function readTokenStore(bytes: Buffer, clientId: string): string {
  const name = tokenStoreName(clientId);
  const password = tokenStorePassword(clientId);
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : 0;
  if (magic === 0xfeedfeed || magic === 0xcececece) {
    throw storeError('unsupported', `is a ${magic === 0xfeedfeed ? 'JKS' : 'JCEKS'}-format keystore, not the PKCS#12 file Anaplan Connect writes, so Anaplan Connect cannot read a refresh token from it.`);
  }
  let secretKeys;
  try {
    secretKeys = readPkcs12SecretKeys(bytes, password);
  } catch (error) {
    if (!(error instanceof Pkcs12Error)) throw error;
    switch (error.problem) {
      case 'wrong_password':
        throw storeError(
          'other_client',
          `does not open with the password of OAuth client ${clientId}: it was written for another client ID (or it is damaged). Anaplan Connect derives the file name and password from the client ID, so check that the job and this assistant use the same client ID.`,
        );
      case 'key_password_differs':
        throw storeError('damaged', 'opens, but its entry has a password of its own: Anaplan Connect reads the entry with the store password, so it cannot read this refresh token.');
      case 'unsupported':
        throw storeError('unsupported', `cannot be read here: ${error.message}.`);
      default:
        throw storeError('damaged', `is not a readable token store: ${error.message}.`);
    }
  }
  // The JDK keys entries by lowercased alias; a later entry with the same alias wins.
  const entry = secretKeys.filter((key) => key.friendlyName?.toLowerCase() === name).at(-1);
  if (!entry) throw storeError('no_token', `opens with this client's password but holds no refresh token under the alias ${name}.`);
  const text = entry.keyBytes.toString('latin1');
  // Java's Base64.getDecoder(): the basic alphabet only, padding optional but exact when present.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/.test(text)) {
    throw storeError('damaged', 'holds an entry that is not base64 text, so Anaplan Connect cannot decode a refresh token from it.');
  }
  let token: string;
  try {
    token = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    throw storeError('damaged', 'holds a refresh token that is not UTF-8 text.');
  }
  // Anaplan Connect treats an empty token as "not registered" and starts a console registration.
  if (token.trim() === '') throw storeError('no_token', 'holds an empty refresh token, which Anaplan Connect treats as no token at all.');
  return token;

  function storeError(problem: 'other_client' | 'damaged' | 'unsupported' | 'no_token', what: string): AppError {
    return new AppError(
      'bad_input',
      `The token store ${name}${ANAPLAN_CONNECT_TOKEN_STORE.fileExtension} ${what} Sign in with the device grant again (anaplan-setup oauth --client-id ${clientId}) to write a new one.`,
      { problem, clientId },
    );
  }
}

/**
 * Where Anaplan Connect looks for the store: $AC_OAUTH_KEYSTORE_DIR unless blank (used as given),
 * else Java's user.home, which on Unix comes from the account database (getpwuid), not from
 * $HOME, and on Windows is the profile folder: what os.userInfo() returns. Anaplan Connect runs
 * as the account of the scheduled job, so pass that account's home when it is not the current one.
 */
export function tokenStoreDir(env: NodeJS.ProcessEnv = process.env, home?: string): string {
  const configured = env[ANAPLAN_CONNECT_TOKEN_STORE.dirVariable];
  if (configured !== undefined && !isJavaBlank(configured)) return configured;
  return home ?? javaUserHome();
}

/**
 * Writes the store into `dir` (created 0700 when missing), mode 0600, atomically. A store for the
 * same client holding the same token is left as it is ('unchanged', its mode made 0600 on the
 * file itself, never through a link put in its place); one holding another token (or unreadable)
 * is replaced only with `overwrite`, and no copy of it is kept: its refresh token is a secret, and
 * retired once rotated (a .bak per rotation also ran out of names after 1,000). `warnings` (only
 * when there are some) name a folder at or above `dir` that other accounts may change.
 */
export async function writeTokenStore(
  dir: string,
  clientId: string,
  refreshToken: string,
  options: { overwrite: boolean },
): Promise<{ path: string; status: 'created' | 'replaced' | 'unchanged'; warnings?: string[] }> {
  const fileName = tokenStoreFileName(clientId);
  checkRefreshToken(refreshToken);
  const path = join(resolve(dir), fileName);
  if (!options.overwrite) {
    const existing = await readExistingFile(path);
    if (existing && !holdsToken(existing, clientId, refreshToken)) {
      throw new AppError(
        'file_exists',
        `Anaplan Connect's token store for this OAuth client already exists (${path}) and holds another refresh token. Nothing was written. A new device registration replaces it (no copy of the old one is kept): confirm the replacement, or choose another folder.`,
        { path, clientId },
      );
    }
  }
  const report = await writeFilesSafelyReporting(dir, [{ name: fileName, content: buildTokenStore(clientId, refreshToken), mode: FILE_MODE }], {
    overwrite: options.overwrite,
    sameContent: (_name, existing) => holdsToken(existing, clientId, refreshToken),
    reasonNotToKeepBackup: () => 'a refresh token',
  });
  const [written] = report.files;
  if (!written) throw new AppError('internal', `Writing ${path} reported nothing. Nothing may have been written.`);
  return { path: written.path, status: written.status, ...(report.warnings.length > 0 ? { warnings: report.warnings } : {}) };
}

function checkRefreshToken(refreshToken: string): void {
  let problem: string | null = null;
  if (refreshToken.trim() === '') problem = 'The refresh token is empty: Anaplan Connect would treat it as no token and ask for a console registration.';
  else if (refreshToken.length > MAX_TOKEN_LENGTH) problem = `The refresh token is too long (${refreshToken.length} characters; at most ${MAX_TOKEN_LENGTH}).`;
  else if (/\p{Cs}/u.test(refreshToken)) problem = 'The refresh token is not well-formed text (it has a lone UTF-16 surrogate).';
  if (problem) throw new AppError('bad_input', problem, { problems: [{ field: 'refreshToken', message: problem }] });
}

function holdsToken(bytes: Buffer, clientId: string, refreshToken: string): boolean {
  try {
    return readTokenStore(bytes, clientId) === refreshToken;
  } catch {
    return false;
  }
}

/** Apache Commons StringUtils.isBlank: only Character.isWhitespace characters (no-break spaces are not). */
function isJavaBlank(text: string): boolean {
  return /^(?:(?![\u00a0\u2007\u202f])[\t\n\v\f\r\u001c-\u001f\p{Zs}\u2028\u2029])*$/u.test(text);
}

function javaUserHome(): string {
  try {
    const { homedir: home } = userInfo();
    if (home) return home;
  } catch {
    // No account database entry (some containers): JDK 17 then says "?", newer JDKs use $HOME.
  }
  return homedir();
}
