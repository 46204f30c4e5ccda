import type { KeyObject } from 'node:crypto';
import { authenticateCertificate } from '../anaplan/certificate-login.js';
import { requireEndpoint, type Endpoints } from '../anaplan/endpoints.js';
import { IntegrationApi } from '../anaplan/integration-api.js';
import { authenticateBasic, type AuthToken } from '../anaplan/token-service.js';
import type { LoginResult } from '../contract.js';
import type { HttpClient } from '../net/http.js';

/** Logs in with Basic auth and reads what the user may pick from (anaplan-facts §2). */
export function loginBasic(http: HttpClient, endpoints: Endpoints, email: string, password: string): Promise<LoginResult> {
  return withTokenServiceLogin(http, endpoints, (authUrl) => authenticateBasic(http, authUrl, email, password));
}

/** Logs in with a CA certificate and its private key, then reads the same as loginBasic (anaplan-facts §2). */
export function loginCertificate(http: HttpClient, endpoints: Endpoints, leafPem: string, privateKey: KeyObject): Promise<LoginResult> {
  return withTokenServiceLogin(http, endpoints, (authUrl) => authenticateCertificate(http, authUrl, leafPem, privateKey));
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
