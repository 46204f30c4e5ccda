import QRCode from 'qrcode';
import { requireEndpoint, type Endpoints } from '../anaplan/endpoints.js';
import {
  DEFAULT_ROTATABLE_LIFETIME_SECONDS,
  checkClientId,
  isVerificationUriSafe,
  untrustedSignInPage,
  pollForTokens,
  refreshTokens,
  requestDeviceCode,
  type BodyEncoding,
  type DeviceCode,
  type OAuthTokens,
  type PollStatus,
} from '../anaplan/device-grant.js';
import { readTokenStore, tokenStoreFileName, writeTokenStore } from '../anaplan/token-store.js';
import type { AuthToken } from '../anaplan/token-service.js';
import type { LoginResult } from '../contract.js';
import type { HttpClient } from '../net/http.js';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

export { DEFAULT_ROTATABLE_LIFETIME_SECONDS };
import { discover } from './login.js';

export interface DeviceCodeView extends DeviceCode {
  qrSvg: string;
  qrTerminal: string;
}

export interface DeviceFlowInput {
  http: HttpClient;
  endpoints: Endpoints;
  clientId: string;
  tokenStoreDir: string;
  encoding?: BodyEncoding;
  signal?: AbortSignal;
  onCode(code: DeviceCodeView): void;
  onStatus?(status: PollStatus): void;
  /**
   * Called once the token store is written, before the user and workspaces are read: the front
   * door records what a later login with the stored token needs, whatever happens next.
   */
  onTokenStored?(stored: StoredToken): void | Promise<void>;
}

export interface StoredToken {
  tokenStore: string;
  refreshToken: string;
}

export interface DeviceFlowResult {
  login: LoginResult;
  tokenStore: string;
  refreshToken: string;
}

/**
 * The whole device grant: a code for the person, polling as the server asks, then Anaplan
 * Connect's token store written so that a scheduled job needs no console registration.
 */
export async function runDeviceFlow(input: DeviceFlowInput): Promise<DeviceFlowResult> {
  const clientId = checkClientId(input.clientId);
  const options = {
    http: input.http,
    deviceAuthorizationUrl: requireEndpoint(input.endpoints, 'deviceAuthorizationUrl'),
    tokenUrl: requireEndpoint(input.endpoints, 'tokenUrl'),
    clientId,
    encoding: input.encoding ?? 'form',
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onStatus ? { onStatus: input.onStatus } : {}),
  };
  const apiUrl = requireEndpoint(input.endpoints, 'apiUrl');
  const code = await requestDeviceCode(options);
  input.onCode(await viewOf(code, input.endpoints));
  const tokens = await pollForTokens(code, options);
  const refreshToken = requireRefreshToken(tokens);
  // Saved before anything else can fail: a refresh token lost to a failed read costs the person a new code.
  const { path: tokenStore, warnings: storeWarnings = [] } = await writeTokenStore(input.tokenStoreDir, clientId, refreshToken, { overwrite: true });
  try {
    await input.onTokenStored?.({ tokenStore, refreshToken });
    const login = withWarnings(await discover(input.http, apiUrl, accessTokenOf(tokens)), storeWarnings);
    return { login, tokenStore, refreshToken };
  } catch (error) {
    throw failedAfterTokenStored(error, { clientId, tokenStoreDir: input.tokenStoreDir, tokenStore });
  }
}

/** The token store's path when the device flow failed after writing it (the person then needs no new code), else null. */
export function tokenStoreOfFailure(error: unknown): string | null {
  const tokenStore = error instanceof AppError ? error.details?.tokenStore : undefined;
  return typeof tokenStore === 'string' ? tokenStore : null;
}

/** The problem as it was, then that the token is saved and how to go on from it; `details.tokenStore` for front doors. */
function failedAfterTokenStored(error: unknown, saved: { clientId: string; tokenStoreDir: string; tokenStore: string }): AppError {
  const problem = error instanceof AppError ? error : new AppError('internal', 'Reading the user and workspaces after the sign-in failed unexpectedly.', { cause: String(error) });
  const retry = `anaplan-setup login --method oauth --client-id ${saved.clientId} --token-store-dir ${saved.tokenStoreDir}`;
  return new AppError(
    problem.code,
    `${problem.message} The sign-in itself worked: the refresh token is saved in Anaplan Connect's token store (${saved.tokenStore}), so no new code is needed. Once this is fixed, sign in with the stored token (command line: ${retry}, with the same region or URLs; in the assistant: Test login).`,
    { ...problem.details, tokenStore: saved.tokenStore },
  );
}

export interface TokenStoreInput {
  http: HttpClient;
  endpoints: Endpoints;
  clientId: string;
  tokenStoreDir: string;
  encoding?: BodyEncoding;
}

/** A result with more warnings (a folder others can write in, say), none added when there are none. */
function withWarnings<T extends { warnings?: string[] | undefined }>(result: T, more: readonly string[]): T {
  return more.length === 0 ? result : { ...result, warnings: [...(result.warnings ?? []), ...more] };
}

