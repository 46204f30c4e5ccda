import type { KeyObject } from 'node:crypto';
import { authenticateCertificate } from '../anaplan/certificate-login.js';
import { requireEndpoint, type Endpoints } from '../anaplan/endpoints.js';
import { IntegrationApi } from '../anaplan/integration-api.js';
import { authenticateBasic, type AuthToken } from '../anaplan/token-service.js';
import type { LoginResult } from '../contract.js';
import type { HttpClient } from '../net/http.js';
import { isAppError } from '../errors.js';

/** Logs in with Basic auth and reads what the user may pick from (anaplan-facts §2). */
export function loginBasic(http: HttpClient, endpoints: Endpoints, email: string, password: string): Promise<LoginResult> {
  return withTokenServiceLogin(http, endpoints, (authUrl) => authenticateBasic(http, authUrl, email, password));
}

/**
 * Logs in with a CA certificate and its private key (the v2 payload), then reads the same as
 * loginBasic (anaplan-facts §2); then signs in once more as Anaplan Connect 4.1.0 will, with the
 * v1 payload (anaplan-facts §8), and says so when the tenant refuses it.
 */
export async function loginCertificate(http: HttpClient, endpoints: Endpoints, leafPem: string, privateKey: KeyObject): Promise<LoginResult> {
  const result = await withTokenServiceLogin(http, endpoints, (authUrl) => authenticateCertificate(http, authUrl, leafPem, privateKey));
  const v1 = await v1Verdict(http, requireEndpoint(endpoints, 'authUrl'), leafPem, privateKey);
  const warnings = v1.accepted ? [] : [V1_REFUSED(v1.reason)];
  return { ...result, certificatePayloads: { v2: 'accepted', v1: v1.accepted ? 'accepted' : 'refused' }, warnings: [...(result.warnings ?? []), ...warnings] };
}

const V1_REFUSED = (reason: string) =>
  `The certificate signs in with the v2 sign-in this test uses, but the tenant refused the v1 sign-in that Anaplan Connect 4.1.0 sends (${reason}). A job run by Anaplan Connect 4.1.0 will fail at sign-in: this job needs an Anaplan Connect release that sends v2 (4.1.0 does not). Use the newest Anaplan Connect from Anaplan, or sign in with OAuth instead.`;

/** A v1 login, logged out again at once; a network fault is passed on, a refusal is the verdict. */
async function v1Verdict(http: HttpClient, authUrl: string, leafPem: string, privateKey: KeyObject): Promise<{ accepted: true } | { accepted: false; reason: string }> {
  try {
    const token = await authenticateCertificate(http, authUrl, leafPem, privateKey, { payload: 'v1' });
    await logout(http, authUrl, token);
    return { accepted: true };
  } catch (error) {
    if (isAppError(error, 'bad_credentials') || isAppError(error, 'unexpected_response')) return { accepted: false, reason: firstSentence(error.message) };
    throw error;
  }
}

function firstSentence(message: string): string {
  return message.replace(/\.\s.*$/s, '').replace(/\.$/, '');
}

/** A token from the token service, used to read the user's workspaces and models, then logged out. */
async function withTokenServiceLogin(http: HttpClient, endpoints: Endpoints, authenticate: (authUrl: string) => Promise<AuthToken>): Promise<LoginResult> {
  const authUrl = requireEndpoint(endpoints, 'authUrl');
  const apiUrl = requireEndpoint(endpoints, 'apiUrl');
  const token = await authenticate(authUrl);
  try {
    return await discover(http, apiUrl, token);
  } finally {
    await logout(http, authUrl, token);
  }
}

export async function discover(http: HttpClient, apiUrl: string, token: AuthToken): Promise<LoginResult> {
  const api = new IntegrationApi(http, apiUrl, token);
  const user = await api.me();
  const workspaces = await api.workspaces();
  const withModels = await mapWithConcurrency(workspaces, 4, async (workspace) => ({
    id: workspace.id,
    name: workspace.name,
    models: (await api.models(workspace.id)).map((model) => ({ id: model.id, name: model.name })),
  }));
  return {
    user: { id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName },
    workspaces: withModels,
  };
}

/** Tokens are not left alive once the assistant is done with them; a failed logout harms nothing. */
export async function logout(http: HttpClient, authUrl: string, token: AuthToken): Promise<void> {
  try {
    await http.send({
      method: 'POST',
      url: `${authUrl}/token/logout`,
      headers: { authorization: `AnaplanAuthToken ${token.value}` },
      idempotent: false,
    });
  } catch {
    /* the token expires by itself after 35 minutes */
  }
}

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
