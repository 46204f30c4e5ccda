import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allowedExternalUrl } from '../../main/core/external-links.js';
import { migrateSettings } from '../../main/store/settings-schema.js';
import { runCli } from '../support/cli.js';

/**
 * What an adversarial review tried and found holding (issue 13, "what held"), kept as tests so it
 * keeps holding: redirects are never followed with credentials, the system browser opens only
 * Anaplan's https hosts (no userinfo, look-alike or punycode hosts, other ports or schemes), and a
 * settings file cannot pollute object prototypes.
 */
describe('redirects are not followed', () => {
  let redirecting: Server;
  let elsewhere: Server;
  const reachedElsewhere: IncomingMessage[] = [];
  const url = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  beforeAll(async () => {
    elsewhere = createServer((request, response) => {
      reachedElsewhere.push(request);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    redirecting = createServer((request, response) => {
      request.resume();
      response.writeHead(307, { location: `${url(elsewhere)}${request.url ?? '/'}` }).end();
    });
    await Promise.all([new Promise<void>((done) => elsewhere.listen(0, '127.0.0.1', done)), new Promise<void>((done) => redirecting.listen(0, '127.0.0.1', done))]);
  });
  afterAll(() => {
    redirecting.close();
    elsewhere.close();
  });

  test('a sign-in answered with a redirect goes nowhere else: the password never reaches the other server', async () => {
    const home = await mkdtemp(join(tmpdir(), 'held-redirect-'));
    const result = await runCli(['login', '--method', 'basic', '--user', 'someone@example.com', '--password-env', 'PW', '--auth-url', url(redirecting), '--api-url', url(redirecting), '--json'], {
      env: { HOME: home, ANAPLAN_SETUP_HOME: join(home, 'settings'), PW: 'secret-password' },
    });
    expect(result.code).not.toBe(0);
    expect(result.json<{ error: { code: string } }>().error.code).toMatch(/unexpected_response|server_error/);
    expect(reachedElsewhere).toHaveLength(0);
  });
});

describe('links for the system browser', () => {
  test('userinfo, look-alike and punycode hosts, other ports and schemes are refused', () => {
    for (const url of [
      'https://help.anaplan.com@evil.example/',
      'https://evil.example#@help.anaplan.com/',
      'https://help.anaplan.com.evil.example/',
      'https://xn--hlp-anaplan-8za.com/',
      'https://hеlp.anaplan.com/', // a Cyrillic е: parsed as punycode, not Anaplan's host
      'https://help.anaplan.com:8443/',
      'http://help.anaplan.com/',
      'ftp://help.anaplan.com/',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'javascript://help.anaplan.com/%0aalert(1)',
      '//help.anaplan.com/',
    ]) {
      expect(allowedExternalUrl(url), url).toBeNull();
    }
    // The default port written out is the same URL; the browser gets the normalised form.
    expect(allowedExternalUrl('https://HELP.anaplan.com:443/x')).toBe('https://help.anaplan.com/x');
  });
});

describe('settings.json cannot pollute prototypes', () => {
  // Written as text: in an object literal `__proto__:` would set the prototype, not make a key.
  const hostile =
    '{"schemaVersion":2,"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},' +
    '"profiles":[{"id":"p1","name":"Prod","createdAt":"","updatedAt":"","__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}}}]}';

  test('the hostile keys are really in the file', () => {
    expect(Object.keys(JSON.parse(hostile) as object)).toContain('__proto__');
  });

  test('read by the schema: nothing leaks into Object.prototype or the profiles', () => {
    const settings = migrateSettings(JSON.parse(hostile));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const [profile] = settings.profiles;
    expect(Object.getPrototypeOf(profile)).toBe(Object.prototype);
    expect((profile as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  test('read by the real CLI: status works and reports the one connection', async () => {
    const home = await mkdtemp(join(tmpdir(), 'held-proto-'));
    await mkdir(join(home, 'settings'), { recursive: true, mode: 0o700 });
    await writeFile(join(home, 'settings', 'settings.json'), hostile, { mode: 0o600 });
    const result = await runCli(['status', '--json'], { env: { HOME: home, ANAPLAN_SETUP_HOME: join(home, 'settings') } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/polluted|isAdmin/);
  });
});
