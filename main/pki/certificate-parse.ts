import { type KeyObject, X509Certificate } from 'node:crypto';
import { AppError } from '../errors.js';
import { type Tlv, Tag, TagClass, children, firstChildOfTruncated, is, oidOf, raw, readTlv, sequenceItems } from './asn1-reader.js';
import { PKCS7_SIGNED_DATA_OID, contentTypeOf, isContentInfo, pkcs7Certificates } from './pkcs7.js';
import { pemBlocks } from './pem.js';
import { Pkcs12Error, looksLikePkcs12, readPkcs12 } from './pkcs12-read.js';

/**
 * Turns whatever a CA sends back into certificates: PEM with any text around the blocks, DER,
 * PKCS#7 (PEM or DER) and PKCS#12 (OpenSSL 3 defaults and legacy algorithms alike). Everything
 * that is not a certificate gets its own message saying what it is and what to do instead.
 */

export type BundleFormat = 'pem' | 'der' | 'pkcs7-pem' | 'pkcs7-der' | 'pkcs12';

export interface ParsedBundle {
  certificates: X509Certificate[];
  /** Only a PKCS#12 file carries one. */
  privateKey: KeyObject | null;
  format: BundleFormat;
}

export interface ParseOptions {
  /** The PKCS#12 password. */
  filePassword?: string | null;
  /** How messages name the input: a path, or "The pasted text". Default "This file". */
  sourceName?: string;
  /**
   * More certificates than this and the input is refused before they are read (counted as they
   * come, copies included). A CA's reply: MAX_REPLY_CERTIFICATES. Default: no limit (a trust store).
   */
  maxCertificates?: number;
}

/**
 * The most certificates a CA's reply may hold. A real one holds the certificate and its chain:
 * one to four CA certificates, a cross-signed root now and then, some CAs' whole family of
 * intermediates in a .p7b; none comes near 32. Each certificate more is signature checks more
 * while the chain is put in order, in the desktop app's main process or the `ui` host: a
 * crafted reply with hundreds of look-alike CA certificates is refused, not worked through.
 */
export const MAX_REPLY_CERTIFICATES = 32;

const ACCEPTED =
  'expected PEM (text with -----BEGIN CERTIFICATE-----), DER (.cer/.crt), PKCS#7 (.p7b/.p7c) or PKCS#12 (.p12/.pfx). Choose the file your CA sent when it issued the certificate, or paste the certificate text in full.';

const JKS_MAGIC = 0xfeedfeed;

export function parseCertificateBundle(bytes: Buffer, options: ParseOptions = {}): ParsedBundle {
  const name = options.sourceName ?? 'This file';
  const count = new CertificateCount(options.maxCertificates ?? Number.POSITIVE_INFINITY, name);
  const text = asText(bytes);
  if (text.trim() === '') {
    throw refusal(name, 'empty', `${name} is empty: there is no certificate in it. Download the certificate from your CA again, or paste it in full (from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----).`);
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === JKS_MAGIC) {
    throw refusal(
      name,
      'jks',
      `${name} is a Java keystore (JKS), not a certificate file. Convert it to PKCS#12 first (keytool -importkeystore -srckeystore FILE -destkeystore keystore.p12 -deststoretype PKCS12), then import keystore.p12 with its password.`,
    );
  }
  if (text.includes('-----BEGIN ')) return parsePem(text, name, count);
  if (bytes[0] === 0x30) return parseDer(bytes, options, name, count);
  const base64 = text.replace(/\s+/g, '');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(base64) && base64.length >= 64) {
    // A certificate pasted as bare base64, without the BEGIN/END lines.
    const decoded = Buffer.from(base64, 'base64');
    if (decoded[0] === 0x30) return parseDer(decoded, options, name, count);
  }
  throw refusal(name, 'not_a_certificate', `${name} holds no certificate: ${ACCEPTED}`);
}

/** Latin-1 keeps every byte; a PEM saved as UTF-16 by Windows Notepad ("Unicode") starts with a byte order mark. */
function asText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

// ---- PEM ----

interface PemBlock {
  label: string;
  der: Buffer | null;
}

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS', 'CERTIFICATE CHAIN']);
const REQUEST_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);

