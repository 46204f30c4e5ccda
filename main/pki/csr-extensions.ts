import { type Asn1, bitString, boolean, contextPrimitive, octetString, oid, sequence, set, toDer } from './der.js';

/**
 * The extensions a request asks the CA for (anaplan-facts §3): what Anaplan checks (the email as
 * an rfc822Name, Digital Signature, client authentication) plus what an S/MIME Multipurpose
 * certificate carries (Key Encipherment, E-mail Protection) and CA:FALSE. The order matches the
 * -addext options in equivalent-commands.ts, so both requests come out byte for byte the same.
 */

const OID = {
  extensionRequest: '1.2.840.113549.1.9.14',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
} as const;

/** keyUsage bits 0 (digitalSignature) and 2 (keyEncipherment): 1010 0000, 5 unused bits. */
const DIGITAL_SIGNATURE_AND_KEY_ENCIPHERMENT = { bytes: Uint8Array.of(0xa0), unusedBits: 5 };

/** GeneralName rfc822Name is [1] IMPLICIT IA5String. */
const RFC822_NAME_TAG = 1;

/** The extensionRequest attribute (PKCS#9) for the CertificationRequestInfo's attributes. */
export function extensionRequestAttribute(email: string): Asn1 {
  return sequence([oid(OID.extensionRequest), set([sequence(requestedExtensions(email))])]);
}

function requestedExtensions(email: string): Asn1[] {
  return [
    extension(OID.basicConstraints, false, sequence([])),
    extension(OID.keyUsage, true, bitString(DIGITAL_SIGNATURE_AND_KEY_ENCIPHERMENT.bytes, DIGITAL_SIGNATURE_AND_KEY_ENCIPHERMENT.unusedBits)),
    extension(OID.extendedKeyUsage, false, sequence([oid(OID.clientAuth), oid(OID.emailProtection)])),
    extension(OID.subjectAltName, false, sequence([contextPrimitive(RFC822_NAME_TAG, email)])),
  ];
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  // DER leaves out a BOOLEAN that equals its DEFAULT.
  return sequence([oid(id), ...(critical ? [boolean(true)] : []), octetString(toDer(value))]);
}
