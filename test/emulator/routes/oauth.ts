import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { EmulatorEnv, RequestContext } from '../context.js';
import { jsonReply, type Reply } from '../reply.js';
import { route, type RouteModule } from '../router.js';
import {
  findUser,
  type DeviceCodeRecord,
  type EmulatorState,
  type EmulatorUser,
  type NewOAuthClient,
  type OAuthClient,
  type RefreshTokenRecord,
} from '../state.js';
import { issueToken, TOKEN_LIFETIME_MS } from '../tokens.js';

/**
 * Anaplan's OAuth 2.0 device grant (anaplan-facts §4, RFC 8628): `POST /oauth/device/code` and
 * `POST /oauth/token` (device_code and refresh_token grants), plus a tiny `/activate` page where
 * a person trying `npm run emulator` approves a code. Bodies come form-encoded or as JSON, as
 * Anaplan accepts both; an emulator may refuse one of them. Access tokens are Anaplan tokens:
 * they work as `AnaplanAuthToken` on the integration API.
 */

export type OAuthBodyEncoding = 'form' | 'json';

export interface OAuthOptions {
  /** Seconds between polls, sent as `interval` and enforced with slow_down. null: no `interval` in the answer (5 s enforced, the RFC default). Default 5. */
  interval?: number | null | undefined;
  /** Seconds a device code lives. Default 600. */
  expiresIn?: number | undefined;
  /** Body encodings accepted. Default both (anaplan-facts §4). */
  encodings?: OAuthBodyEncoding[] | undefined;
  /**
   * Answer a poll that comes sooner than the interval with slow_down, adding 5 s (RFC 8628 §3.5).
   * Default true. Anaplan Connect's own --forceRegister polls every 3 s from the first second,
   * whatever the server says (anaplan-facts §4, §5), and registers against Anaplan all the same:
   * a test of that registration turns this off, as Anaplan's own leniency is not documented.
   */
  slowDown?: boolean | undefined;
}

export const DEVICE_CODE_DEFAULTS = { interval: 5, expiresIn: 600 } as const;
/** Seconds an OAuth access token lives: Anaplan's 35-minute token (2100 s seen, anaplan-facts §4). */
export const OAUTH_ACCESS_TOKEN_LIFETIME_S = TOKEN_LIFETIME_MS / 1000;
export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
const SUPPORTED_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const DEFAULT_SCOPE = 'openid profile email offline_access';
const SLOW_DOWN_STEP_S = 5;
/** The scripted answers POST /__emulator/oauth/script takes. */
export const SCRIPTABLE_ANSWERS = ['authorization_pending', 'slow_down', 'expired_token', 'access_denied', 'invalid_grant', 'invalid_client'] as const;
export type ScriptedAnswer = (typeof SCRIPTABLE_ANSWERS)[number];

export const SSO_DENIAL =
  'The device grant is not available to users who sign in with SSO (SAML single sign-on). Sign in as an SSO exception user with an Anaplan password.';

