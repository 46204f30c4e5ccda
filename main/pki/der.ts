import forge from './forge.js';

/**
 * Small builders over node-forge's ASN.1 (forge works on "binary strings": one char per byte).
 * Only DER structure lives here; every cryptographic operation uses node:crypto.
 */

export type Asn1 = forge.asn1.Asn1;

const { Class, Type } = forge.asn1;

export function sequence(items: Asn1[]): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
}

export function set(items: Asn1[]): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.SET, true, items);
}

export function oid(dotted: string): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(dotted).getBytes());
}

export function nullValue(): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
}

export function integer(value: number): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(value).getBytes());
}

export function boolean(value: boolean): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, value ? '\xff' : '\x00');
}

export function octetString(bytes: Uint8Array): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, binary(bytes));
}

/** A BIT STRING whose first content byte is the number of unused bits in the last byte. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, String.fromCharCode(unusedBits) + binary(bytes));
}

export function utf8String(text: string): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.UTF8, false, forge.util.encodeUtf8(text));
}

export function printableString(text: string): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.PRINTABLESTRING, false, text);
}

export function ia5String(text: string): Asn1 {
  return forge.asn1.create(Class.UNIVERSAL, Type.IA5STRING, false, text);
}

/** [tag] IMPLICIT, primitive: e.g. rfc822Name [1] IA5String inside GeneralName. */
export function contextPrimitive(tag: number, bytes: string): Asn1 {
  return forge.asn1.create(Class.CONTEXT_SPECIFIC, tag, false, bytes);
}

/** [tag] IMPLICIT SET/SEQUENCE OF: e.g. the attributes [0] of a CertificationRequestInfo. */
export function contextConstructed(tag: number, items: Asn1[]): Asn1 {
  return forge.asn1.create(Class.CONTEXT_SPECIFIC, tag, true, items);
}

/** An AlgorithmIdentifier with NULL parameters (RSA signatures, HMAC PRFs). */
export function algorithm(dotted: string, parameters: Asn1 = nullValue()): Asn1 {
  return sequence([oid(dotted), parameters]);
}

export function fromDer(bytes: Uint8Array): Asn1 {
  return forge.asn1.fromDer(binary(bytes));
}

export function toDer(value: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(value).getBytes(), 'binary');
}

function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('binary');
}