/** An access token from the stored refresh token, as an unattended job gets one; a rotated refresh token is written back. */
export async function accessTokenFromStore(input: TokenStoreInput): Promise<{ token: AuthToken; rotated: boolean; warnings: string[] }> {
  const clientId = checkClientId(input.clientId);
  const path = join(input.tokenStoreDir, tokenStoreFileName(clientId));
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') throw notThisAccounts(path, 'read');
    throw new AppError('bad_input', `There is no token store for this client in ${input.tokenStoreDir} (${tokenStoreFileName(clientId)}). Sign in with the device grant first: anaplan-setup oauth --client-id ${clientId} --token-store-dir ${input.tokenStoreDir}`);
  }
  // A rotating client retires the stored token at the refresh: its successor must be savable before the refresh is asked for.
  try {
    await access(input.tokenStoreDir, constants.W_OK);
  } catch {
    throw notThisAccounts(path, 'replace');
  }
  const stored = readTokenStore(bytes, clientId);
  const tokens = await refreshTokens({ http: input.http, tokenUrl: requireEndpoint(input.endpoints, 'tokenUrl'), clientId, refreshToken: stored, encoding: input.encoding ?? 'form' });
  const rotated = tokens.refreshToken !== null && tokens.refreshToken !== stored;
  // A rotatable client's new refresh token replaces the old one, which is no longer valid (anaplan-facts §4).
  const warnings = rotated && tokens.refreshToken ? await saveRotatedToken(input.tokenStoreDir, clientId, tokens.refreshToken) : [];
  return { token: accessTokenOf(tokens), rotated, warnings };
}

/** The token store belongs to another account (the one that runs the job): this one must not use it. */
function notThisAccounts(path: string, what: 'read' | 'replace'): AppError {
  const why =
    what === 'read'
      ? `This account cannot read ${path}`
      : `This account can read ${path} but cannot write in its folder, so a refresh token that Anaplan rotates at this sign-in could not be saved and the job would be left with a retired one`;
  return new AppError(
    'forbidden',
    `${why}: it belongs to the account that runs the job. Nothing was sent to Anaplan. Test the sign-in as that account (sudo -u ACCOUNT -H ./anaplan-connect.sh --check in the job folder, or anaplan-setup check-job FOLDER as root), or run the assistant as root.`,
  );
}

/**
 * A rotatable client's new refresh token "comes with every refresh and must be saved"
 * (anaplan-facts §4); we treat the stored one as retired, as rotation usually means. If the new
 * one cannot be saved, the next run may have nothing that works: the person must know now.
 */
async function saveRotatedToken(tokenStoreDir: string, clientId: string, refreshToken: string): Promise<string[]> {
  try {
    return (await writeTokenStore(tokenStoreDir, clientId, refreshToken, { overwrite: true })).warnings ?? [];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'io',
      `Anaplan issued a new refresh token and retired the stored one, but the new one could not be saved in ${tokenStoreDir} (${reason}). Jobs using this token store will fail to sign in. Make the folder writable for this account, then sign in again with a new code: anaplan-setup oauth --client-id ${clientId} --token-store-dir ${tokenStoreDir}`,
      { tokenStoreDir },
    );
  }
}

/**
 * A login with the stored refresh token, as an unattended job would do. A refresh that returns a
 * different refresh token means the client rotates them (anaplan-facts §4): a job without
 * --rotatable would fail on its second run (§8), so `rotatingUnknown` (the caller did not know)
 * adds a warning that says so.
 */
export async function loginWithTokenStore(input: TokenStoreInput & { knownRotatable?: boolean }): Promise<LoginResult & { rotated: boolean }> {
  const { token, rotated, warnings: storeWarnings } = await accessTokenFromStore(input);
  const login = await discover(input.http, requireEndpoint(input.endpoints, 'apiUrl'), token);
  return { ...withWarnings(login, [...(rotated && !input.knownRotatable ? [ROTATED_WARNING] : []), ...storeWarnings]), rotated };
}

export const ROTATED_WARNING =
  "Anaplan sent a new refresh token with this sign-in, so this OAuth client's refresh tokens rotate. The new one was saved. The job must pass --rotatable (export with --rotatable; the assistant now treats the connection as rotatable): without it Anaplan Connect keeps the retired token and fails on its second run.";

/** The code as a person sees it; a reply naming a sign-in page off the OAuth host and Anaplan's is refused before anything is shown. */
async function viewOf(code: DeviceCode, endpoints: Endpoints): Promise<DeviceCodeView> {
  const oauthUrl = endpoints.oauthUrl ?? new URL(requireEndpoint(endpoints, 'deviceAuthorizationUrl')).origin;
  for (const uri of [code.verificationUri, code.verificationUriComplete]) {
    if (uri !== null && !isVerificationUriSafe(uri, oauthUrl)) throw untrustedSignInPage(uri, oauthUrl);
  }
  const url = code.verificationUriComplete ?? code.verificationUri;
  return {
    ...code,
    qrSvg: await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
    qrTerminal: await QRCode.toString(url, { type: 'terminal', small: true }),
  };
}

function requireRefreshToken(tokens: OAuthTokens): string {
  if (tokens.refreshToken) return tokens.refreshToken;
  throw new AppError(
    'unexpected_response',
    'The sign-in worked, but Anaplan sent no refresh token, so a scheduled job could not sign in later. Ask the Tenant security administrator to allow refresh tokens for this OAuth client (scope offline_access), then sign in again.',
  );
}

function accessTokenOf(tokens: OAuthTokens): AuthToken {
  // OAuth access tokens travel as `AnaplanAuthToken` on the integration API (anaplan-facts §2).
  return { value: tokens.accessToken, expiresAt: Date.now() + (tokens.expiresIn ?? 2100) * 1000 };
}