function parsePem(text: string, name: string, count: CertificateCount): ParsedBundle {
  const blocks = decodedPemBlocks(text);
  count.add(blocks.filter((block) => CERTIFICATE_LABELS.has(block.label)).length);
  const certificates: X509Certificate[] = [];
  let sawCertificateBlock = false;
  for (const block of blocks) {
    if (CERTIFICATE_LABELS.has(block.label)) {
      sawCertificateBlock = true;
      certificates.push(certificateFromPem(block, name));
    } else if (PKCS7_LABELS.has(block.label)) {
      if (!block.der) throw pkcs7Damaged(name);
      certificates.push(...certificatesFromPkcs7Der(block.der, name, count));
    }
  }
  if (certificates.length > 0) return { certificates: unique(certificates), privateKey: null, format: sawCertificateBlock ? 'pem' : 'pkcs7-pem' };

  const labels = new Set(blocks.map((block) => block.label));
  if ([...labels].some((label) => REQUEST_LABELS.has(label))) throw csrRefusal(name);
  if ([...labels].some((label) => label.endsWith('PRIVATE KEY'))) throw privateKeyRefusal(name);
  if (labels.has('PUBLIC KEY') || labels.has('RSA PUBLIC KEY')) throw publicKeyRefusal(name);
  if (labels.has('X509 CRL')) throw crlRefusal(name);
  const unterminated = /-----BEGIN ([A-Z0-9 #]+)-----/.exec(text);
  if (unterminated && blocks.length === 0) {
    throw refusal(
      name,
      'truncated',
      `${name} is cut short: it has a "-----BEGIN ${unterminated[1] ?? ''}-----" line but no matching END line. Copy or download it again in full, from the BEGIN line to the END line.`,
    );
  }
  throw refusal(name, 'not_a_certificate', `${name} holds no certificate (its blocks are: ${[...labels].join(', ') || 'none'}): ${ACCEPTED}`);
}

function decodedPemBlocks(text: string): PemBlock[] {
  return pemBlocks(text).map(({ label, body }) => ({ label, der: decodePemBody(body) }));
}

/** The base64 between the lines, without RFC 1421 headers ("Proc-Type: …"); null when it is not base64. */
function decodePemBody(body: string): Buffer | null {
  const base64 = body
    .split(/\r?\n/)
    .filter((line) => !line.includes(':'))
    .join('')
    .replace(/\s+/g, '');
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 === 1) return null;
  return Buffer.from(base64, 'base64');
}

function certificateFromPem(block: PemBlock, name: string): X509Certificate {
  try {
    if (!block.der) throw new Error('not base64');
    // A TRUSTED CERTIFICATE block is the certificate followed by OpenSSL's trust settings.
    const der = block.label === 'TRUSTED CERTIFICATE' ? raw(readTlv(block.der)) : block.der;
    return new X509Certificate(der);
  } catch {
    throw refusal(
      name,
      'damaged_certificate',
      `The ${block.label} block in ${lowerFirst(name)} is damaged: the text between its BEGIN and END lines is not a valid certificate. Copy it again in full without changing any character, or download the certificate again.`,
    );
  }
}

// ---- DER: certificate, PKCS#7, PKCS#12, or something else ----

function parseDer(bytes: Buffer, options: ParseOptions, name: string, count: CertificateCount): ParsedBundle {
  let top: Tlv;
  try {
    top = readTlv(bytes);
  } catch {
    throw truncatedDerRefusal(bytes, name);
  }
  if (looksLikePkcs12(top)) return parsePkcs12(bytes, options, name, count);
  if (isContentInfo(top)) return { certificates: unique(certificatesFromPkcs7(top, name, count)), privateKey: null, format: 'pkcs7-der' };

  switch (derKind(top)) {
    case 'certificate':
      return { certificates: unique(derCertificates(bytes, top, name, count)), privateKey: null, format: 'der' };
    case 'request':
      throw csrRefusal(name);
    case 'private_key':
      throw privateKeyRefusal(name);
    case 'public_key':
      throw publicKeyRefusal(name);
    case 'crl':
      throw crlRefusal(name);
    default:
      throw refusal(name, 'not_a_certificate', `${name} holds no certificate: ${ACCEPTED}`);
  }
}

/** Binary data that does not parse: a PKCS#7 or PKCS#12 file cut short gets its own message. */
function truncatedDerRefusal(bytes: Buffer, name: string): AppError {
  const first = firstChildOfTruncated(bytes) ?? undefined;
  if (is(first, Tag.oid) && safeOid(first) === PKCS7_SIGNED_DATA_OID) return pkcs7Damaged(name);
  if (is(first, Tag.integer) && first.contentEnd - first.contentStart === 1 && bytes[first.contentStart] === 3) {
    return refusal(name, 'pkcs12_damaged', `${name} is a PKCS#12 file (.p12/.pfx) that is damaged or cut short. Export or download it again.`);
  }
  return refusal(name, 'not_a_certificate', `${name} holds no certificate (it is binary data that is not a certificate structure, or a file cut short): ${ACCEPTED}`);
}

function safeOid(tlv: Tlv): string | null {
  try {
    return oidOf(tlv);
  } catch {
    return null;
  }
}

type DerKind = 'certificate' | 'request' | 'private_key' | 'public_key' | 'crl' | 'unknown';

/** Tells the common DER structures apart by their shape. */
function derKind(top: Tlv): DerKind {
  let items: Tlv[];
  try {
    items = sequenceItems(top, 'a structure');
  } catch {
    return 'unknown';
  }
  const [first, second, third] = items;
  if (is(first, Tag.integer)) {
    // PrivateKeyInfo { version, algorithm, privateKey OCTET STRING }, RSAPrivateKey (9 INTEGERs), ECPrivateKey { 1, OCTET STRING, … }.
    if (is(second, Tag.sequence) && is(third, Tag.octetString)) return 'private_key';
    if (items.length >= 9 && items.every((item) => is(item, Tag.integer))) return 'private_key';
    if (is(second, Tag.octetString)) return 'private_key';
    return 'unknown';
  }
  if (items.length === 2 && is(first, Tag.sequence) && is(second, Tag.octetString)) return 'private_key'; // EncryptedPrivateKeyInfo
  if (items.length === 2 && is(first, Tag.sequence) && is(second, Tag.bitString)) return 'public_key'; // SubjectPublicKeyInfo
  if (items.length === 3 && is(first, Tag.sequence) && is(second, Tag.sequence) && is(third, Tag.bitString)) {
    // A signed structure: certificate, certification request or CRL, told apart by the signed body.
    let body: Tlv[];
    try {
      body = children(first);
    } catch {
      return 'unknown';
    }
    if (is(body[0], 0, TagClass.context) || body.length >= 6) return 'certificate';
    if (is(body[0], Tag.integer) && is(body[1], Tag.sequence) && is(body[2], Tag.sequence) && (body.length === 3 || is(body[3], 0, TagClass.context))) return 'request';
    if (body.some((item) => is(item, Tag.utcTime) || is(item, Tag.generalizedTime))) return 'crl';
    return 'certificate';
  }
  return 'unknown';
}

/** One DER certificate, or several written back to back (some tools do). */
function derCertificates(bytes: Buffer, top: Tlv, name: string, count: CertificateCount): X509Certificate[] {
  count.add(1);
  const certificates = [derCertificate(raw(top), name)];
  let offset = top.end;
  while (offset < bytes.length && bytes.subarray(offset).some((byte) => byte !== 0 && byte !== 0x0a && byte !== 0x0d && byte !== 0x20)) {
    let next: Tlv;
    try {
      next = readTlv(bytes, offset);
    } catch {
      break;
    }
    count.add(1);
    certificates.push(derCertificate(raw(next), name));
    offset = next.end;
  }
  return certificates;
}

function derCertificate(der: Buffer, name: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw refusal(name, 'damaged_certificate', `${name} looks like a binary (DER) certificate but is damaged or cut short. Download it again from your CA.`);
  }
}

