import type { CaProfile, SubjectField } from './ca-profiles.js';
import { type Asn1, ia5String, oid, printableString, sequence, set, utf8String } from './der.js';
import { type CsrSubject, subjectEntries } from './subject.js';

const ATTRIBUTE_OID: Readonly<Record<SubjectField, string>> = {
  country: '2.5.4.6',
  state: '2.5.4.8',
  locality: '2.5.4.7',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  commonName: '2.5.4.3',
  email: '1.2.840.113549.1.9.1',
};

/**
 * The subject as an RDNSequence, one attribute per RDN, in Anaplan's template order. String
 * types as OpenSSL writes them (string_mask utf8only): countryName PrintableString, emailAddress
 * IA5String (PKCS#9), everything else UTF8String (RFC 5280 §4.1.2.6).
 */
export function subjectName(subject: CsrSubject, profile: CaProfile): Asn1 {
  return sequence(subjectEntries(subject, profile).map(({ field, value }) => set([sequence([oid(ATTRIBUTE_OID[field]), attributeValue(field, value)])])));
}

function attributeValue(field: SubjectField, value: string): Asn1 {
  switch (field) {
    case 'country':
      return printableString(value);
    case 'email':
      return ia5String(value);
    default:
      return utf8String(value);
  }
}
