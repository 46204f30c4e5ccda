import { type Tlv, Tag, TagClass, children, explicit, is, oidOf, raw, sequenceItems } from './asn1-reader.js';

/**
 * The certificates of a PKCS#7 / CMS SignedData "certs-only" bundle (.p7b/.p7c), as CAs and
 * `openssl crl2pkcs7 -nocrl` write them. Each certificate is the exact DER stored in the file.
 */

export const PKCS7_SIGNED_DATA_OID = '1.2.840.113549.1.7.2';

/** ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }. */
export function isContentInfo(top: Tlv): boolean {
  try {
    const [contentType] = sequenceItems(top, 'a content info');
    return is(contentType, Tag.oid);
  } catch {
    return false;
  }
}

export function contentTypeOf(top: Tlv): string {
  return oidOf(sequenceItems(top, 'a content info')[0]);
}

/**
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
 *   certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL, crls [1] OPTIONAL, signerInfos SET }.
 * Throws Asn1Error when the structure is damaged.
 */
export function pkcs7Certificates(top: Tlv): Buffer[] {
  const [, wrapped] = sequenceItems(top, 'a PKCS#7 content info');
  const fields = sequenceItems(explicit(wrapped, 0, 'PKCS#7 signed data'), 'PKCS#7 signed data');
  const certificateSet = fields.slice(3).find((field) => is(field, 0, TagClass.context) && field.constructed);
  if (!certificateSet) return [];
  // Other CertificateChoices (attribute certificates, [n]-tagged) are not X.509 certificates.
  return children(certificateSet)
    .filter((choice) => is(choice, Tag.sequence))
    .map(raw);
}
