import { isLoopbackHostname } from '../net/loopback.js';
import { setTimeout as delay } from 'node:timers/promises';
import * as z from 'zod';
import { AppError, isAppError } from '../errors.js';
import type { HttpClient, HttpResponse } from '../net/http.js';
import { hostOf, parseAnswer, tryParseJson } from './json.js';
import { knownAnaplanHosts } from './regions.js';
import { httpProblem, serverFailure } from './token-service.js';

/**
 * The OAuth 2.0 device authorization grant (RFC 8628) as Anaplan offers it (anaplan-facts §4):
 * ask for a device code, show the user code and the verification page, poll the token endpoint
 * until the user has signed in, and refresh tokens later. Every request goes through the one
 * HttpClient; every wait honours the server's interval and the caller's AbortSignal.
 */

/** anaplan-facts §4: `offline_access` brings the refresh token an unattended job needs. */
export const DEVICE_SCOPE = 'openid profile email offline_access';
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default." */
export const DEFAULT_POLL_INTERVAL_S = 5;
/** RFC 8628 §3.5: slow_down adds 5 seconds to the interval, for this and every later poll. */
export const SLOW_DOWN_STEP_S = 5;
/** Consecutive failed polls (network, 5xx) back off up to this, and never below the interval. */
export const MAX_RETRY_BACKOFF_MS = 60_000;

/**
 * RFC 8628 servers accept form bodies only; Anaplan's Postman collection and Anaplan Connect send
 * JSON, and both are seen working with Anaplan (anaplan-facts §4). A per-endpoint setting.
 */
export type BodyEncoding = 'form' | 'json';
export const DEFAULT_BODY_ENCODING: BodyEncoding = 'form';

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  /** Seconds the code lives, counted from `issuedAt`. */
  expiresIn: number;
  /** Seconds between polls; 5 when the server gave none. */
  interval: number;
  /** ms since the epoch, by the options' clock, when the answer arrived. */
  issuedAt: number;
}

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Seconds the access token lives (2100 seen at Anaplan). */
  expiresIn: number | null;
  scope: string | null;
  tokenType: string | null;
}

export interface RefreshedTokens extends OAuthTokens {
  /**
   * True when the server sent a refresh token other than the one used: a rotatable client's new
   * token, which must be saved (the old one stops working). When the server sent none,
   * `refreshToken` is the one used (RFC 6749 §6) and this is false.
   */
  refreshTokenRotated: boolean;
}

export type PollStatus =
  | { state: 'pending'; nextPollInMs: number; interval: number; expiresInMs: number }
  | { state: 'slow_down'; interval: number }
  | { state: 'retrying'; reason: string; nextPollInMs: number };

