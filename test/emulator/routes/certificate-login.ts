import { constants, verify, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { RequestContext } from '../context.js';
import type { Reply } from '../reply.js';
import { findUser, type EmulatorState, type RegisteredCertificate } from '../state.js';
import { badCredential, badHeader, type LoginMethod, type LoginOutcome } from './token-service.js';

/**
 * `Authorization: CACertificate <X>` with a JSON body `{encodedData, encodedSignedData,
 * encodedDataFormat: "v2"}` (anaplan-facts §2). X is base64 of the leaf's PEM text (the official
 * form) or of its DER (seen in working clients); both are accepted. The certificate must be
 * registered to a user; the signature is SHA512withRSA over the decoded encodedData.
 */

export interface CertificateLoginOptions {
  /** Refuse v1 payloads (150 random bytes, no encodedDataFormat), as Anaplan does since 2026. */
  requireV2: boolean;
}

/** How far a v2 message's time may be from the emulator's clock, either way. */
export const CERTIFICATE_MESSAGE_WINDOW_MS = 5 * 60 * 1000;
const V2_MESSAGE_BYTES = 100;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const Base64Text = z.string().regex(BASE64);
const BodySchema = z.object({
  encodedData: Base64Text,
  encodedSignedData: Base64Text,
  encodedDataFormat: z.literal('v2').optional(),
});

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function certificateLogin(options: CertificateLoginOptions): LoginMethod {
  return {
    scheme: 'CACertificate',
    login: (credentials, ctx) => check(credentials, ctx, options),
  };
}

function check(credentials: string, ctx: RequestContext, options: CertificateLoginOptions): LoginOutcome {
  const presented = presentedCertificate(credentials.trim());
  if (!presented) return refused(badHeader('Malformed CACertificate authorization header'));
  if (!/^application\/json\b/i.test(ctx.headers['content-type'] ?? '')) return refused(badHeader('Content-Type must be application/json'));
  const body = BodySchema.safeParse(parseJson(ctx.body));
  if (!body.success) return refused(badHeader('Malformed certificate login body'));

  const { state, now } = ctx.env;
  const registration = state.certificates.find((entry) => entry.der.equals(presented.raw));
  const user = registration && findUser(state, registration.userEmail);
  if (!user) return refused(badCredential('Certificate is not registered'));
  if (Date.parse(presented.validTo) < now()) return refused(badCredential('Certificate has expired'));
  if (Date.parse(presented.validFrom) > now()) return refused(badCredential('Certificate is not yet valid'));

  const v2 = body.data.encodedDataFormat === 'v2';
  if (!v2 && options.requireV2) return refused(badCredential('encodedDataFormat v2 is required'));
  const message = Buffer.from(body.data.encodedData, 'base64');
  if (v2 && message.length !== V2_MESSAGE_BYTES) return refused(badHeader(`encodedData must be ${V2_MESSAGE_BYTES} bytes in format v2`));
  if (!v2 && message.length === 0) return refused(badHeader('encodedData is empty'));
  const signature = Buffer.from(body.data.encodedSignedData, 'base64');
  if (!verify('sha512', message, { key: presented.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature)) {
    return refused(badCredential('Signature verification failed'));
  }
  if (v2 && Math.abs(messageTime(message) - now()) > CERTIFICATE_MESSAGE_WINDOW_MS) {
    return refused(badCredential('encodedData timestamp is outside the allowed window'));
  }
  const replayKey = message.toString('base64');
  if (state.usedCertificateMessages.has(replayKey)) return refused(badCredential('encodedData has already been used'));
  state.usedCertificateMessages.add(replayKey);
  return { ok: true, user };
}

function refused(reply: Reply): LoginOutcome {
  return { ok: false, reply };
}

/** ms since the epoch from the first 8 bytes: Unix seconds, big-endian (anaplan-facts §2). */
function messageTime(message: Buffer): number {
  return Number(message.readBigUInt64BE(0)) * 1000;
}

/** The certificate of the header: base64 of one PEM block, or of DER. */
function presentedCertificate(credentials: string): X509Certificate | undefined {
  if (!BASE64.test(credentials)) return undefined;
  const decoded = Buffer.from(credentials, 'base64');
  const pem = decoded.toString('latin1');
  if (pem.trimStart().startsWith('-----BEGIN')) {
    const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
    return blocks.length === 1 ? readCertificate(blocks[0] as string) : undefined;
  }
  return readCertificate(decoded);
}

function readCertificate(source: string | Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(source);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What a Tenant Administrator does under Administration › Security › Certificates: registers
 * one leaf certificate (PEM text, DER bytes, or base64 of the DER) for a user. Like Anaplan, it
 * wants the user's email in the certificate and answers a block without one with
 * "email should not be blank [null]" (anaplan-facts §3). Registering the same certificate again
 * replaces the earlier registration.
 */
export function registerCertificate(state: EmulatorState, email: string, certificate: string | Buffer): RegisteredCertificate {
  const parsed = registrationCertificate(certificate);
  const user = findUser(state, email);
  if (!user) throw new Error(`No user ${email} in the emulator: add the user first`);
  const emails = certificateEmails(parsed);
  if (emails.length === 0) throw new Error('email should not be blank [null]');
  if (!emails.includes(user.email.toLowerCase())) throw new Error(`The certificate is issued to ${emails.join(', ')}, not to ${user.email}`);
  if (parsed.publicKey.asymmetricKeyType !== 'rsa') throw new Error('Only RSA certificates are accepted');

  const registration: RegisteredCertificate = { userEmail: user.email, der: Buffer.from(parsed.raw), fingerprint256: parsed.fingerprint256 };
  state.certificates = state.certificates.filter((entry) => !entry.der.equals(registration.der));
  state.certificates.push(registration);
  return registration;
}

function registrationCertificate(certificate: string | Buffer): X509Certificate {
  const text = typeof certificate === 'string' ? certificate : certificate.toString('latin1');
  let parsed: X509Certificate | undefined;
  if (text.includes('-----BEGIN')) {
    const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
    if (blocks.length !== 1) throw new Error(`Upload one PEM block (the leaf certificate); this text holds ${blocks.length}`);
    parsed = readCertificate(blocks[0] as string);
  } else {
    const der = typeof certificate === 'string' ? (BASE64.test(certificate.trim()) ? Buffer.from(certificate.trim(), 'base64') : undefined) : certificate;
    parsed = der && readCertificate(der);
  }
  if (!parsed) throw new Error('Not a certificate: give PEM text, DER bytes or base64 of the DER');
  return parsed;
}

/** Emails in the subjectAltName (rfc822Name) and the subject's emailAddress, lowercased (anaplan-facts §3). */
function certificateEmails(certificate: X509Certificate): string[] {
  const fromSan = (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('email:'))
    .map((entry) => entry.slice('email:'.length));
  const fromSubject = certificate.subject
    .split('\n')
    .filter((line) => line.startsWith('emailAddress='))
    .map((line) => line.slice('emailAddress='.length));
  return [...new Set([...fromSan, ...fromSubject].map((email) => email.toLowerCase()))];
}