// ---- PKCS#7 ----

function certificatesFromPkcs7Der(der: Buffer, name: string, count: CertificateCount): X509Certificate[] {
  let top: Tlv;
  try {
    top = readTlv(der);
  } catch {
    throw pkcs7Damaged(name);
  }
  return certificatesFromPkcs7(top, name, count);
}

function certificatesFromPkcs7(top: Tlv, name: string, count: CertificateCount): X509Certificate[] {
  let ders: Buffer[];
  try {
    if (contentTypeOf(top) !== PKCS7_SIGNED_DATA_OID) {
      throw refusal(
        name,
        'pkcs7_not_certificates',
        `${name} is a PKCS#7/CMS message of another kind (an encrypted or signed message), not a certificate bundle. Choose the certificate file your CA sent (.crt, .cer, .pem, .p7b or .pfx).`,
      );
    }
    ders = pkcs7Certificates(top);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw pkcs7Damaged(name);
  }
  if (ders.length === 0) {
    throw refusal(name, 'pkcs7_empty', `${name} is a PKCS#7 bundle with no certificate in it. Download the certificate again from your CA, choosing a format that includes it (PEM, DER or PKCS#7 with the chain).`);
  }
  count.add(ders.length);
  return ders.map((der) => {
    try {
      return new X509Certificate(der);
    } catch {
      throw pkcs7Damaged(name);
    }
  });
}

function pkcs7Damaged(name: string): AppError {
  return refusal(
    name,
    'pkcs7_damaged',
    `${name} is a PKCS#7 bundle (.p7b/.p7c) that is damaged or cut short: its structure cannot be read. Download it again from your CA, or ask for the certificate as PEM or DER instead.`,
  );
}

// ---- PKCS#12 ----

