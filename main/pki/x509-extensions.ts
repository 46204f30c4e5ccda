import type { X509Certificate } from 'node:crypto';
import { type Tlv, Tag, TagClass, booleanOf, children, content, is, oidOf, raw, readTlv, sequenceItems, stringOf, timeOf } from './asn1-reader.js';
import { type DistinguishedName, EMAIL_ADDRESS_OID, attributeValues, parseName } from './distinguished-name.js';

/**
 * What Anaplan's rules (anaplan-facts §3) look at in a certificate, read from its DER:
 * node:crypto's X509Certificate verifies signatures and matches keys, but does not expose
 * the Key Usage bits, CRL distribution points or the exact validity dates.
 */

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

const EKU_NAMES: Readonly<Record<string, string>> = {
  [EKU.serverAuth]: 'TLS Web Server Authentication',
  [EKU.clientAuth]: 'TLS Web Client Authentication',
  [EKU.codeSigning]: 'Code Signing',
  [EKU.emailProtection]: 'E-mail Protection',
  [EKU.timeStamping]: 'Time Stamping',
  [EKU.ocspSigning]: 'OCSP Signing',
  [EKU.anyExtendedKeyUsage]: 'Any Extended Key Usage',
  '1.3.6.1.4.1.311.20.2.2': 'Microsoft Smartcard Login',
  '1.3.6.1.4.1.311.10.3.12': 'Microsoft Document Signing',
};

export function extendedKeyUsageName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}

const EXTENSION = {
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  extendedKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

const OCSP_ACCESS_METHOD = '1.3.6.1.5.5.7.48.1';

/** KeyUsage bit positions (RFC 5280 4.2.1.3), bit 0 being the most significant bit of the first byte. */
const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;

export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

/** GeneralName choices we read ([1] rfc822Name, [2] dNSName, [6] uniformResourceIdentifier). */
const GENERAL_NAME = { rfc822Name: 1, dnsName: 2, uri: 6 } as const;

export interface CertificateFacts {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** The names as encoded, for exact issuer/subject matching. */
  subjectDer: Buffer;
  issuerDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** null when the certificate has no Key Usage extension (then, by RFC 5280, any use). */
  keyUsage: KeyUsageName[] | null;
  /** null when the certificate has no Extended Key Usage extension. */
  extendedKeyUsage: string[] | null;
  /** basicConstraints cA; false when the extension is absent. */
  isCa: boolean;
  /** rfc822Name entries of the Subject Alternative Name. */
  sanEmails: string[];
  /** emailAddress attributes of the subject. */
  subjectEmails: string[];
  dnsNames: string[];
  hasCrlDistributionPoint: boolean;
  crlUrls: string[];
  ocspUrls: string[];
}

const cache = new WeakMap<X509Certificate, CertificateFacts>();

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }. Throws Asn1Error on a damaged one. */
export function certificateFacts(certificate: X509Certificate): CertificateFacts {
  const cached = cache.get(certificate);
  if (cached) return cached;
  const facts = readFacts(certificate);
  cache.set(certificate, facts);
  return facts;
}

function readFacts(certificate: X509Certificate): CertificateFacts {
  const [tbs] = sequenceItems(readTlv(certificate.raw), 'a certificate');
  const fields = sequenceItems(tbs, 'the certificate body');
  // version [0] EXPLICIT is absent in version 1 certificates.
  const offset = is(fields[0], 0, TagClass.context) ? 1 : 0;
  const issuer = fields[offset + 2];
  const validity = sequenceItems(fields[offset + 3], 'the validity');
  const subject = fields[offset + 4];
  if (!issuer || !subject) throw new Error('certificate without issuer or subject');
  const facts: CertificateFacts = {
    subject: parseName(subject),
    issuer: parseName(issuer),
    subjectDer: raw(subject),
    issuerDer: raw(issuer),
    notBefore: timeOf(validity[0]),
    notAfter: timeOf(validity[1]),
    keyUsage: null,
    extendedKeyUsage: null,
    isCa: false,
    sanEmails: [],
    subjectEmails: [],
    dnsNames: [],
    hasCrlDistributionPoint: false,
    crlUrls: [],
    ocspUrls: [],
  };
  facts.subjectEmails = attributeValues(facts.subject, EMAIL_ADDRESS_OID);
  const extensionsWrapper = fields.slice(offset + 6).find((field) => is(field, 3, TagClass.context));
  if (extensionsWrapper) {
    const [extensions] = children(extensionsWrapper);
    for (const extension of sequenceItems(extensions, 'the extensions')) readExtension(extension, facts);
  }
  return facts;
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
function readExtension(extension: Tlv, facts: CertificateFacts): void {
  const items = sequenceItems(extension, 'an extension');
  const id = oidOf(items[0]);
  const valueHolder = items[items.length - 1];
  if (!is(valueHolder, Tag.octetString)) return;
  const value = readTlv(content(valueHolder));
  switch (id) {
    case EXTENSION.keyUsage:
      facts.keyUsage = keyUsageOf(value);
      break;
    case EXTENSION.extendedKeyUsage:
      facts.extendedKeyUsage = sequenceItems(value, 'extended key usage').map(oidOf);
      break;
    case EXTENSION.basicConstraints: {
      const [first] = sequenceItems(value, 'basic constraints');
      facts.isCa = is(first, Tag.boolean) ? booleanOf(first) : false;
      break;
    }
    case EXTENSION.subjectAltName:
      for (const name of sequenceItems(value, 'subject alternative names')) {
        if (is(name, GENERAL_NAME.rfc822Name, TagClass.context)) facts.sanEmails.push(stringOf(name));
        else if (is(name, GENERAL_NAME.dnsName, TagClass.context)) facts.dnsNames.push(stringOf(name));
      }
      break;
    case EXTENSION.crlDistributionPoints:
      facts.hasCrlDistributionPoint = sequenceItems(value, 'CRL distribution points').length > 0;
      facts.crlUrls = urisWithin(value);
      break;
    case EXTENSION.authorityInfoAccess:
      for (const description of sequenceItems(value, 'authority information access')) {
        const [method, location] = sequenceItems(description, 'an access description');
        if (oidOf(method) === OCSP_ACCESS_METHOD && is(location, GENERAL_NAME.uri, TagClass.context)) facts.ocspUrls.push(stringOf(location));
      }
      break;
    default:
      break;
  }
}

function keyUsageOf(value: Tlv): KeyUsageName[] {
  const bytes = content(value);
  const unusedBits = bytes[0] ?? 0;
  const bitCount = (bytes.length - 1) * 8 - unusedBits;
  return KEY_USAGE_BITS.filter((_name, bit) => bit < bitCount && ((bytes[1 + (bit >> 3)] ?? 0) & (0x80 >> (bit & 7))) !== 0);
}

/** Every [6] uniformResourceIdentifier inside a structure (distribution points nest them deeply). */
function urisWithin(tlv: Tlv, depth = 0): string[] {
  if (is(tlv, GENERAL_NAME.uri, TagClass.context) && !tlv.constructed) return [stringOf(tlv)];
  if (!tlv.constructed) return [];
  return children(tlv, depth).flatMap((child) => urisWithin(child, depth + 1));
}

