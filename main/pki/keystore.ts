import { type KeyObject, X509Certificate } from 'node:crypto';
import { AppError } from '../errors.js';
import { certificateMatchesKey, orderChain } from './chain-order.js';
import { type Pkcs12Contents, Pkcs12Error, type Pkcs12Key, readPkcs12 } from './pkcs12-read.js';
import { writePkcs12 } from './pkcs12-write.js';

/**
 * The keystore Anaplan Connect (-keystore/-keystorealias/-keystorepass), Boomi (its certificate
 * bundle) and Informatica read: a PKCS#12 file with one private key entry. Anaplan Connect opens
 * it with KeyStore.getInstance("JKS"), which reads PKCS#12 too, and reads the key with the
 * store password, so the key password must equal it (anaplan-facts §5).
 */

export const DEFAULT_ALIAS = 'anaplan-connect';

/** keytool refuses keystore passwords shorter than this. */
export const MIN_KEYSTORE_PASSWORD_LENGTH = 6;

const MAX_ALIAS_LENGTH = 64;

export interface KeystoreOptions {
  alias: string;
  password: string;
}

/** Letters, digits, '-', '_' and '.', lowercase, 1–64 characters; an AppError('bad_input') otherwise. */
export function validateAlias(alias: string): string {
  const problem = aliasProblem(alias);
  if (problem) throw new AppError('bad_input', problem, { problems: [{ field: 'alias', message: problem }] });
  return alias;
}

export function aliasProblem(alias: string): string | null {
  if (alias === '') return 'Enter an alias: the name of the key entry in the keystore (for example anaplan-connect).';
  if (alias.length > MAX_ALIAS_LENGTH) return `The alias is ${alias.length} characters long; use at most ${MAX_ALIAS_LENGTH} (for example anaplan-connect).`;
  const odd = [...new Set(alias.replace(/[A-Za-z0-9._-]/g, ''))];
  if (odd.length > 0) {
    const described = odd.map((character) => (character === ' ' ? 'spaces' : /[\u0000-\u001f\u007f]/.test(character) ? 'control characters' : `"${character}"`)).join(', ');
    return `The alias "${alias}" contains ${described}: use only lowercase letters, digits, '-', '_' and '.' (for example anaplan-connect). It is typed after Anaplan Connect's -keystorealias and into Boomi and Informatica.`;
  }
  if (alias !== alias.toLowerCase()) {
    // Refused rather than lowered quietly: the person would otherwise type the old spelling elsewhere.
    return `Use lowercase letters in the alias ("${alias.toLowerCase()}" instead of "${alias}"): Java keystores (JKS) store aliases in lowercase, so that is the name Anaplan Connect's -keystorealias, Boomi and Informatica would have to use anyway.`;
  }
  return null;
}

/** At least 6 characters (keytool's minimum), no control characters; an AppError('bad_input') otherwise. */
export function validateKeystorePassword(password: string): string {
  const problem = keystorePasswordProblem(password);
  if (problem) throw new AppError('bad_input', problem, { problems: [{ field: 'keystorePassword', message: problem }] });
  return password;
}

export function keystorePasswordProblem(password: string): string | null {
  if ([...password].length < MIN_KEYSTORE_PASSWORD_LENGTH) {
    return `The keystore password must be at least ${MIN_KEYSTORE_PASSWORD_LENGTH} characters long: Java's keytool refuses shorter ones.`;
  }
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(password)) {
    return 'The keystore password contains a line break, tab or other control character. Choose one you can type on a single line: it is given to Anaplan Connect as -keystorepass or in keystore-access.txt.';
  }
  return null;
}

/**
 * The keystore: key + leaf + chain under the alias (friendlyName = alias, localKeyId linking key
 * and leaf), key password = store password, algorithms every JDK from 8u60 reads (see pkcs12-write.ts).
 */
export function buildPkcs12(privateKey: KeyObject, leaf: X509Certificate, chain: X509Certificate[], options: KeystoreOptions): Buffer {
  validateAlias(options.alias);
  validateKeystorePassword(options.password);
  if (!certificateMatchesKey(leaf, privateKey)) {
    throw new AppError('bad_input', 'The certificate does not belong to this private key, so no keystore was made. Choose the key the request was made with.', {
      problems: [{ field: 'key', message: 'Does not match the certificate.' }],
    });
  }
  const rest = chain.filter((certificate) => !certificate.raw.equals(leaf.raw));
  return writePkcs12({ privateKey, certificates: [leaf.raw, ...rest.map((certificate) => certificate.raw)], friendlyName: options.alias, password: options.password });
}

