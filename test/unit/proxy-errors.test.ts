import { errors as undiciErrors } from 'undici';
import { describe, expect, test } from 'vitest';
import { mapNetworkError, proxyFor, type ProxyInUse } from '../../main/net/http.js';

/**
 * Which proxy a call goes through (the explicit one, else the environment's as undici's
 * EnvHttpProxyAgent picks it), and what a failed connection to that proxy tells the person.
 */

const TARGET = 'https://us1a.app.anaplan.com/oauth/token';
/** A plain-http host that is not this machine. */
const HTTP_TARGET = 'http://emulator.anaplan.test:8080/x';

/** An error as Node's net module raises it. */
function systemError(code: string, fields: { address?: string; port?: number; hostname?: string; syscall?: string }): Error {
  const syscall = fields.syscall ?? 'connect';
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall, ...fields });
}

describe('proxyFor: the proxy a call goes through', () => {
  test('an explicit proxy wins over the environment, and shows host:port only', () => {
    expect(proxyFor(TARGET, 'http://user:secret@proxy.corp:3128/', { HTTPS_PROXY: 'http://other:8080' })).toEqual({ hostname: 'proxy.corp', port: 3128, setting: 'explicit' });
    // Without a port, the scheme's own (as undici connects to it).
    expect(proxyFor(TARGET, 'http://proxy.corp', {})).toEqual({ hostname: 'proxy.corp', port: 80, setting: 'explicit' });
    expect(proxyFor(TARGET, 'https://proxy.corp', {})).toEqual({ hostname: 'proxy.corp', port: 443, setting: 'explicit' });
  });

  test('from the environment: https_proxy before HTTPS_PROXY for https, then HTTP_PROXY; HTTP_PROXY alone for http', () => {
    expect(proxyFor(TARGET, null, { HTTPS_PROXY: 'http://u:p@a:1', https_proxy: 'http://b:2' })).toEqual({ hostname: 'b', port: 2, setting: 'https_proxy' });
    expect(proxyFor(TARGET, null, { HTTPS_PROXY: 'http://u:p@a:1' })).toEqual({ hostname: 'a', port: 1, setting: 'HTTPS_PROXY' });
    expect(proxyFor(TARGET, null, { HTTP_PROXY: 'http://c:3' })).toEqual({ hostname: 'c', port: 3, setting: 'HTTP_PROXY' });
    // A plain-http target (not loopback: that is never proxied, below) takes no https proxy, and http_proxy before HTTP_PROXY.
    expect(proxyFor(HTTP_TARGET, null, { HTTPS_PROXY: 'http://a:1' })).toBeNull();
    expect(proxyFor(HTTP_TARGET, null, { http_proxy: 'http://d:4', HTTP_PROXY: 'http://c:3' })).toEqual({ hostname: 'd', port: 4, setting: 'http_proxy' });
    // As undici reads them: a lowercase variable set but empty hides its uppercase twin.
    expect(proxyFor(TARGET, null, { https_proxy: '', HTTPS_PROXY: 'http://a:1', HTTP_PROXY: 'http://c:3' })).toEqual({ hostname: 'c', port: 3, setting: 'HTTP_PROXY' });
    expect(proxyFor(TARGET, null, {})).toBeNull();
  });

  test('this machine (loopback) never goes through a proxy, explicit or from the environment', () => {
    expect(proxyFor('http://127.0.0.1:8080/x', 'http://p:9', { http_proxy: 'http://d:4', HTTP_PROXY: 'http://c:3', HTTPS_PROXY: 'http://a:1' })).toBeNull();
  });

  test('NO_PROXY: exact hosts, domains and their subdomains, ports, and "*"', () => {
    const env = { HTTPS_PROXY: 'http://a:1' };
    expect(proxyFor(TARGET, null, { ...env, NO_PROXY: 'us1a.app.anaplan.com' })).toBeNull();
    expect(proxyFor(TARGET, null, { ...env, NO_PROXY: 'localhost, .anaplan.com' })).toBeNull();
    expect(proxyFor(TARGET, null, { ...env, no_proxy: '*.anaplan.com' })).toBeNull();
    expect(proxyFor(TARGET, null, { ...env, NO_PROXY: 'anaplan.com:8443' })).toEqual({ hostname: 'a', port: 1, setting: 'HTTPS_PROXY' });
    expect(proxyFor(TARGET, null, { ...env, NO_PROXY: 'anaplan.com:443' })).toBeNull();
    expect(proxyFor(TARGET, null, { ...env, NO_PROXY: 'notanaplan.com' })).toEqual({ hostname: 'a', port: 1, setting: 'HTTPS_PROXY' });
    expect(proxyFor(TARGET, null, { ...env, NO_PROXY: '*' })).toBeNull();
    // An explicit proxy is used for every host.
    expect(proxyFor(TARGET, 'http://p:9', { NO_PROXY: '*' })).toEqual({ hostname: 'p', port: 9, setting: 'explicit' });
  });
});

