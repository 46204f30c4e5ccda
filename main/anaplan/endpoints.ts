import { isLoopbackHostname } from '../net/loopback.js';
import * as z from 'zod';
import { AppError } from '../errors.js';
import { DEFAULT_REGION_ID, REGIONS, findRegion } from './regions.js';

/**
 * Every remote address the assistant calls, resolved from a region and/or custom URLs. A URL
 * is null when custom URLs were given without it: the call that needs it asks for it
 * (`requireEndpoint`), so a Basic login does not need an OAuth host and vice versa.
 */
export interface Endpoints {
  regionId: string | null;
  apiUrl: string | null;
  authUrl: string | null;
  oauthUrl: string | null;
  deviceAuthorizationUrl: string | null;
  tokenUrl: string | null;
}

const ENDPOINT_LABELS = {
  apiUrl: ['API URL', '--api-url'],
  authUrl: ['auth URL', '--auth-url'],
  oauthUrl: ['OAuth URL', '--oauth-url'],
  deviceAuthorizationUrl: ['device authorization URL', '--device-authorization-url'],
  tokenUrl: ['token URL', '--token-url'],
} as const;
type EndpointKey = keyof typeof ENDPOINT_LABELS;

export function requireEndpoint(endpoints: Endpoints, key: EndpointKey): string {
  const value = endpoints[key];
  if (value) return value;
  const [label, flag] = ENDPOINT_LABELS[key];
  throw new AppError('bad_input', `No ${label} is set. Choose a region (--region) or give the ${label} (${flag}).`);
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
  const loopback = isLoopbackHostname(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new AppError(
      'bad_input',
      `${label} must start with https:// (credentials are never sent in clear text; plain http is only allowed for this machine: localhost, 127.x.x.x or ::1).`,
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
  const regionId = choice.region || (hasAnyCustomUrl(choice) ? undefined : DEFAULT_REGION_ID);
  const region = regionId ? findRegion(regionId) : undefined;
  if (regionId && !region) {
    throw new AppError(
      'bad_input',
      `Unknown region "${regionId}". Known regions: ${REGIONS.map((r) => r.id).join(', ')}. Or give custom URLs (--auth-url, --api-url, --oauth-url).`,
    );
  }
  const pick = (key: EndpointKey, fallback: string | null | undefined): string | null => {
    const custom = choice[key];
    return custom ? checkServiceUrl(ENDPOINT_LABELS[key][0], custom) : (fallback ?? null);
  };
  const oauthUrl = pick('oauthUrl', region?.oauthUrl);
  return {
    regionId: region?.id ?? null,
    apiUrl: pick('apiUrl', region?.apiUrl),
    authUrl: pick('authUrl', region?.authUrl),
    oauthUrl,
    // Anaplan's device grant lives at {oauth}/oauth/device/code and {oauth}/oauth/token (anaplan-facts §4).
    deviceAuthorizationUrl: pick('deviceAuthorizationUrl', oauthUrl && `${oauthUrl}/oauth/device/code`),
    tokenUrl: pick('tokenUrl', oauthUrl && `${oauthUrl}/oauth/token`),
  };
}

function hasAnyCustomUrl(choice: EndpointChoice): boolean {
  return Object.keys(ENDPOINT_LABELS).some((key) => Boolean(choice[key as EndpointKey]));
}

/** Every host the endpoints name: the openExternal allowlist adds these to the region table. */
export function endpointHosts(endpoints: Endpoints): string[] {
  return [endpoints.apiUrl, endpoints.authUrl, endpoints.oauthUrl, endpoints.deviceAuthorizationUrl, endpoints.tokenUrl]
    .filter((url): url is string => url !== null)
    .map((url) => new URL(url).host);
}
