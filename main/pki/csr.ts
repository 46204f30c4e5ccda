import { type KeyObject, sign } from 'node:crypto';
import type { CaProfile } from './ca-profiles.js';
import { extensionRequestAttribute } from './csr-extensions.js';
import { subjectName } from './csr-subject.js';
import { algorithm, bitString, contextConstructed, fromDer, integer, sequence, toDer } from './der.js';
import { toPem } from './pem.js';
import { type CsrSubject, assertSubject, normalizeSubject } from './subject.js';

const SIGNATURE_OID = {
  sha256: '1.2.840.113549.1.1.11', // sha256WithRSAEncryption
  sha512: '1.2.840.113549.1.1.13', // sha512WithRSAEncryption
} as const;

/** PKCS#10 version 1 is encoded as 0. */
const PKCS10_VERSION = 0;

/**
 * A PKCS#10 certificate signing request in PEM. node-forge only lays out the ASN.1; the
 * signature is node:crypto's RSASSA-PKCS1-v1_5 (native, fast at 4096 bits), with the profile's hash.
 * The subject and requested extensions are described in csr-subject.ts and csr-extensions.ts.
 */
export function buildCsrPem(keys: { privateKey: KeyObject; publicKey: KeyObject }, subject: CsrSubject, profile: CaProfile): string {
  return toPem('CERTIFICATE REQUEST', buildCsrDer(keys, subject, profile));
}

export function buildCsrDer(keys: { privateKey: KeyObject; publicKey: KeyObject }, subject: CsrSubject, profile: CaProfile): Buffer {
  // A subject that fails the checks would make an invalid request (an email outside IA5String, say).
  assertSubject(subject, profile);
  const normalized = normalizeSubject(subject);
  const certificationRequestInfo = sequence([
    integer(PKCS10_VERSION),
    subjectName(normalized, profile),
    fromDer(keys.publicKey.export({ type: 'spki', format: 'der' })),
    contextConstructed(0, [extensionRequestAttribute(normalized.email)]),
  ]);
  const signature = sign(profile.hash, toDer(certificationRequestInfo), keys.privateKey);
  return toDer(sequence([certificationRequestInfo, algorithm(SIGNATURE_OID[profile.hash]), bitString(signature)]));
}
