import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { DEFAULT_REGION_ID, REGIONS, findRegion } from './regions.js';

/** Every remote address the assistant calls, resolved from a region and/or custom URLs. */
export interface Endpoints {
  regionId: string | null;
  apiUrl: string;
  authUrl: string;
  oauthUrl: string;
  deviceAuthorizationUrl: string;
  tokenUrl: string;
}

export const EndpointChoiceSchema = z.object({
  region: z.string().trim().toLowerCase().optional(),
  authUrl: z.string().trim().optional(),
  apiUrl: z.string().trim().optional(),
  oauthUrl: z.string().trim().optional(),
  deviceAuthorizationUrl: z.string().trim().optional(),
  tokenUrl: z.string().trim().optional(),
});
export type EndpointChoice = z.infer<typeof EndpointChoiceSchema>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Custom URLs are for proxies, new regions and tests. Credentials only travel over https;
 * plain http is accepted for loopback addresses alone (a local emulator or tunnel).
 */
export function checkServiceUrl(label: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('bad_input', `${label} "${value}" is not a URL. Enter a full address such as https://auth.anaplan.com.`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AppError(
      'bad_input',
      `${label} must start with https:// (credentials are never sent in clear text; plain http is only allowed for 127.0.0.1 and localhost).`,
    );
  }
  if (url.username || url.password) {
    throw new AppError('bad_input', `${label} must not contain a user name or password.`);
  }
  if (url.search || url.hash) {
    throw new AppError('bad_input', `${label} must not contain a query (?…) or fragment (#…).`);
  }
  return stripTrailingSlash(url.toString());
}

function stripTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

export function resolveEndpoints(choice: EndpointChoice): Endpoints {
  const regionId = choice.region || (hasAnyCustomBase(choice) ? undefined : DEFAULT_REGION_ID);
  const region = regionId ? findRegion(regionId) : undefined;
  if (regionId && !region) {
    throw new AppError(
      'bad_input',
      `Unknown region "${regionId}". Known regions: ${REGIONS.map((r) => r.id).join(', ')}. Or give custom URLs (--auth-url, --api-url, --oauth-url).`,
    );
  }
  const pick = (label: string, custom: string | undefined, fallback: string | undefined): string => {
    if (custom) return checkServiceUrl(label, custom);
    if (fallback) return fallback;
    throw new AppError('bad_input', `No ${label} given. Choose a region (--region) or give ${label} explicitly.`);
  };
  const apiUrl = pick('API URL', choice.apiUrl, region?.apiUrl);
  const authUrl = pick('auth URL', choice.authUrl, region?.authUrl);
  const oauthUrl = pick('OAuth URL', choice.oauthUrl, region?.oauthUrl ?? (choice.deviceAuthorizationUrl && choice.tokenUrl ? originOf(choice.tokenUrl) : undefined));
  return {
    regionId: region?.id ?? null,
    apiUrl,
    authUrl,
    oauthUrl,
    // Anaplan's device grant lives at {oauth}/oauth/device/code and {oauth}/oauth/token (anaplan-facts §4).
    deviceAuthorizationUrl: pick('device authorization URL', choice.deviceAuthorizationUrl, `${oauthUrl}/oauth/device/code`),
    tokenUrl: pick('token URL', choice.tokenUrl, `${oauthUrl}/oauth/token`),
  };
}

function hasAnyCustomBase(choice: EndpointChoice): boolean {
  return Boolean(choice.authUrl || choice.apiUrl || choice.oauthUrl);
}

function originOf(value: string): string {
  return new URL(checkServiceUrl('token URL', value)).origin;
}

/** Every host the endpoints name: the openExternal allowlist adds these to the region table. */
export function endpointHosts(endpoints: Endpoints): string[] {
  return [endpoints.apiUrl, endpoints.authUrl, endpoints.oauthUrl, endpoints.deviceAuthorizationUrl, endpoints.tokenUrl].map(
    (url) => new URL(url).host,
  );
}