/** The key entry `alias` of a PKCS#12 keystore, as Anaplan Connect would read it (alias case-insensitive, key with the store password). */
export function readPkcs12Entry(bytes: Buffer, alias: string, password: string): { privateKey: KeyObject; certificate: X509Certificate; chain: X509Certificate[] } {
  const contents = openKeystore(bytes, password);
  const wanted = alias.toLowerCase();
  const entry = contents.keys.find((key) => (key.friendlyName ?? '').toLowerCase() === wanted);
  if (!entry) throw aliasNotFound(alias, contents.keys);

  const certificates = contents.certificates.map(({ der }) => keystoreCertificate(der));
  const linked = contents.certificates.findIndex((certificate) => entry.localKeyId !== null && certificate.localKeyId !== null && certificate.localKeyId.equals(entry.localKeyId));
  const certificate = (linked >= 0 ? certificates[linked] : undefined) ?? certificates.find((candidate) => certificateMatchesKey(candidate, entry.key));
  if (!certificate || !certificateMatchesKey(certificate, entry.key)) {
    throw new AppError('bad_input', `The keystore holds the key "${alias}" but not its certificate, so it cannot be used to sign in. Import the certificate again to make a complete keystore.`, {
      problems: [{ field: 'alias', message: 'The entry has no certificate.' }],
    });
  }
  return { privateKey: entry.key, certificate, chain: orderChain(certificate, certificates).chain };
}

function keystoreCertificate(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    const message = 'This keystore holds a damaged certificate, so it cannot be used to sign in. Import the certificate again to make a new keystore.';
    throw new AppError('bad_input', message, { problems: [{ field: 'keystore', message }] });
  }
}

function openKeystore(bytes: Buffer, password: string): Pkcs12Contents {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xfeedfeed) {
    throw new AppError(
      'bad_input',
      'This keystore is in the old JKS format; this assistant reads PKCS#12 keystores. Convert it: keytool -importkeystore -srckeystore FILE -destkeystore keystore.p12 -deststoretype PKCS12 (Anaplan Connect reads both).',
      { problems: [{ field: 'keystore', message: 'JKS, not PKCS#12.' }] },
    );
  }
  try {
    return readPkcs12(bytes, password);
  } catch (error) {
    if (!(error instanceof Pkcs12Error)) throw error;
    switch (error.problem) {
      case 'wrong_password': {
        const message = 'The keystore password is wrong: it does not open this keystore. Check it (letters are case-sensitive); it is the password chosen when the certificate was imported.';
        throw new AppError('bad_input', message, { problems: [{ field: 'keystorePassword', message }] });
      }
      case 'key_password_differs': {
        const message =
          "The keystore opens with this password, but its key has a different password. Anaplan Connect reads the key with the keystore password, so both must be the same: import the certificate again with this assistant, which makes them equal.";
        throw new AppError('bad_input', message, { problems: [{ field: 'keystorePassword', message }] });
      }
      default: {
        const message = `This keystore cannot be read: ${error.message}. Import the certificate again to make a new keystore.`;
        throw new AppError('bad_input', message, { problems: [{ field: 'keystore', message }] });
      }
    }
  }
}

function aliasNotFound(alias: string, keys: readonly Pkcs12Key[]): AppError {
  const aliases = keys.map((key) => key.friendlyName).filter((name): name is string => name !== null && name !== '');
  const message =
    keys.length === 0
      ? `There is no key entry "${alias}": this keystore holds no private key at all, only certificates. Import the certificate with its key to make a keystore that can sign in.`
      : aliases.length === 0
        ? `There is no key entry "${alias}" in this keystore: its key has no alias. Import the certificate again with this assistant to give it one.`
        : `There is no key entry "${alias}" in this keystore. It holds: ${aliases.map((name) => `"${name}"`).join(', ')}. Use ${aliases.length === 1 ? 'that alias' : 'one of those aliases'}.`;
  return new AppError('bad_input', message, { aliases, problems: [{ field: 'alias', message }] });
}
