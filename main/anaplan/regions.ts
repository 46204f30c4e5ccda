/**
 * Anaplan regions and their hosts (anaplan-facts §1, Anaplan allowlist page, May 2026).
 * Data, not logic: a new region is one more row. Users can always enter custom URLs instead.
 */
export interface Region {
  id: string;
  name: string;
  /** Integration API base (Anaplan Connect's `-service`); paths below it are `/2/0/...`. */
  apiUrl: string;
  /** Token service base (Anaplan Connect's `-auth` for Basic and certificates). */
  authUrl: string;
  /** OAuth 2.0 host (Anaplan Connect's `-auth` for the device grant: it calls `{auth}/oauth/...`). */
  oauthUrl: string;
}

const SHARED_HOSTS = {
  apiUrl: 'https://api.anaplan.com',
  authUrl: 'https://auth.anaplan.com',
  oauthUrl: 'https://us1a.app.anaplan.com',
} as const;

function shared(id: string, name: string): Region {
  return { id, name, ...SHARED_HOSTS };
}

function regional(id: string, name: string): Region {
  return {
    id,
    name,
    apiUrl: `https://${id}.api.anaplan.com`,
    authUrl: `https://${id}.auth.anaplan.com`,
    oauthUrl: `https://${id}.app.anaplan.com`,
  };
}

export const REGIONS: readonly Region[] = [
  shared('us1', 'United States 1 (us1)'),
  shared('us2', 'United States 2 (us2)'),
  shared('us5', 'United States 5 (us5)'),
  shared('us7', 'United States 7 (us7)'),
  shared('eu1', 'Europe 1 (eu1)'),
  shared('eu2', 'Europe 2 (eu2)'),
  shared('eu4', 'Europe 4 (eu4)'),
  shared('ap1', 'Japan (ap1)'),
  regional('us9', 'United States 9 (us9)'),
  regional('eu3', 'Europe 3 (eu3)'),
  regional('eu5', 'Europe 5 (eu5)'),
  regional('gb1', 'United Kingdom (gb1)'),
  regional('sg1', 'Singapore (sg1)'),
  regional('ae1', 'United Arab Emirates (ae1)'),
  regional('in1', 'India (in1)'),
  regional('id1', 'Indonesia (id1)'),
  regional('me1', 'Middle East (me1)'),
  {
    id: 'ca1',
    name: 'Canada (ca1)',
    apiUrl: 'https://ca1a.api.anaplan.com',
    authUrl: 'https://ca1a.auth.anaplan.com',
    oauthUrl: 'https://ca1a.app.anaplan.com',
  },
  {
    id: 'au1',
    name: 'Australia (au1)',
    apiUrl: 'https://api.au1a.app2.anaplan.com',
    authUrl: 'https://au1a.app2.anaplan.com',
    oauthUrl: 'https://au1a.app2.anaplan.com',
  },
];

export const DEFAULT_REGION_ID = 'us1';

export function findRegion(id: string): Region | undefined {
  return REGIONS.find((region) => region.id === id.toLowerCase());
}

/** Every host the app knows: the allowlist for opening links in the system browser. */
export function knownAnaplanHosts(): Set<string> {
  const hosts = new Set<string>();
  for (const region of REGIONS) {
    for (const url of [region.apiUrl, region.authUrl, region.oauthUrl]) hosts.add(new URL(url).host);
  }
  return hosts;
}
