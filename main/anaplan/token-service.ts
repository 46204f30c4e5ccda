import * as z from 'zod';
import { AppError, isAppError } from '../errors.js';
import { charactersOutsideLatin1, hasNonAscii, latin1BasicCredentials, listCharacters } from './latin1.js';
import { proxyAuthRequired, retryAfterMs, type HttpClient, type HttpResponse } from '../net/http.js';
import { hostOf, parseAnswer, tryParseJson } from './json.js';

/** An Anaplan auth token (anaplan-facts §2): sent as `Authorization: AnaplanAuthToken <value>`. */
export interface AuthToken {
  value: string;
  /** ms since the epoch */
  expiresAt: number;
}

// Success may come as HTTP 200 or 201 (both seen); `status` is checked as well as the code.
const SuccessSchema = z.object({
  status: z.literal('SUCCESS'),
  tokenInfo: z.object({
    tokenValue: z.string().min(1),
    expiresAt: z.number(),
    tokenId: z.string().optional(),
    refreshTokenId: z.string().optional(),
  }),
});

const FailureSchema = z.object({ status: z.string(), statusMessage: z.string().optional() });

/**
 * Signs in as the exported job will: Anaplan Connect sends user:password as ISO-8859-1
 * (anaplan-facts §8), so a password it cannot send is refused before any request (a failed
 * attempt may count towards the account's lockout), and a refused one with accented characters
 * says that they are the likely cause.
 */
export async function authenticateBasic(http: HttpClient, authUrl: string, email: string, password: string): Promise<AuthToken> {
  const unsendable = charactersOutsideLatin1(password);
  if (unsendable.length > 0) {
    throw new AppError(
      'bad_input',
      `The password contains ${listCharacters(unsendable)}, which Anaplan Connect cannot send: it sends the user and password as ISO-8859-1 (Latin-1), which has no such character, so a job could never sign in with this password. Change the Anaplan password to one without ${unsendable.length === 1 ? 'it' : 'them'} (ASCII letters, digits and punctuation are safe), then test again. Nothing was sent to Anaplan.`,
    );
  }
  const response = await http.send({
    method: 'POST',
    url: `${authUrl}/token/authenticate`,
    // Basic: `Authorization: Basic base64(user:password)`, no body (anaplan-facts §2), in Anaplan Connect's ISO-8859-1.
    headers: { authorization: latin1BasicCredentials(email, password) },
    idempotent: false,
  });
  try {
    return readTokenAnswer(response, authUrl, 'basic');
  } catch (error) {
    if (!isAppError(error, 'bad_credentials') || !hasNonAscii(password)) throw error;
    throw new AppError(
      'bad_credentials',
      `${error.message} This test signed in as Anaplan Connect will, with the password in ISO-8859-1; if the password works in a browser, its accented characters are the likely cause: change it to one with ASCII characters only.`,
    );
  }
}

export type LoginKind = 'basic' | 'certificate';

export function readTokenAnswer(response: HttpResponse, authUrl: string, kind: LoginKind): AuthToken {
  const host = hostOf(authUrl);
  if (response.status === 200 || response.status === 201) {
    const body = tryParseJson(response.text);
    const failure = FailureSchema.safeParse(body);
    if (failure.success && failure.data.status !== 'SUCCESS') throw loginRefused(failure.data.status, failure.data.statusMessage, kind, host);
    const answer = parseAnswer(response, SuccessSchema, 'login', host);
    return { value: answer.tokenInfo.tokenValue, expiresAt: answer.tokenInfo.expiresAt };
  }
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    const failure = FailureSchema.safeParse(tryParseJson(response.text));
    throw loginRefused(failure.success ? failure.data.status : `HTTP ${response.status}`, failure.success ? failure.data.statusMessage : undefined, kind, host);
  }
  throw httpProblem(response, host, 'the token service', '/token/authenticate');
}