export function oauthService(options: OAuthOptions = {}): RouteModule {
  const settings = {
    interval: options.interval === undefined ? DEVICE_CODE_DEFAULTS.interval : options.interval,
    expiresIn: options.expiresIn ?? DEVICE_CODE_DEFAULTS.expiresIn,
    encodings: options.encodings ?? (['form', 'json'] as OAuthBodyEncoding[]),
    slowDown: options.slowDown ?? true,
  };
  return {
    name: 'oauth',
    routes: [
      route('POST', '/oauth/device/code', (ctx) => {
        const params = readParams(ctx, settings.encodings);
        if (!params.ok) return params.reply;
        const client = findClient(ctx.env.state, params.values.client_id);
        if (!client) return oauthError(401, 'invalid_client', 'Client authentication failed: unknown client_id');
        if (client.grantType !== 'device') return oauthError(400, 'unauthorized_client', 'This OAuth client is not a Device grant client');
        const scope = params.values.scope?.trim() || DEFAULT_SCOPE;
        const unknown = scope.split(/\s+/).filter((value) => !SUPPORTED_SCOPES.has(value));
        if (unknown.length > 0) return oauthError(400, 'invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
        const now = ctx.env.now();
        const record: DeviceCodeRecord = {
          deviceCode: randomBytes(32).toString('base64url'),
          userCode: newUserCode(ctx.env.state),
          clientId: client.clientId,
          scope,
          issuedAt: now,
          expiresAt: now + settings.expiresIn * 1000,
          interval: settings.interval ?? 5,
          status: 'pending',
          userEmail: null,
          denialReason: null,
          lastPollAt: now,
        };
        ctx.env.state.oauth.deviceCodes.push(record);
        // Behind a reverse proxy (X-Forwarded-Host), the sign-in page is named where the client reached the server, as a real one would name it.
        const forwarded = ctx.headers['x-forwarded-host'];
        const scheme = ctx.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
        const verificationUri = `${forwarded ? `${scheme}://${forwarded}` : ctx.env.baseUrl}/activate`;
        return noStore(200, {
          device_code: record.deviceCode,
          user_code: record.userCode,
          verification_uri: verificationUri,
          verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(record.userCode)}`,
          expires_in: settings.expiresIn,
          ...(settings.interval === null ? {} : { interval: settings.interval }),
        });
      }),

      route('POST', '/oauth/token', (ctx) => {
        const params = readParams(ctx, settings.encodings);
        if (!params.ok) return params.reply;
        const grantType = params.values.grant_type;
        if (!grantType) return oauthError(400, 'invalid_request', 'Missing grant_type');
        const client = findClient(ctx.env.state, params.values.client_id);
        if (!client) return oauthError(401, 'invalid_client', 'Client authentication failed: unknown client_id');
        if (grantType === DEVICE_GRANT_TYPE) return pollDeviceCode(ctx, client, params.values.device_code, settings.slowDown);
        if (grantType === 'refresh_token') return refresh(ctx, client, params.values.refresh_token);
        return oauthError(400, 'unsupported_grant_type', `Unsupported grant_type ${grantType}`);
      }),

      route('GET', '/activate', (ctx) => activatePage(ctx.query.get('user_code') ?? '', null)),

      route('POST', '/activate', (ctx) => {
        const form = new URLSearchParams(ctx.body);
        const userCode = form.get('user_code') ?? '';
        const email = form.get('email') ?? '';
        if (form.get('action') === 'deny') {
          const denied = denyDevice(ctx.env, userCode);
          return activatePage(userCode, denied.ok ? 'Access denied. The device will be told at its next poll.' : denied.message);
        }
        const user = findUser(ctx.env.state, email);
        if (!user || user.password !== (form.get('password') ?? '')) return activatePage(userCode, 'Wrong email or password.');
        const approved = approveDevice(ctx.env, userCode, email);
        if (!approved.ok) return activatePage(userCode, approved.message);
        return activatePage(
          userCode,
          approved.record.status === 'denied' ? (approved.record.denialReason ?? 'Access denied.') : `Signed in as ${user.email}. You may close this page; the device finishes the sign-in at its next poll.`,
        );
      }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Device-code polls (RFC 8628 §3.4–3.5)

function pollDeviceCode(ctx: RequestContext, client: OAuthClient, deviceCode: string | undefined, slowDown: boolean): Reply {
  const { env } = ctx;
  const oauth = env.state.oauth;
  if (client.grantType !== 'device') return oauthError(400, 'unauthorized_client', 'This OAuth client is not a Device grant client');
  if (!deviceCode) return oauthError(400, 'invalid_request', 'Missing device_code');
  const record = oauth.deviceCodes.find((entry) => entry.deviceCode === deviceCode);
  const now = env.now();
  const answer = (reply: Reply, name: string, scripted = false): Reply => {
    oauth.polls.push({ time: now, deviceCode, answer: name, interval: record?.interval ?? 0, scripted });
    return reply;
  };
  if (!record || record.clientId !== client.clientId || record.status === 'used') {
    return answer(oauthError(400, 'invalid_grant', 'The device code is invalid, was already used, or belongs to another client'), 'invalid_grant');
  }
  if (now >= record.expiresAt) return answer(oauthError(400, 'expired_token', 'The device code has expired'), 'expired_token');

  const tooSoon = slowDown && now - record.lastPollAt < record.interval * 1000;
  record.lastPollAt = now;
  if (tooSoon) {
    record.interval += SLOW_DOWN_STEP_S;
    return answer(oauthError(400, 'slow_down', `Polling too fast: wait at least ${record.interval} seconds between requests`), 'slow_down');
  }

  const scripted = oauth.script.shift();
  if (scripted !== undefined) {
    if (scripted === 'slow_down') record.interval += SLOW_DOWN_STEP_S;
    const status = scripted === 'invalid_client' ? 401 : 400;
    return answer(oauthError(status, scripted, `Scripted answer: ${scripted}`), scripted, true);
  }

  switch (record.status) {
    case 'pending':
      return answer(oauthError(400, 'authorization_pending', 'The user has not yet completed the sign-in'), 'authorization_pending');
    case 'denied':
      return answer(oauthError(400, 'access_denied', record.denialReason ?? 'The user denied the request'), 'access_denied');
    case 'approved': {
      const user = record.userEmail === null ? undefined : findUser(env.state, record.userEmail);
      record.status = 'used';
      if (!user) return answer(oauthError(400, 'invalid_grant', 'The user no longer exists'), 'invalid_grant');
      user.lastLoginAt = now;
      return answer(tokenAnswer(ctx, client, user, record.scope, undefined), 'tokens');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Refresh (RFC 6749 §6)

function refresh(ctx: RequestContext, client: OAuthClient, value: string | undefined): Reply {
  const { env } = ctx;
  if (!value) return oauthError(400, 'invalid_request', 'Missing refresh_token');
  const record = env.state.oauth.refreshTokens.get(value);
  const expired = record?.expiresAt != null && record.expiresAt <= env.now();
  if (expired) env.state.oauth.refreshTokens.delete(value);
  if (!record || expired || record.clientId !== client.clientId) {
    return oauthError(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
  }
  const user = findUser(env.state, record.userEmail);
  if (!user) return oauthError(400, 'invalid_grant', 'The user no longer exists');
  if (client.rotatable) {
    // A rotatable client answers with a new refresh token; the old one stops working.
    env.state.oauth.refreshTokens.delete(value);
    return tokenAnswer(ctx, client, user, record.scope, undefined);
  }
  return tokenAnswer(ctx, client, user, record.scope, record);
}

function tokenAnswer(ctx: RequestContext, client: OAuthClient, user: EmulatorUser, scope: string, keepRefresh: RefreshTokenRecord | undefined): Reply {
  const { env } = ctx;
  const access = issueToken(env, user);
  const scopes = new Set(scope.split(/\s+/));
  let refreshToken: string | undefined;
  if (keepRefresh) refreshToken = keepRefresh.value;
  else if (scopes.has('offline_access')) {
    const record: RefreshTokenRecord = {
      value: randomBytes(48).toString('base64url'),
      clientId: client.clientId,
      userEmail: user.email,
      scope,
      expiresAt: client.refreshTokenLifetime === null ? null : env.now() + client.refreshTokenLifetime * 1000,
    };
    env.state.oauth.refreshTokens.set(record.value, record);
    refreshToken = record.value;
  }
  return noStore(200, {
    access_token: access.tokenValue,
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    ...(scopes.has('openid') ? { id_token: idToken(env, client, user) } : {}),
    scope,
    expires_in: OAUTH_ACCESS_TOKEN_LIFETIME_S,
    token_type: 'bearer',
  });
}

const ID_TOKEN_KEY = randomBytes(32);

/** A JWT in shape (HS256 with a per-process key): the client stores it, nobody verifies it. */
function idToken(env: EmulatorEnv, client: OAuthClient, user: EmulatorUser): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const issuedAt = Math.floor(env.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    iss: env.baseUrl,
    sub: user.id,
    aud: client.clientId,
    email: user.email,
    name: `${user.firstName} ${user.lastName}`,
    iat: issuedAt,
    exp: issuedAt + OAUTH_ACCESS_TOKEN_LIFETIME_S,
  })}`;
  return `${unsigned}.${createHmac('sha256', ID_TOKEN_KEY).update(unsigned).digest('base64url')}`;
}

// ---------------------------------------------------------------------------------------------
// Approving and denying (the /activate page, control routes, tests)

export type DeviceDecision = { ok: true; record: DeviceCodeRecord } | { ok: false; status: 400 | 404 | 409; message: string };

interface DecisionEnv {
  state: EmulatorState;
  now: () => number;
}

/** `ABCD-EFGH`, `abcdefgh` and `abcd efgh` name the same code (RFC 8628 §6.1). */
export function findDeviceCode(state: EmulatorState, userCode: string): DeviceCodeRecord | undefined {
  const wanted = normalizeUserCode(userCode);
  if (!wanted) return undefined;
  return state.oauth.deviceCodes.find((record) => normalizeUserCode(record.userCode) === wanted);
}

/**
 * The user signs in on the verification page and allows access. An SSO user is refused: the
 * code is denied with an error_description that says why (anaplan-facts §4).
 */
export function approveDevice(env: DecisionEnv, userCode: string, email: string): DeviceDecision {
  const record = openCode(env, userCode);
  if (!record.ok) return record;
  const user = findUser(env.state, email);
  if (!user) return { ok: false, status: 400, message: `No user ${email} in this tenant` };
  if (user.passwordExpired) return { ok: false, status: 400, message: `The password of ${user.email} has expired: the user cannot sign in` };
  record.record.userEmail = user.email;
  if (user.sso) {
    record.record.status = 'denied';
    record.record.denialReason = SSO_DENIAL;
  } else {
    record.record.status = 'approved';
  }
  return record;
}

export function denyDevice(env: DecisionEnv, userCode: string): DeviceDecision {
  const record = openCode(env, userCode);
  if (!record.ok) return record;
  record.record.status = 'denied';
  record.record.denialReason = 'The user denied the request';
  return record;
}

function openCode(env: DecisionEnv, userCode: string): DeviceDecision {
  const record = findDeviceCode(env.state, userCode);
  if (!record) return { ok: false, status: 404, message: `No device code with user code "${userCode}"` };
  if (env.now() >= record.expiresAt) return { ok: false, status: 400, message: `The code ${record.userCode} has expired` };
  if (record.status !== 'pending') return { ok: false, status: 409, message: `The code ${record.userCode} is already ${record.status}` };
  return { ok: true, record };
}

export function isScriptedAnswer(value: string): value is ScriptedAnswer {
  return (SCRIPTABLE_ANSWERS as readonly string[]).includes(value);
}

/** Adds an OAuth client, or replaces the one with the same client ID. */
export function upsertOAuthClient(state: EmulatorState, input: NewOAuthClient): OAuthClient {
  const client: OAuthClient = {
    clientId: input.clientId,
    name: input.name ?? 'Test client',
    grantType: input.grantType ?? 'device',
    rotatable: input.rotatable ?? false,
    refreshTokenLifetime: input.refreshTokenLifetime === undefined ? (input.rotatable ? 43_000 : null) : input.refreshTokenLifetime,
  };
  const clients = state.oauth.clients;
  const index = clients.findIndex((entry) => entry.clientId === client.clientId);
  if (index >= 0) clients.splice(index, 1, client);
  else clients.push(client);
  return client;
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Params = { ok: true; values: Partial<Record<string, string>> } | { ok: false; reply: Reply };

const MEDIA_TYPES: Record<string, OAuthBodyEncoding> = {
  'application/x-www-form-urlencoded': 'form',
  'application/json': 'json',
};

function readParams(ctx: RequestContext, accepted: OAuthBodyEncoding[]): Params {
  const mediaType = (ctx.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const encoding = MEDIA_TYPES[mediaType];
  if (!encoding || !accepted.includes(encoding)) {
    const wanted = accepted.map((name) => (name === 'form' ? 'application/x-www-form-urlencoded' : 'application/json')).join(' or ');
    return { ok: false, reply: oauthError(400, 'invalid_request', `Unsupported content type ${mediaType || '(none)'}: send ${wanted}`) };
  }
  const values: Record<string, string> = {};
  if (encoding === 'form') {
    const form = new URLSearchParams(ctx.body);
    for (const [name, value] of form) {
      // RFC 6749 §3.2: parameters must not be repeated.
      if (name in values) return { ok: false, reply: oauthError(400, 'invalid_request', `Parameter ${name} given more than once`) };
      values[name] = value;
    }
    return { ok: true, values };
  }
  let body: unknown;
  try {
    body = JSON.parse(ctx.body);
  } catch {
    return { ok: false, reply: oauthError(400, 'invalid_request', 'The body is not valid JSON') };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reply: oauthError(400, 'invalid_request', 'The body must be a JSON object') };
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') values[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') values[name] = String(value);
  }
  return { ok: true, values };
}

function findClient(state: EmulatorState, clientId: string | undefined): OAuthClient | undefined {
  return clientId === undefined ? undefined : state.oauth.clients.find((client) => client.clientId === clientId);
}

function oauthError(status: number, error: string, description: string): Reply {
  return noStore(status, { error, error_description: description });
}

/** RFC 6749 §5.1: token answers (and here every OAuth answer) are never cached. */
function noStore(status: number, value: unknown): Reply {
  return jsonReply(status, value, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

/** RFC 8628 §6.1: consonants only, no look-alikes; shown as `XXXX-XXXX`. */
const USER_CODE_LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';

function newUserCode(state: EmulatorState): string {
  for (;;) {
    const letters = Array.from({ length: 8 }, () => USER_CODE_LETTERS[randomInt(USER_CODE_LETTERS.length)] ?? 'B').join('');
    const code = `${letters.slice(0, 4)}-${letters.slice(4)}`;
    if (!findDeviceCode(state, code)) return code;
  }
}

function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function activatePage(userCode: string, message: string | null): Reply {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Anaplan emulator: device sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.75rem 0}input{width:100%;padding:.4rem;font-size:1rem}p.message{padding:.6rem;background:#eef}</style></head>
<body>
<h1>Sign in to a device</h1>
${message === null ? '' : `<p class="message" role="status">${escapeHtml(message)}</p>`}
<form method="post" action="/activate">
<label>Code shown on the device <input name="user_code" value="${escapeHtml(userCode)}" autocomplete="off" required></label>
<label>Email <input name="email" type="email" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit" name="action" value="approve">Allow access</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</form>
</body>
</html>
`;
  return { status: 200, headers: { 'content-type': 'text/html;charset=UTF-8' }, body: html };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
