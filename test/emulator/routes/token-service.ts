import type { RequestContext } from '../context.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import { route, type RouteModule } from '../router.js';
import type { EmulatorUser, TokenRecord } from '../state.js';
import { issueToken, liveToken, revokeToken, tokenInfo, type LiveToken } from '../tokens.js';

/**
 * The auth service's token endpoints (anaplan-facts §2). How a login proves who it is depends
 * on the Authorization scheme; each scheme is a LoginMethod (basic-login.ts, certificate-login.ts),
 * so a new login method is one new module passed to tokenService().
 */

export type LoginOutcome = { ok: true; user: EmulatorUser } | { ok: false; reply: Reply };

export interface LoginMethod {
  /** The Authorization scheme it answers, e.g. `Basic` or `CACertificate`. */
  scheme: string;
  /** `credentials` is the header value after the scheme. */
  login(credentials: string, ctx: RequestContext): LoginOutcome;
}

const AUTHORIZATION = /^(\S+)\s+(\S.*)$/;

export function tokenService(loginMethods: LoginMethod[]): RouteModule {
  const byScheme = new Map(loginMethods.map((method) => [method.scheme.toLowerCase(), method]));

  return {
    name: 'token-service',
    routes: [
      route('POST', '/token/authenticate', (ctx) => {
        const header = AUTHORIZATION.exec(ctx.headers.authorization ?? '');
        const method = header ? byScheme.get((header[1] ?? '').toLowerCase()) : undefined;
        if (!header || !method) return badHeader('Authorization header missing or not supported');
        const outcome = method.login(header[2] ?? '', ctx);
        if (!outcome.ok) return outcome.reply;
        outcome.user.lastLoginAt = ctx.env.now();
        return tokenAnswer(ctx, issueToken(ctx.env, outcome.user), 'Login successful');
      }),

      route('POST', '/token/refresh', (ctx) =>
        withToken(ctx, ({ record, user }) => {
          // anaplan-facts §2 does not say whether the old token survives a refresh: retiring it is the stricter choice.
          revokeToken(ctx.env, record);
          return tokenAnswer(ctx, issueToken(ctx.env, user), 'Token refreshed');
        }),
      ),

      route('POST', '/token/logout', (ctx) =>
        withToken(ctx, ({ record }) => {
          revokeToken(ctx.env, record);
          return emptyReply(204);
        }),
      ),

      route('GET', '/token/validate', (ctx) =>
        withToken(ctx, ({ record, user }) =>
          jsonReply(200, {
            meta: { validationUrl: validationUrl(ctx) },
            status: 'SUCCESS',
            statusMessage: 'Token validated',
            // userId is the email (anaplan-facts §2).
            userInfo: { userGuid: user.id, userId: user.email, customerGuid: user.customerId },
            tokenInfo: tokenInfo(record),
          }),
        ),
      ),
    ],
  };
}

function withToken(ctx: RequestContext, handle: (token: LiveToken) => Reply): Reply {
  if (!ctx.headers.authorization) return badHeader('Authorization header missing');
  const token = liveToken(ctx.env, ctx.headers.authorization);
  if (!token) return badCredential('Token is invalid or has expired');
  return handle(token);
}

function tokenAnswer(ctx: RequestContext, record: TokenRecord, statusMessage: string): Reply {
  // Success is 200 or 201 in the wild (anaplan-facts §2): the emulator plays either.
  return jsonReply(ctx.env.authSuccessStatus, {
    meta: { validationUrl: validationUrl(ctx) },
    status: 'SUCCESS',
    statusMessage,
    tokenInfo: tokenInfo(record),
    // An extra field clients must ignore (anaplan-facts §2: unknown fields are ignored).
    refreshToken: `unused-${record.refreshTokenId}`,
  });
}

function validationUrl(ctx: RequestContext): string {
  return `${ctx.env.baseUrl}/token/validate`;
}

export function badCredential(statusMessage = 'Bad credentials'): Reply {
  return jsonReply(401, { status: 'FAILURE_BAD_CREDENTIAL', statusMessage });
}

export function badHeader(statusMessage: string): Reply {
  return jsonReply(400, { status: 'FAILURE_BAD_HEADER', statusMessage });
}