function parsePkcs12(bytes: Buffer, options: ParseOptions, name: string, count: CertificateCount): ParsedBundle {
  const password = options.filePassword;
  if (password === undefined || password === null) {
    throw refusal(
      name,
      'password_required',
      `${name} is a PKCS#12 file (.p12/.pfx) protected by a password. Give that password: the one set when the file was exported or downloaded (not your key's passphrase, and not the new keystore password).`,
      'filePassword',
    );
  }
  let contents;
  try {
    contents = readPkcs12(bytes, password);
  } catch (error) {
    if (!(error instanceof Pkcs12Error)) throw error;
    throw pkcs12Refusal(name, error);
  }
  count.add(contents.certificates.length);
  const certificates = contents.certificates.map(({ der }) => {
    try {
      return new X509Certificate(der);
    } catch {
      throw refusal(name, 'pkcs12_damaged', `${name} holds a damaged certificate. Export or download the PKCS#12 file again.`);
    }
  });
  if (certificates.length === 0) {
    throw refusal(name, 'pkcs12_empty', `${name} opens with this password but holds no certificate. Export it again including the certificate (and its chain).`);
  }
  return { certificates: unique(certificates), privateKey: contents.keys[0]?.key ?? null, format: 'pkcs12' };
}

function pkcs12Refusal(name: string, error: Pkcs12Error): AppError {
  switch (error.problem) {
    case 'wrong_password':
      return refusal(
        name,
        'password_wrong',
        `The password does not open ${lowerFirst(name)} (a PKCS#12 file). Check it (letters are case-sensitive) and try again: it is the password set when the file was exported or downloaded, not your key's passphrase or the new keystore password.`,
        'filePassword',
      );
    case 'key_password_differs':
      return refusal(
        name,
        'key_password_differs',
        `${name} opens with this password, but the private key inside has a different password of its own. Export the file again with one password for both, or import the certificate with the key file instead.`,
        'filePassword',
      );
    case 'unsupported':
      return refusal(
        name,
        'pkcs12_unsupported',
        `${name} is a PKCS#12 file, but ${error.message}. Take the certificates out with OpenSSL and import those with your key file: openssl pkcs12 -in FILE -nokeys -out certificates.pem`,
      );
    case 'damaged':
      return refusal(name, 'pkcs12_damaged', `${name} is a PKCS#12 file, but ${error.message}. Export or download it again.`);
  }
}

// ---- refusals ----

/** Certificates counted as they are found, before each is read: past the limit, the input is refused. */
class CertificateCount {
  private seen = 0;

  constructor(
    private readonly max: number,
    private readonly name: string,
  ) {}

  add(certificates: number): void {
    this.seen += certificates;
    if (this.seen <= this.max) return;
    throw refusal(
      this.name,
      'too_many_certificates',
      `${this.name} holds more than ${this.max} certificates, so it was not read. A CA's reply holds your certificate and the few CA certificates above it, never this many: this is not the reply as your CA sent it, and working through it could keep the assistant busy for minutes. Choose the file your CA sent when it issued your certificate, or paste only your certificate and its chain.`,
    );
  }
}

function csrRefusal(name: string): AppError {
  return refusal(
    name,
    'csr',
    `${name} is your request (a CSR, "CERTIFICATE REQUEST"), not the certificate: send it to the CA and import what comes back (a .crt, .cer, .pem, .p7b or .pfx file).`,
  );
}

function privateKeyRefusal(name: string): AppError {
  return refusal(
    name,
    'private_key',
    `${name} holds a private key, not a certificate. Keep it secret and where it is; give it as the key, and for the certificate choose the file your CA sent back (often .crt, .cer, .pem, .p7b or .pfx).`,
  );
}

function publicKeyRefusal(name: string): AppError {
  return refusal(name, 'public_key', `${name} holds only a public key, not a certificate. Choose the certificate file your CA sent back (often .crt, .cer, .pem, .p7b or .pfx).`);
}

function crlRefusal(name: string): AppError {
  return refusal(name, 'crl', `${name} is a certificate revocation list (CRL), not a certificate. Choose the certificate file your CA sent back (often .crt, .cer, .pem, .p7b or .pfx).`);
}

function refusal(name: string, reason: string, message: string, field = 'certificate'): AppError {
  return new AppError('bad_input', message, { reason, source: name, problems: [{ field, message }] });
}

function unique(certificates: X509Certificate[]): X509Certificate[] {
  return certificates.filter((certificate, index) => certificates.findIndex((other) => other.raw.equals(certificate.raw)) === index);
}

function lowerFirst(text: string): string {
  return text.startsWith('This ') || text.startsWith('The ') ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
