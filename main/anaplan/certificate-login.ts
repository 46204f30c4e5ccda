import { constants, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { AppError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../net/http.js';
import { toPem } from '../pki/pem.js';
import { tryParseJson } from './json.js';
import { readTokenAnswer, type AuthToken } from './token-service.js';

/**
 * CA-certificate login to the token service (anaplan-facts §2): the leaf certificate in the
 * Authorization header, a signed fresh message in the body.
 */

/** 'pem': base64 of the whole PEM text (Anaplan's docs, Anaplan Connect); 'der': base64 of the DER, the fallback. */
export type CertificateHeaderForm = 'pem' | 'der';

export const V2_MESSAGE_BYTES = 100;
const V2_TIME_BYTES = 8;
const V2_RANDOM_BYTES = V2_MESSAGE_BYTES - V2_TIME_BYTES;

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export function certificateAuthorizationHeader(leafPem: string, form: CertificateHeaderForm = 'pem'): string {
  const der = leafDer(leafPem);
  // PEM as Anaplan Connect re-encodes it before sending: 64-character lines, BEGIN/END lines, a final newline (anaplan-facts §2).
  const value = form === 'pem' ? Buffer.from(toPem('CERTIFICATE', der), 'ascii') : der;
  return `CACertificate ${value.toString('base64')}`;
}

/** The one certificate of the text, as DER. A chain is refused: Anaplan knows the user by the leaf alone (anaplan-facts §3). */
function leafDer(leafPem: string): Buffer {
  const blocks = leafPem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length !== 1) {
    throw new AppError(
      'bad_input',
      blocks.length === 0
        ? 'No certificate found: give the leaf certificate as PEM (-----BEGIN CERTIFICATE-----).'
        : `The certificate text holds ${blocks.length} certificates. Give only the leaf certificate (the one issued to the user), not the chain.`,
    );
  }
  try {
    return Buffer.from(new X509Certificate(blocks[0] as string).raw);
  } catch {
    throw new AppError('bad_input', 'The certificate cannot be read: its PEM block is damaged. Export the issued certificate again as PEM.');
  }
}

/** 8 bytes of Unix time in seconds, big-endian, then 92 random bytes (anaplan-facts §2, v2). */
export function v2Message(now: () => number = Date.now, random: (n: number) => Buffer = randomBytes): Buffer {
  const time = Buffer.alloc(V2_TIME_BYTES);
  time.writeBigUInt64BE(BigInt(Math.floor(now() / 1000)));
  const tail = random(V2_RANDOM_BYTES);
  if (tail.length !== V2_RANDOM_BYTES) throw new Error(`expected ${V2_RANDOM_BYTES} random bytes, got ${tail.length}`);
  return Buffer.concat([time, tail]);
}

export interface V2Body {
  encodedData: string;
  encodedSignedData: string;
  encodedDataFormat: 'v2';
}

/** SHA512withRSA (RSASSA-PKCS1-v1_5 with SHA-512) over the raw message bytes (anaplan-facts §2). */
export function v2Body(message: Buffer, privateKey: KeyObject): V2Body {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new AppError('bad_input', 'Certificate login needs the RSA private key of the certificate (Anaplan accepts RSA keys only).');
  }
  const signature = sign('sha512', message, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  return { encodedData: message.toString('base64'), encodedSignedData: signature.toString('base64'), encodedDataFormat: 'v2' };
}

/** v1, what Anaplan Connect 4.1.0 sends (anaplan-facts §2, §8): 150 random bytes signed SHA512withRSA, no encodedDataFormat. */
export const V1_MESSAGE_BYTES = 150;

export interface V1Body {
  encodedData: string;
  encodedSignedData: string;
}

export function v1Body(privateKey: KeyObject, random: (n: number) => Buffer = randomBytes): V1Body {
  const { encodedData, encodedSignedData } = v2Body(random(V1_MESSAGE_BYTES), privateKey);
  return { encodedData, encodedSignedData };
}

/** 'v2': Anaplan's current payload; 'v1': the one Anaplan Connect 4.1.0 sends. */
export type CertificatePayload = 'v1' | 'v2';

export interface CertificateLoginOptions {
  /** Default 'pem'; with 'pem', a FAILURE_BAD_HEADER answer is retried once in the 'der' form. */
  headerForm?: CertificateHeaderForm;
  /** Default 'v2'. */
  payload?: CertificatePayload;
}

export async function authenticateCertificate(
  http: HttpClient,
  authUrl: string,
  leafPem: string,
  privateKey: KeyObject,
  options: CertificateLoginOptions = {},
): Promise<AuthToken> {
  const form = options.headerForm ?? 'pem';
  const payload = options.payload ?? 'v2';
  let response = await sendLogin(http, authUrl, leafPem, privateKey, form, payload);
  // Some working clients send the DER form (anaplan-facts §2): try it once if the PEM form is called malformed.
  if (form === 'pem' && payload === 'v2' && isBadHeader(response)) response = await sendLogin(http, authUrl, leafPem, privateKey, 'der', payload);
  return readTokenAnswer(response, authUrl, 'certificate');
}

function sendLogin(http: HttpClient, authUrl: string, leafPem: string, privateKey: KeyObject, form: CertificateHeaderForm, payload: CertificatePayload): Promise<HttpResponse> {
  return http.send({
    method: 'POST',
    url: `${authUrl}/token/authenticate`,
    headers: { authorization: certificateAuthorizationHeader(leafPem, form), 'content-type': 'application/json' },
    // A fresh message for every attempt, the HttpClient's retries included (anaplan-facts §2):
    // a token service that saw a message once refuses it as a replay.
    body: () => JSON.stringify(payload === 'v2' ? v2Body(v2Message(), privateKey) : v1Body(privateKey)),
    idempotent: false,
  });
}

const StatusSchema = z.object({ status: z.string() });

function isBadHeader(response: HttpResponse): boolean {
  const answer = StatusSchema.safeParse(tryParseJson(response.text));
  return response.status === 400 && answer.success && answer.data.status === 'FAILURE_BAD_HEADER';
}
