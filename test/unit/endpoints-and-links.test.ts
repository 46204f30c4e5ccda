import { describe, expect, test } from 'vitest';
import { requireEndpoint, resolveEndpoints } from '../../main/anaplan/endpoints.js';
import { REGIONS, knownAnaplanHosts } from '../../main/anaplan/regions.js';
import { allowedExternalUrl } from '../../main/core/external-links.js';

describe('regions (anaplan-facts §1)', () => {
  test('19 regions, each with https API, auth and OAuth hosts', () => {
    expect(REGIONS).toHaveLength(19);
    expect(new Set(REGIONS.map((r) => r.id)).size).toBe(19);
    for (const region of REGIONS) for (const url of [region.apiUrl, region.authUrl, region.oauthUrl]) expect(url).toMatch(/^https:\/\/[a-z0-9.]+\.anaplan\.com$/);
  });

  test('shared, regional, Canadian and Australian hosts', () => {
    const by = (id: string) => REGIONS.find((r) => r.id === id);
    for (const id of ['us1', 'us2', 'us5', 'us7', 'eu1', 'eu2', 'eu4', 'ap1']) {
      expect(by(id)).toMatchObject({ apiUrl: 'https://api.anaplan.com', authUrl: 'https://auth.anaplan.com', oauthUrl: 'https://us1a.app.anaplan.com' });
    }
    for (const id of ['us9', 'eu3', 'eu5', 'gb1', 'sg1', 'ae1', 'in1', 'id1', 'me1']) {
      expect(by(id)).toMatchObject({ apiUrl: `https://${id}.api.anaplan.com`, authUrl: `https://${id}.auth.anaplan.com`, oauthUrl: `https://${id}.app.anaplan.com` });
    }
    expect(by('ca1')).toMatchObject({ apiUrl: 'https://ca1a.api.anaplan.com', authUrl: 'https://ca1a.auth.anaplan.com', oauthUrl: 'https://ca1a.app.anaplan.com' });
    expect(by('au1')).toMatchObject({ apiUrl: 'https://api.au1a.app2.anaplan.com', authUrl: 'https://au1a.app2.anaplan.com', oauthUrl: 'https://au1a.app2.anaplan.com' });
  });
});

describe('endpoints', () => {
  test('default region us1, and the OAuth endpoints under the OAuth host', () => {
    expect(resolveEndpoints({})).toEqual({
      regionId: 'us1',
      apiUrl: 'https://api.anaplan.com',
      authUrl: 'https://auth.anaplan.com',
      oauthUrl: 'https://us1a.app.anaplan.com',
      deviceAuthorizationUrl: 'https://us1a.app.anaplan.com/oauth/device/code',
      tokenUrl: 'https://us1a.app.anaplan.com/oauth/token',
    });
  });

  test('custom URLs override a region one by one; without a region only what is given is set', () => {
    const mixed = resolveEndpoints({ region: 'eu3', authUrl: 'https://proxy.example.com/anaplan-auth/' });
    expect(mixed.authUrl).toBe('https://proxy.example.com/anaplan-auth');
    expect(mixed.apiUrl).toBe('https://eu3.api.anaplan.com');
    const custom = resolveEndpoints({ authUrl: 'http://127.0.0.1:9000', apiUrl: 'http://localhost:9000' });
    expect(custom.oauthUrl).toBeNull();
    expect(() => requireEndpoint(custom, 'tokenUrl')).toThrow(/--token-url/);
  });

  test('refuses plain http to remote hosts, credentials in URLs, queries, junk and unknown regions', () => {
    expect(() => resolveEndpoints({ authUrl: 'http://auth.example.com' })).toThrow(/https/);
    expect(() => resolveEndpoints({ authUrl: 'https://user:pw@auth.example.com' })).toThrow(/user name or password/);
    expect(() => resolveEndpoints({ authUrl: 'https://auth.example.com/?x=1' })).toThrow(/query/);
    expect(() => resolveEndpoints({ authUrl: 'not a url' })).toThrow(/is not a URL/);
    expect(() => resolveEndpoints({ authUrl: 'ftp://auth.example.com' })).toThrow(/https/);
    expect(() => resolveEndpoints({ region: 'xx9' })).toThrow(/Unknown region "xx9"/);
  });
});

describe('links opened in the system browser', () => {
  test('only https on hosts the app knows', () => {
    expect(knownAnaplanHosts().has('us1a.app.anaplan.com')).toBe(true);
    expect(allowedExternalUrl('https://us1a.app.anaplan.com/activate?user_code=ABCD')).toBe('https://us1a.app.anaplan.com/activate?user_code=ABCD');
    expect(allowedExternalUrl('https://help.anaplan.com/anaplan-connect')).toBe('https://help.anaplan.com/anaplan-connect');
    expect(allowedExternalUrl('http://us1a.app.anaplan.com/')).toBeNull();
    expect(allowedExternalUrl('https://us1a.app.anaplan.com.evil.example/')).toBeNull();
    expect(allowedExternalUrl('https://user@us1a.app.anaplan.com/')).toBeNull();
    expect(allowedExternalUrl('file:///etc/passwd')).toBeNull();
    expect(allowedExternalUrl('javascript:alert(1)')).toBeNull();
    expect(allowedExternalUrl('https://proxy.example.com/x')).toBeNull();
    expect(allowedExternalUrl('https://proxy.example.com/x', ['proxy.example.com'])).toBe('https://proxy.example.com/x');
  });
});