describe('mapNetworkError: a proxy that cannot be reached is named, with its setting', () => {
  const explicit: ProxyInUse = { hostname: '127.0.0.1', port: 3128, setting: 'explicit' };
  const fromEnv: ProxyInUse = { hostname: 'proxy.corp', port: 8080, setting: 'HTTPS_PROXY' };

  test.for<[string, Error, ProxyInUse, RegExp, string]>([
    ['refused', systemError('ECONNREFUSED', { address: '127.0.0.1', port: 3128 }), explicit, /^The proxy 127\.0\.0\.1:3128 refused the connection/, 'network'],
    ['not found', systemError('ENOTFOUND', { hostname: 'proxy.corp', syscall: 'getaddrinfo' }), fromEnv, /^The proxy proxy\.corp:8080 could not be found \(DNS\)/, 'network'],
    ['no DNS answer', systemError('EAI_AGAIN', { hostname: 'proxy.corp', syscall: 'getaddrinfo' }), fromEnv, /^The proxy proxy\.corp:8080 could not be found \(DNS\)/, 'network'],
    ['no route', systemError('EHOSTUNREACH', { address: '10.0.0.5', port: 8080 }), fromEnv, /^The proxy proxy\.corp:8080 cannot be reached from this machine/, 'network'],
    ['network unreachable', systemError('ENETUNREACH', { address: '10.0.0.5', port: 8080 }), fromEnv, /^The proxy proxy\.corp:8080 cannot be reached from this machine/, 'network'],
    ['connect timeout', new undiciErrors.ConnectTimeoutError('Connect Timeout Error (attempted address: 127.0.0.1:3128, timeout: 10000ms)'), explicit, /^The proxy 127\.0\.0\.1:3128 did not accept the connection in time/, 'timeout'],
    ['connect ETIMEDOUT', systemError('ETIMEDOUT', { address: '127.0.0.1', port: 3128 }), explicit, /^The proxy 127\.0\.0\.1:3128 did not accept the connection in time/, 'timeout'],
  ])('%s', ([, error, proxy, start, code]) => {
    const mapped = mapNetworkError(error, TARGET, 30_000, proxy);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(start);
    expect(mapped.message).toContain('us1a.app.anaplan.com');
    expect(mapped.message).toMatch(proxy.setting === 'explicit' ? /--proxy.*Proxy URL/ : /HTTPS_PROXY.*NO_PROXY/);
    expect(mapped.message).not.toMatch(/ECONN|ENOTFOUND|EAI_|EHOST|ENET|ETIMEDOUT|UND_ERR/);
    expect(mapped.details).toMatchObject({ cause: expect.any(String) });
  });

  test('a failure that names another host or port than the proxy\u2019s is not blamed on the proxy', () => {
    const refused = mapNetworkError(systemError('ECONNREFUSED', { address: '127.0.0.1', port: 443 }), TARGET, 30_000, explicit);
    expect(refused.message).toMatch(/^us1a\.app\.anaplan\.com refused the connection/);
    const notFound = mapNetworkError(systemError('ENOTFOUND', { hostname: 'us1a.app.anaplan.com' }), TARGET, 30_000, fromEnv);
    expect(notFound.message).toMatch(/^The host us1a\.app\.anaplan\.com could not be found/);
  });

  test('without a proxy, the target is named as before', () => {
    const mapped = mapNetworkError(systemError('ECONNREFUSED', { address: '127.0.0.1', port: 443 }), TARGET, 30_000);
    expect(mapped.message).toMatch(/^us1a\.app\.anaplan\.com refused the connection/);
  });
});
