import { type Tlv, oidOf, sequenceItems, stringOf } from './asn1-reader.js';

/**
 * Distinguished names: read from a certificate, printed the way OpenSSL prints them with
 * `-nameopt sep_comma_plus_space,esc_2253,utf8` ("C=GB, O=…, CN=…", certificate order), read
 * back from such text (the supported-roots list is written that way), and compared loosely
 * enough that a hand-written list still matches.
 */

export interface NameAttribute {
  oid: string;
  /** "CN", "O", "emailAddress", … or the dotted OID when there is no short name. */
  type: string;
  value: string;
}

/** The attributes of every RDN, flattened, in certificate order (country first, usually). */
export type DistinguishedName = NameAttribute[];

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
};

export const EMAIL_ADDRESS_OID = '1.2.840.113549.1.9.1';
export const COMMON_NAME_OID = '2.5.4.3';

/** Other spellings people and tools use for the same attribute types. */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  E: 'EMAILADDRESS',
  EMAIL: 'EMAILADDRESS',
  S: 'ST',
  STATE: 'ST',
  STATEORPROVINCENAME: 'ST',
  COUNTRYNAME: 'C',
  LOCALITYNAME: 'L',
  ORGANIZATIONNAME: 'O',
  ORGANIZATIONALUNITNAME: 'OU',
  COMMONNAME: 'CN',
};

/** Name ::= SEQUENCE OF SET OF AttributeTypeAndValue. */
export function parseName(name: Tlv): DistinguishedName {
  const attributes: DistinguishedName = [];
  for (const rdn of sequenceItems(name, 'a name')) {
    for (const pair of sequenceItems(rdn, 'a relative distinguished name')) {
      const [type, value] = sequenceItems(pair, 'a name attribute');
      if (!value) continue;
      const oid = oidOf(type);
      attributes.push({ oid, type: SHORT_NAMES[oid] ?? oid, value: stringOf(value) });
    }
  }
  return attributes;
}

export function formatName(name: DistinguishedName): string {
  return name.map(({ type, value }) => `${type}=${escapeValue(value)}`).join(', ');
}

export function attributeValues(name: DistinguishedName, oid: string): string[] {
  return name.filter((attribute) => attribute.oid === oid).map((attribute) => attribute.value);
}

/** The common name, else the whole name: how a certificate is named in messages. */
export function displayName(name: DistinguishedName): string {
  return attributeValues(name, COMMON_NAME_OID)[0] ?? (formatName(name) || '(empty name)');
}

/**
 * Reads "C=US, O=DigiCert\, Inc., CN=…" (RFC 4514 order or OpenSSL's, "+" or "," or "/" or new
 * lines between attributes, backslash escapes). Returns null when the text is not a name.
 */
export function parseNameText(text: string): Array<{ type: string; value: string }> | null {
  const trimmed = text.trim().replace(/^\//, '');
  if (trimmed === '') return null;
  const parts: string[] = [];
  let current = '';
  const slashSeparated = !/[,\n+]/.test(trimmed.replace(/\\./g, '')) && trimmed.includes('/');
  for (let i = 0; i < trimmed.length; i++) {
    const character = trimmed[i] ?? '';
    if (character === '\\' && i + 1 < trimmed.length) {
      current += character + (trimmed[i + 1] ?? '');
      i++;
    } else if (character === ',' || character === '\n' || character === '+' || (slashSeparated && character === '/')) {
      parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  parts.push(current);
  const attributes: Array<{ type: string; value: string }> = [];
  for (const part of parts) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    if (equals <= 0) return null;
    const type = part.slice(0, equals).trim();
    if (!/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(type)) return null;
    attributes.push({ type, value: unescapeValue(part.slice(equals + 1).trim()) });
  }
  return attributes.length > 0 ? attributes : null;
}

/**
 * True when both names hold the same attributes, whatever their order, letter case or spacing:
 * a person copying a root's name from a web page gets all three wrong now and then.
 */
export function sameName(a: ReadonlyArray<{ type: string; value: string }>, b: ReadonlyArray<{ type: string; value: string }>): boolean {
  if (a.length !== b.length) return false;
  const left = a.map(canonicalPair).sort();
  const right = b.map(canonicalPair).sort();
  return left.every((pair, index) => pair === right[index]);
}

function canonicalPair({ type, value }: { type: string; value: string }): string {
  const upper = type.toUpperCase();
  const canonicalType = TYPE_ALIASES[upper] ?? upper;
  return `${canonicalType}=${value.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

function escapeValue(value: string): string {
  const escaped = value.replace(/[,+"\\<>;]/g, (character) => `\\${character}`);
  return escaped.startsWith('#') || escaped.startsWith(' ') ? `\\${escaped}` : escaped;
}

function unescapeValue(value: string): string {
  return value.replace(/\\([0-9A-Fa-f]{2}|.)/g, (_match, escaped: string) =>
    escaped.length === 2 ? String.fromCharCode(Number.parseInt(escaped, 16)) : escaped,
  );
}
