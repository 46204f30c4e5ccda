import { randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorEnv } from './context.js';
import { findUser, type EmulatorUser, type TokenRecord } from './state.js';

/** Tokens last 35 minutes (anaplan-facts §2). */
export const TOKEN_LIFETIME_MS = 35 * 60 * 1000;

const AUTH_TOKEN_SCHEME = /^AnaplanAuthToken\s+(\S+)\s*$/i;

export function issueToken(env: EmulatorEnv, user: EmulatorUser): TokenRecord {
  const record: TokenRecord = {
    tokenId: randomUUID(),
    tokenValue: randomBytes(36).toString('base64url'),
    refreshTokenId: randomUUID(),
    userEmail: user.email,
    expiresAt: env.now() + TOKEN_LIFETIME_MS,
  };
  env.state.tokens.set(record.tokenValue, record);
  return record;
}

export function revokeToken(env: EmulatorEnv, record: TokenRecord): void {
  env.state.tokens.delete(record.tokenValue);
}

/** The token value of an `Authorization: AnaplanAuthToken <token>` header, if that is what it is. */
export function tokenFromHeader(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : AUTH_TOKEN_SCHEME.exec(authorization)?.[1];
}

export interface LiveToken {
  record: TokenRecord;
  user: EmulatorUser;
}

/** The token named by the Authorization header, if it is known, unexpired and its user exists. */
export function liveToken(env: EmulatorEnv, authorization: string | undefined): LiveToken | undefined {
  const value = tokenFromHeader(authorization);
  if (value === undefined) return undefined;
  const record = env.state.tokens.get(value);
  if (!record) return undefined;
  if (record.expiresAt <= env.now()) {
    env.state.tokens.delete(value);
    return undefined;
  }
  const user = findUser(env.state, record.userEmail);
  return user ? { record, user } : undefined;
}

export function tokenInfo(record: TokenRecord): Record<string, string | number> {
  return {
    tokenId: record.tokenId,
    tokenValue: record.tokenValue,
    expiresAt: record.expiresAt,
    refreshTokenId: record.refreshTokenId,
  };
}
