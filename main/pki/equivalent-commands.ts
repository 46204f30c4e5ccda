import type { CaProfile } from './ca-profiles.js';
import type { RsaBits } from './keys.js';
import { PBKDF2_ITERATIONS } from './pbes2.js';
import { shellWord } from './posix-shell.js';
import { type CsrSubject, SHORT_NAMES, normalizeSubject, subjectEntries } from './subject.js';

export interface OpensslEquivalentInput {
  subject: CsrSubject;
  profile: CaProfile;
  bits: RsaBits;
  encrypted: boolean;
  keyFile: string;
  csrFile: string;
  /**
   * Where openssl takes the passphrase from: absent, it asks at the terminal (best for a person);
   * an environment variable name adds -pass/-passin env:NAME (for scripts and tests).
   */
  passphraseEnv?: string;
}

/**
 * The OpenSSL 3 commands (POSIX shell) that make the same key and request by hand:
 *  1. the key, PKCS#8 (encrypted: PBES2, AES-256-CBC, HMAC-SHA-256 and the iteration count, as ours);
 *  2. the request, with the same subject and the same requested extensions in the same order
 *     (csr-extensions.ts), signed with the profile's hash;
 *  3. a check of the request's signature, printing it.
 * Two steps rather than `openssl req -newkey`: OpenSSL 3.0's req encrypts a new key with
 * DES-EDE3-CBC and has no option to choose AES.
 */
export function opensslEquivalent(input: OpensslEquivalentInput): string[] {
  const subject = normalizeSubject(input.subject);
  const keyFile = fileArgument(input.keyFile);
  const csrFile = fileArgument(input.csrFile);
  const passphraseSource = input.encrypted && input.passphraseEnv !== undefined ? `env:${input.passphraseEnv}` : undefined;
  const generate = `openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:${input.bits}`;
  // genpkey encrypts with a fixed 2,048 PBKDF2 iterations; pkcs8 takes ours (pbes2.ts), so the
  // key goes through a pipe, never to disk unencrypted.
  const makeKey = input.encrypted
    ? [
        `${generate} | openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter ${PBKDF2_ITERATIONS}`,
        ...(passphraseSource ? [`-passout ${shellWord(passphraseSource)}`] : []),
        `-out ${keyFile}`,
      ]
    : [generate, `-out ${keyFile}`];
  const makeRequest = [
    `openssl req -new -key ${keyFile}`,
    ...(passphraseSource ? [`-passin ${shellWord(passphraseSource)}`] : []),
    `-${input.profile.hash}`,
    `-out ${csrFile}`,
    '-utf8',
    `-subj ${shellWord(subjOption(subject, input.profile))}`,
    `-addext ${shellWord('basicConstraints=CA:FALSE')}`,
    `-addext ${shellWord('keyUsage=critical,digitalSignature,keyEncipherment')}`,
    `-addext ${shellWord('extendedKeyUsage=clientAuth,emailProtection')}`,
    `-addext ${shellWord(`subjectAltName=email:${subject.email}`)}`,
  ];
  return [makeKey.join(' '), makeRequest.join(' '), `openssl req -in ${csrFile} -noout -verify -text`];
}

/** "/C=GB/…/CN=Ada Lovelace/emailAddress=…": in -subj, "\" escapes, "/" and "+" separate. */
function subjOption(subject: CsrSubject, profile: CaProfile): string {
  return subjectEntries(subject, profile)
    .map(({ field, value }) => `/${SHORT_NAMES[field]}=${value.replace(/[\\/+]/g, (character) => `\\${character}`)}`)
    .join('');
}

/** A file name that starts with "-" would be read as an option. */
function fileArgument(path: string): string {
  return shellWord(path.startsWith('-') ? `./${path}` : path);
}
