/**
 * A small reader for DER (and the BER that PKCS#7 and PKCS#12 files from some tools use:
 * indefinite lengths, constructed OCTET STRINGs). It works on offsets into the original bytes,
 * so a certificate found inside a bundle is sliced out byte for byte, never re-encoded: its
 * fingerprint and the PEM the Tenant Administrator uploads stay exactly what the CA signed.
 */

export class Asn1Error extends Error {
  override readonly name = 'Asn1Error';
}

export const TagClass = { universal: 0, application: 1, context: 2, private: 3 } as const;

export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  teletexString: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  universalString: 28,
  bmpString: 30,
} as const;

export interface Tlv {
  tagClass: number;
  tagNumber: number;
  constructed: boolean;
  /** Offset of the identifier octet in `source`. */
  start: number;
  contentStart: number;
  /** Offset after the content (before the end-of-contents octets of an indefinite length). */
  contentEnd: number;
  /** Offset after the whole element. */
  end: number;
  source: Buffer;
}

/** Nesting deeper than this is not a certificate file (and would only exhaust the stack). */
const MAX_DEPTH = 64;

export function readTlv(source: Buffer, offset = 0, limit = source.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new Asn1Error('ASN.1 nested too deeply');
  let position = offset;
  const byte = (): number => {
    if (position >= limit) throw new Asn1Error('ASN.1 data cut short');
    return source[position++] ?? 0;
  };
  const first = byte();
  const tagClass = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let next = byte(), count = 0; ; next = byte(), count++) {
      if (count > 3) throw new Asn1Error('ASN.1 tag number too large');
      tagNumber = tagNumber * 128 + (next & 0x7f);
      if ((next & 0x80) === 0) break;
    }
  }
  const lengthByte = byte();
  if (lengthByte === 0x80) {
    if (!constructed) throw new Asn1Error('indefinite length on a primitive ASN.1 element');
    const contentStart = position;
    let cursor = contentStart;
    for (;;) {
      if (cursor + 2 <= limit && source[cursor] === 0 && source[cursor + 1] === 0) {
        return { tagClass, tagNumber, constructed, start: offset, contentStart, contentEnd: cursor, end: cursor + 2, source };
      }
      cursor = readTlv(source, cursor, limit, depth + 1).end;
    }
  }
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const octets = lengthByte & 0x7f;
    if (octets > 4) throw new Asn1Error('ASN.1 length too large');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + byte();
  }
  const contentStart = position;
  const contentEnd = contentStart + length;
  if (contentEnd > limit) throw new Asn1Error('ASN.1 data cut short');
  return { tagClass, tagNumber, constructed, start: offset, contentStart, contentEnd, end: contentEnd, source };
}

/**
 * For a file cut short: the first element inside the outer SEQUENCE, when that much is intact
 * (enough to tell a PKCS#7 or PKCS#12 file from other data); null otherwise.
 */
export function firstChildOfTruncated(bytes: Buffer): Tlv | null {
  if (bytes[0] !== 0x30 || bytes.length < 4) return null;
  const lengthByte = bytes[1] ?? 0;
  const headerLength = lengthByte & 0x80 ? 2 + (lengthByte & 0x7f) : 2;
  try {
    return readTlv(bytes, headerLength);
  } catch {
    return null;
  }
}

export function children(tlv: Tlv, depth = 0): Tlv[] {
  if (!tlv.constructed) throw new Asn1Error('expected a constructed ASN.1 element');
  const items: Tlv[] = [];
  for (let cursor = tlv.contentStart; cursor < tlv.contentEnd; ) {
    const child = readTlv(tlv.source, cursor, tlv.contentEnd, depth + 1);
    items.push(child);
    cursor = child.end;
  }
  return items;
}

/** The whole element (identifier, length, content), as a view of the original bytes. */
export function raw(tlv: Tlv): Buffer {
  return tlv.source.subarray(tlv.start, tlv.end);
}

/** The content octets; for a constructed (BER) string, the concatenated content of its parts. */
export function content(tlv: Tlv, depth = 0): Buffer {
  if (!tlv.constructed) return tlv.source.subarray(tlv.contentStart, tlv.contentEnd);
  return Buffer.concat(children(tlv, depth).map((part) => content(part, depth + 1)));
}