export interface DeviceGrantOptions {
  http: HttpClient;
  deviceAuthorizationUrl: string;
  tokenUrl: string;
  clientId: string;
  encoding?: BodyEncoding;
  signal?: AbortSignal;
  /** ms since the epoch; tests pass a fake clock together with `sleep`. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onStatus?: (status: PollStatus) => void;
}

export interface RefreshOptions {
  http: HttpClient;
  tokenUrl: string;
  clientId: string;
  refreshToken: string;
  encoding?: BodyEncoding;
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------
// Input checks

/** Anaplan's client IDs are 32 hex characters; other servers use other URL-safe tokens. */
const ANAPLAN_CLIENT_ID = /^[0-9a-f]{32}$/i;
/** Client IDs the assistant accepts: RFC 3986 unreserved characters, 8–128 of them (Anaplan shows 32 hex). */
export const URL_SAFE_CLIENT_ID = /^[A-Za-z0-9._~-]{8,128}$/;

/** anaplan-facts §4: a rotatable client's refresh-token lifetime unless the administrator set another (at most about a year). */
export const DEFAULT_ROTATABLE_LIFETIME_SECONDS = 43_000;
const CLIENT_ID_SHAPE =
  'Anaplan client IDs are 32 hexadecimal characters (Administration › Security › OAuth Clients); any URL-safe ID of 8 to 128 letters, digits, "-", ".", "_" or "~" is accepted';

/**
 * Checks the shape of a client ID before anything is sent. Surrounding blanks (a copy-paste
 * artefact) are dropped; the trimmed ID is returned.
 */
export function checkClientId(clientId: string): string {
  const value = clientId.trim();
  const refuse = (message: string): never => {
    throw new AppError('bad_input', message, { problems: [{ field: 'clientId', message }] });
  };
  if (!value) return refuse(`Enter the OAuth client ID of the Device grant client. ${CLIENT_ID_SHAPE}.`);
  if (/\s/.test(value)) return refuse(`The client ID contains spaces or line breaks: copy it again from Administration › Security › OAuth Clients. ${CLIENT_ID_SHAPE}.`);
  if (/[^\x21-\x7e]/.test(value)) {
    return refuse(`The client ID contains control or non-ASCII characters (often picked up when copying from a document or chat): type or copy it again. ${CLIENT_ID_SHAPE}.`);
  }
  if (!URL_SAFE_CLIENT_ID.test(value)) {
    return refuse(`"${value.length > 40 ? `${value.slice(0, 40)}…` : value}" (${value.length} characters) does not look like a client ID. ${CLIENT_ID_SHAPE}.`);
  }
  return value;
}

/** True for the 32-hex-character shape of Anaplan's client IDs (a hint for the UI, not a check). */
export function looksLikeAnaplanClientId(clientId: string): boolean {
  return ANAPLAN_CLIENT_ID.test(clientId.trim());
}

/**
 * Whether a verification URI the server sent may be shown, encoded as a QR code and opened: https
 * (http only on loopback), no credentials in it, and on the OAuth host in use (same host and
 * port) or one of Anaplan's own hosts (the region table, anaplan-facts §1). A reply naming any other page is refused whole
 * (`untrustedSignInPage`): a code shown beside a stranger's page is a phishing kit.
 */
export function isVerificationUriSafe(uri: string, oauthUrl: string): boolean {
  let target: URL;
  let oauth: URL;
  try {
    target = new URL(uri);
    oauth = new URL(oauthUrl);
  } catch {
    return false;
  }
  if (target.username || target.password) return false;
  const secure = target.protocol === 'https:' || (target.protocol === 'http:' && isLoopbackHostname(target.hostname));
  const host = target.host.toLowerCase();
  return secure && (host === oauth.host.toLowerCase() || (target.protocol === 'https:' && knownAnaplanHosts().has(host)));
}

/** The refusal of a device-code reply whose sign-in page is not one to send a person to: it names the host only. */
export function untrustedSignInPage(uri: string, oauthUrl: string): AppError {
  let named: string;
  try {
    const target = new URL(uri);
    named = target.protocol === 'https:' || target.protocol === 'http:' ? `${target.protocol}//${target.host}` : `a ${target.protocol} address`;
  } catch {
    named = 'an address that is not a URL';
  }
  return new AppError(
    'unexpected_response',
    `The server's answer sends you to sign in at ${named}, which is neither the OAuth 2.0 host in use (${new URL(oauthUrl).host}) nor one of Anaplan's, so no code, link or QR code is shown. Check the region or the OAuth 2.0 host and try again; if they are right, tell your Anaplan administrator: this answer did not come from Anaplan.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Device authorization request (RFC 8628 §3.1–3.2)

/** Whole seconds, as a number or a numeric string (some servers quote them). */
const Seconds = z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().finite().nonnegative());
const OptionalText = z.string().min(1).nullish();

const DeviceAnswerSchema = z
  .object({
    device_code: z.string().min(1),
    user_code: z.string().min(1),
    verification_uri: z.string().min(1).optional(),
    // Some servers (Google's, for one) still use the draft's name.
    verification_url: z.string().min(1).optional(),
    verification_uri_complete: OptionalText,
    expires_in: Seconds.refine((value) => value > 0),
    interval: Seconds.nullish().catch(undefined),
  })
  .refine((answer) => answer.verification_uri !== undefined || answer.verification_url !== undefined);

export async function requestDeviceCode(options: DeviceGrantOptions): Promise<DeviceCode> {
  const clientId = checkClientId(options.clientId);
  const now = options.now ?? Date.now;
  const url = options.deviceAuthorizationUrl;
  const response = await send(options.http, url, { client_id: clientId, scope: DEVICE_SCOPE }, options.encoding, options.signal, true);
  const host = hostOf(url);
  const error = oauthErrorOf(response);
  if ((response.status === 200 || response.status === 201) && !error) {
    const answer = parseAnswer(response, DeviceAnswerSchema, 'device code request', host);
    const interval = answer.interval === undefined || answer.interval === null ? DEFAULT_POLL_INTERVAL_S : Math.max(1, answer.interval);
    return {
      deviceCode: answer.device_code,
      userCode: answer.user_code,
      verificationUri: answer.verification_uri ?? answer.verification_url ?? '',
      verificationUriComplete: answer.verification_uri_complete ?? null,
      expiresIn: answer.expires_in,
      interval,
      issuedAt: now(),
    };
  }
  throw failure(response, error, { host, clientId, step: 'device', path: pathOf(url) });
}

// ---------------------------------------------------------------------------------------------
// Polling the token endpoint (RFC 8628 §3.4–3.5)

const TokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: OptionalText,
  id_token: OptionalText,
  scope: z.string().nullish(),
  expires_in: Seconds.nullish().catch(undefined),
  token_type: z.string().nullish(),
});

/** The AppError codes a failed poll is retried after, within the code's lifetime. */
const RETRYABLE_CODES = new Set(['network', 'timeout', 'server_error', 'rate_limited']);

export async function pollForTokens(code: DeviceCode, options: DeviceGrantOptions): Promise<OAuthTokens> {
  const clientId = checkClientId(options.clientId);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const { signal, onStatus } = options;
  const host = hostOf(options.tokenUrl);
  const deadline = code.issuedAt + code.expiresIn * 1000;
  let intervalS = Math.max(1, Number.isFinite(code.interval) && code.interval > 0 ? code.interval : DEFAULT_POLL_INTERVAL_S);
  // Spacing is counted from the end of the previous exchange (the device code answer before the
  // first poll), so the server sees at least the interval between two polls' arrivals.
  let lastExchangeEnd = code.issuedAt;
  let failures = 0;
  // The last failed poll while failures > 0: what to report if the code runs out meanwhile.
  let lastFailure: AppError | null = null;
  // Consecutive failures back off (never below the interval), and a 429's Retry-After is honoured.
  const failureWaitMs = (): number => {
    const backoff = Math.max(intervalS * 1000, Math.min(intervalS * 1000 * 2 ** (failures - 1), MAX_RETRY_BACKOFF_MS));
    const asked = lastFailure?.details?.retryAfterMs;
    return typeof asked === 'number' && asked > backoff ? asked : backoff;
  };

  const waitUntil = async (target: number): Promise<void> => {
    // A timer may fire a millisecond early by the wall clock: look again (a bounded number of
    // times, so an injected sleep that does not move the clock cannot spin forever).
    for (let round = 0; round < 3; round++) {
      const left = target - now();
      if (left <= 0) return;
      await abortable(sleep(left, signal), signal);
    }
  };

  for (;;) {
    if (signal?.aborted) throw cancelledError();
    const waitMs = failures === 0 ? intervalS * 1000 : failureWaitMs();
    const pollAt = lastExchangeEnd + waitMs;
    if (pollAt >= deadline) {
      await waitUntil(deadline);
      // The code ran out while the service kept failing: that, not a slow user, is the news.
      throw lastFailure ? stalledError(lastFailure) : expiredError(code, null, null);
    }
    await waitUntil(pollAt);

    let outcome: PollOutcome;
    try {
      const response = await send(
        options.http,
        options.tokenUrl,
        { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: code.deviceCode, client_id: clientId },
        options.encoding,
        signal,
        // No retries by the HttpClient: its quick retries would poll sooner than the interval.
        // Failed polls are retried here, at the interval.
        false,
        true,
      );
      outcome = readPollAnswer(response, code, { host, clientId, step: 'poll', path: pathOf(options.tokenUrl) });
    } catch (error) {
      lastExchangeEnd = now();
      if (signal?.aborted) throw cancelledError();
      if (!isAppError(error) || !RETRYABLE_CODES.has(error.code)) throw error;
      failures++;
      lastFailure = error;
      onStatus?.({ state: 'retrying', reason: error.message, nextPollInMs: failureWaitMs() });
      continue;
    }
    lastExchangeEnd = now();
    failures = 0;
    lastFailure = null;
    switch (outcome.kind) {
      case 'tokens':
        return outcome.tokens;
      case 'pending':
        onStatus?.({ state: 'pending', nextPollInMs: intervalS * 1000, interval: intervalS, expiresInMs: Math.max(0, deadline - lastExchangeEnd) });
        break;
      case 'slow_down':
        intervalS += SLOW_DOWN_STEP_S;
        onStatus?.({ state: 'slow_down', interval: intervalS });
        break;
    }
  }
}

type PollOutcome = { kind: 'tokens'; tokens: OAuthTokens } | { kind: 'pending' } | { kind: 'slow_down' };

function readPollAnswer(response: HttpResponse, code: DeviceCode, context: FailureContext): PollOutcome {
  const error = oauthErrorOf(response);
  if ((response.status === 200 || response.status === 201) && !error) {
    return { kind: 'tokens', tokens: readTokens(response, context.host) };
  }
  if (error && response.status < 500) {
    if (error.error === 'authorization_pending') return { kind: 'pending' };
    if (error.error === 'slow_down') return { kind: 'slow_down' };
    if (error.error === 'expired_token') throw expiredError(code, error, context.host);
  }
  throw failure(response, error, context);
}

function readTokens(response: HttpResponse, host: string): OAuthTokens {
  const answer = parseAnswer(response, TokenAnswerSchema, 'token request', host);
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? null,
    idToken: answer.id_token ?? null,
    expiresIn: answer.expires_in ?? null,
    scope: answer.scope ?? null,
    tokenType: answer.token_type ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Refresh (RFC 6749 §6)

export async function refreshTokens(options: RefreshOptions): Promise<RefreshedTokens> {
  const clientId = checkClientId(options.clientId);
  const refreshToken = options.refreshToken.trim();
  if (!refreshToken) throw new AppError('bad_input', 'There is no refresh token to use: register the device (sign in with a new code) first.');
  const response = await send(
    options.http,
    options.tokenUrl,
    { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken },
    options.encoding,
    options.signal,
    // A rotatable client retires the old refresh token when it answers: a blind repeat would
    // then fail with invalid_grant and lose the new one.
    false,
  );
  const host = hostOf(options.tokenUrl);
  const error = oauthErrorOf(response);
  if ((response.status === 200 || response.status === 201) && !error) {
    const tokens = readTokens(response, host);
    const rotated = tokens.refreshToken !== null && tokens.refreshToken !== refreshToken;
    return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken, refreshTokenRotated: rotated };
  }
  throw failure(response, error, { host, clientId, step: 'refresh', path: pathOf(options.tokenUrl) });
}

// ---------------------------------------------------------------------------------------------
// Requests

async function send(
  http: HttpClient,
  url: string,
  params: Record<string, string>,
  encoding: BodyEncoding = DEFAULT_BODY_ENCODING,
  signal: AbortSignal | undefined,
  idempotent: boolean,
  noRetry = false,
): Promise<HttpResponse> {
  if (signal?.aborted) throw cancelledError();
  const body =
    encoding === 'json'
      ? { type: 'application/json', text: JSON.stringify(params) }
      : { type: 'application/x-www-form-urlencoded', text: new URLSearchParams(params).toString() };
  try {
    return await abortable(
      http.send({
        method: 'POST',
        url,
        headers: { 'content-type': body.type, accept: 'application/json' },
        body: body.text,
        idempotent,
        noRetry,
        ...(signal ? { signal } : {}),
      }),
      signal,
    );
  } catch (error) {
    if (signal?.aborted) throw cancelledError();
    throw error;
  }
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : {});
}

/** Settles as the promise does, or with AppError('cancelled') as soon as the signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(cancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? cancelledError() : error);
      },
    );
  });
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

// ---------------------------------------------------------------------------------------------
// Errors

interface OAuthErrorAnswer {
  error: string;
  description: string | null;
}

/** The RFC 6749 §5.2 error object, whatever the HTTP status (some servers answer errors with 200). */
function oauthErrorOf(response: HttpResponse): OAuthErrorAnswer | undefined {
  const body = tryParseJson(response.text);
  if (typeof body !== 'object' || body === null) return undefined;
  const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
  if (typeof error !== 'string' || !error) return undefined;
  return { error, description: typeof description === 'string' && description.trim() ? description : null };
}

interface FailureContext {
  host: string;
  clientId: string;
  step: 'device' | 'poll' | 'refresh';
  path: string;
}

const SSO_WORDS = /\bsso\b|single[ -]sign|saml/i;
const SSO_HINT =
  'The device grant is disabled for users who sign in with single sign-on (SSO): the integration user must be an SSO exception user who signs in with an Anaplan password. Ask your Tenant Administrator to make it one, then sign in as that user.';

function failure(response: HttpResponse, error: OAuthErrorAnswer | undefined, context: FailureContext): AppError {
  const { host } = context;
  if (response.status >= 500 || response.status === 429 || error?.error === 'temporarily_unavailable') {
    // Retried by the poll loop within the code's lifetime.
    if (response.status === 429) return httpProblem(response, host, 'the OAuth service', context.path);
    return serverFailure(response, host, 'the OAuth service', error?.error);
  }
  if (error) return oauthFailure(error, context);
  if (response.status === 400) {
    return new AppError('unexpected_response', `${host} refused the request (HTTP 400) without an OAuth error${serverWords(response.text)}. Check the device authorization and token URLs; if they are right, try the other body encoding (form or JSON).`);
  }
  if (response.status === 415) {
    return new AppError('unexpected_response', `${host} does not accept this body encoding (HTTP 415)${serverWords(response.text)}. Switch the encoding for this endpoint (form for standard RFC 8628 servers, JSON as Anaplan Connect sends) and try again.`);
  }
  if (response.status === 200 || response.status === 201) {
    return new AppError('unexpected_response', `${host} answered with HTTP ${response.status} but no usable answer. Check that the URL is the OAuth service.`);
  }
  return httpProblem(response, host, 'the OAuth service', context.path);
}

function oauthFailure(answer: OAuthErrorAnswer, context: FailureContext): AppError {
  const said = answer.description ? ` (the server said: "${clean(answer.description)}")` : '';
  const sso = SSO_WORDS.test(answer.description ?? '');
  const details = { oauthError: answer.error, errorDescription: answer.description, sso };
  switch (answer.error) {
    case 'access_denied':
      return new AppError(
        'access_denied',
        sso
          ? `The sign-in was declined${said}. ${SSO_HINT} Then get a new code.`
          : `The sign-in was declined${said}: whoever signed in on the verification page did not allow access, or Anaplan refused this user. Get a new code and sign in as the integration user. If that user signs in with single sign-on (SSO), the device grant is disabled for it: the integration user must be an SSO exception user who signs in with an Anaplan password.`,
        details,
      );
    case 'invalid_client':
    case 'unauthorized_client':
      return new AppError(
        'invalid_client',
        `Anaplan did not accept the client ID ${context.clientId}${said}: the client ID is wrong or the OAuth client is not a Device grant client. Check it under Administration › Security › OAuth Clients (a Tenant security administrator creates a client of type "Device grant"; it has no secret).${sso ? ` ${SSO_HINT}` : ''}`,
        details,
      );
    case 'invalid_grant':
      if (context.step === 'refresh') {
        return new AppError(
          'invalid_grant',
          `The refresh token is no longer accepted${said}: it expired, was revoked, or was replaced (a rotatable OAuth client issues a new refresh token at every refresh, and the old one stops working). Sign in again with a new code to get a new refresh token.${sso ? ` ${SSO_HINT}` : ''}`,
          details,
        );
      }
      return new AppError(
        'invalid_grant',
        `The server no longer accepts this device code${said}: it was already used, or it belongs to another client. Get a new code.${sso ? ` ${SSO_HINT}` : ''}`,
        details,
      );
    case 'expired_token':
      return new AppError('expired', `The code expired${said}: get a new code and finish the sign-in before it runs out.`, details);
    case 'unsupported_grant_type':
      return new AppError(
        'unexpected_response',
        `${context.host} does not offer this grant at ${context.path}${said}. Check the token URL: Anaplan's is {OAuth host}/oauth/token, and the client must be a Device grant client.`,
        details,
      );
    default: {
      const encodingHint = answer.error === 'invalid_request' && /content[- ]?type|encod|json|form|media/i.test(answer.description ?? '')
        ? ' The server may not accept this body encoding: switch the encoding for this endpoint (form or JSON) and try again.'
        : '';
      return new AppError(
        'unexpected_response',
        `${context.host} refused the ${context.step === 'device' ? 'device code request' : context.step === 'refresh' ? 'token refresh' : 'token request'} with "${clean(answer.error)}"${said}.${encodingHint}${sso ? ` ${SSO_HINT}` : ''}`,
        details,
      );
    }
  }
}

function expiredError(code: DeviceCode, answer: OAuthErrorAnswer | null, host: string | null): AppError {
  const minutes = Math.max(1, Math.round(code.expiresIn / 60));
  const said = answer?.description ? ` (${host ?? 'the server'} said: "${clean(answer.description)}")` : '';
  return new AppError(
    'expired',
    `The code expired before the sign-in was finished${said}: get a new code and complete the sign-in on the verification page within ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    answer ? { oauthError: answer.error, errorDescription: answer.description } : undefined,
  );
}

/** The code expired while every poll failed (network, timeouts, 5xx, 429): the last problem, with the next step. */
function stalledError(last: AppError): AppError {
  return new AppError(
    last.code,
    `The code expired while the OAuth service could not be reached or kept failing, so the sign-in could not finish. The last problem: ${last.message} Get a new code once the service answers again.`,
    { ...last.details, codeExpired: true },
  );
}

function cancelledError(): AppError {
  return new AppError('cancelled', 'The sign-in was cancelled.');
}

/** The server's own words, on one line and short. */
function serverWords(text: string): string {
  const words = clean(text.replace(/<[^>]*>/g, ' '));
  return words ? ` ("${words}")` : '';
}

function clean(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