function loginRefused(status: string, statusMessage: string | undefined, kind: LoginKind, host: string): AppError {
  const said = statusMessage ? ` (Anaplan said: "${statusMessage}")` : '';
  if (kind === 'basic' && /sso|single sign|saml/i.test(statusMessage ?? '')) {
    return new AppError(
      'sso_user',
      `This user signs in through single sign-on, so a password login is refused${said}. Ask your Tenant Administrator to make the integration user an SSO exception user with an Anaplan password, or use a CA certificate instead.`,
    );
  }
  if (status === 'FAILURE_BAD_HEADER' && kind === 'certificate') {
    return new AppError(
      'unexpected_response',
      `${host} refused the certificate login request as malformed (FAILURE_BAD_HEADER)${said}. Check that the auth URL is the Anaplan token service for your region, and that the certificate file holds the one certificate issued to the user.`,
    );
  }
  if (status === 'FAILURE_BAD_HEADER') {
    return new AppError('unexpected_response', `${host} refused the login request as malformed (FAILURE_BAD_HEADER)${said}. Check that the auth URL is the Anaplan token service for your region.`);
  }
  if (kind === 'certificate') {
    return new AppError(
      'bad_credentials',
      `Anaplan refused the certificate (${status})${said}. The usual causes: ` +
        // anaplan-facts §3: the leaf is uploaded, one PEM block; another block of the chain gives "email should not be blank [null]".
        'the certificate is not registered yet (a Tenant Administrator uploads it under Administration › Security › Certificates: the leaf certificate alone, one PEM block, not the chain; uploading the chain or a CA certificate fails with "email should not be blank [null]"); ' +
        "the email in the certificate is not this Anaplan user's email; " +
        'the certificate has expired; ' +
        'or the private key is not the one that belongs to this certificate. ' +
        "The login is signed with this computer's time, so check its clock as well.",
    );
  }
  return new AppError(
    'bad_credentials',
    `Anaplan did not accept this email and password (${status})${said}. Check both (passwords are case-sensitive). If your tenant uses single sign-on, this user must be an SSO exception user with an Anaplan password; exception-user passwords often expire (every 90 days in many tenants): sign in to Anaplan in a browser to set a new one.`,
  );
}

export function httpProblem(response: HttpResponse, host: string, what: string, path: string): AppError {
  if (response.status === 404) {
    return new AppError('not_found', `${host} has no ${what} at ${path} (HTTP 404). Check the region or the custom URL.`);
  }
  if (response.status === 407) return proxyAuthRequired(host);
  if (response.status === 429) return rateLimited(response, host);
  if (response.status >= 500) return serverFailure(response, host, what);
  return new AppError('unexpected_response', `${host} answered ${path} with HTTP ${response.status}. Check the URL; if it is right, try again later.`);
}

/**
 * A 5xx, with the wait the server asked for when it said (Retry-After on a 503: RFC 9110 §15.6.4).
 * The HttpClient hands back at once an answer whose wait is longer than it sits through, so only
 * the message can tell the person when to come back. `oauthError` is an OAuth `error` code the
 * answer carried (`temporarily_unavailable`); `details.retryAfterMs` for callers that wait themselves.
 */
export function serverFailure(response: HttpResponse, host: string, what: string, oauthError?: string): AppError {
  const status = `HTTP ${response.status}${oauthError ? `, ${oauthError}` : ''}`;
  const wait = retryAfterMs(response);
  if (wait === null) {
    return new AppError('server_error', `${capitalised(what)} at ${host} failed (${status}). Anaplan may be under maintenance: check status.anaplan.com and try again later.`);
  }
  return new AppError(
    'server_error',
    `${capitalised(what)} at ${host} failed (${status}) and asked to wait ${duration(wait)}: Anaplan may be under maintenance (see status.anaplan.com). Try again after ${duration(wait)}.`,
    { retryAfterMs: wait },
  );
}

/** HTTP 429, with the wait the server asked for when it said (Retry-After); `details.retryAfterMs` for callers that wait themselves. */
function rateLimited(response: HttpResponse, host: string): AppError {
  const wait = retryAfterMs(response);
  if (wait === null) {
    return new AppError('rate_limited', `${host} is rate limiting this client (HTTP 429: too many requests). Wait a minute, then try again.`);
  }
  return new AppError('rate_limited', `${host} is rate limiting this client (HTTP 429: too many requests) and asked to wait ${duration(wait)}. Try again after ${duration(wait)}.`, {
    retryAfterMs: wait,
  });
}

/** "1 second", "45 seconds", "2 minutes", "1 hour 5 minutes": rounded up, so the advice is never too short. */
function duration(ms: number): string {
  const total = Math.max(1, Math.ceil(ms / 1000));
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (total < 120) return plural(total, 'second');
  const minutes = Math.ceil(total / 60);
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${plural(hours, 'hour')} ${plural(rest, 'minute')}` : plural(hours, 'hour');
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