export function is(tlv: Tlv | undefined, tagNumber: number, tagClass: number = TagClass.universal): tlv is Tlv {
  return tlv !== undefined && tlv.tagNumber === tagNumber && tlv.tagClass === tagClass;
}

export function expect(tlv: Tlv | undefined, tagNumber: number, what: string, tagClass: number = TagClass.universal): Tlv {
  if (!is(tlv, tagNumber, tagClass)) throw new Asn1Error(`expected ${what}`);
  return tlv;
}

/** The children of a SEQUENCE (or SET), checked to be one. */
export function sequenceItems(tlv: Tlv | undefined, what: string): Tlv[] {
  if (!tlv || tlv.tagClass !== TagClass.universal || (tlv.tagNumber !== Tag.sequence && tlv.tagNumber !== Tag.set) || !tlv.constructed) {
    throw new Asn1Error(`expected ${what}`);
  }
  return children(tlv);
}

/** [n] EXPLICIT: the single element inside a context-specific constructed tag. */
export function explicit(tlv: Tlv | undefined, tagNumber: number, what: string): Tlv {
  const wrapper = expect(tlv, tagNumber, what, TagClass.context);
  const [inner] = children(wrapper);
  if (!inner) throw new Asn1Error(`expected ${what}`);
  return inner;
}

export function oidOf(tlv: Tlv | undefined): string {
  const bytes = content(expect(tlv, Tag.oid, 'an object identifier'));
  if (bytes.length === 0) throw new Asn1Error('empty object identifier');
  const arcs: string[] = [];
  let value = 0n;
  for (const [index, byte] of bytes.entries()) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (byte & 0x80) {
      if (index === bytes.length - 1) throw new Asn1Error('object identifier cut short');
      continue;
    }
    if (arcs.length === 0) {
      const first = value < 80n ? value / 40n : 2n;
      arcs.push(String(first), String(value - first * 40n));
    } else {
      arcs.push(String(value));
    }
    value = 0n;
  }
  return arcs.join('.');
}

/** A non-negative INTEGER small enough for a number (versions, iteration counts, lengths). */
export function smallIntegerOf(tlv: Tlv | undefined): number {
  const bytes = content(expect(tlv, Tag.integer, 'an integer'));
  if (bytes.length === 0 || bytes.length > 6 || (bytes[0] ?? 0) & 0x80) throw new Asn1Error('integer out of range');
  return bytes.reduce((sum, byte) => sum * 256 + byte, 0);
}

export function booleanOf(tlv: Tlv | undefined): boolean {
  return (content(expect(tlv, Tag.boolean, 'a boolean'))[0] ?? 0) !== 0;
}

/** The text of any of the string types found in names and extensions. */
export function stringOf(tlv: Tlv): string {
  const bytes = content(tlv);
  switch (tlv.tagNumber) {
    case Tag.bmpString:
      return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : bytes.toString('latin1');
    case Tag.universalString:
      return decodeUtf32be(bytes);
    case Tag.teletexString:
      // T.61 in theory; in practice Latin-1 in the certificates that use it.
      return bytes.toString('latin1');
    default:
      return bytes.toString('utf8');
  }
}

const MAX_CODE_POINT = 0x10ffff;
const REPLACEMENT_CHARACTER = 0xfffd;

function decodeUtf32be(bytes: Buffer): string {
  let text = '';
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const codePoint = bytes.readUInt32BE(i);
    text += String.fromCodePoint(codePoint <= MAX_CODE_POINT ? codePoint : REPLACEMENT_CHARACTER);
  }
  return text;
}

/** UTCTime (YYMMDDHHMMSSZ, 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSS[.fff]Z). */
export function timeOf(tlv: Tlv | undefined): Date {
  if (!tlv || (tlv.tagNumber !== Tag.utcTime && tlv.tagNumber !== Tag.generalizedTime)) throw new Asn1Error('expected a time');
  const text = content(tlv).toString('latin1');
  const match =
    tlv.tagNumber === Tag.utcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text);
  if (!match) throw new Asn1Error(`unreadable time "${text}"`);
  const [, yearText, month, day, hour, minute, second] = match;
  let year = Number(yearText);
  if (tlv.tagNumber === Tag.utcTime) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? 0)));
}
