import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get as httpGet } from 'node:http';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { decodeKeystoreAccess } from '../../main/export/keystore-access.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, sessionCookies } from '../support/browser.js';
import {
  NO_POSIX_MODES_REASON,
  POSIX_MODES,
  SecretBook,
  filesUnder,
  findLeaks,
  haystacksOf,
  modeOf,
  placesOf,
  spawnCli,
  startAuthProxy,
  startTap,
  textHaystack,
  type Allowance,
  type AuthProxy,
  type CapturedChild,
  type Haystack,
  type Tap,
} from '../support/secret-sweep.js';
import { type TlsFront, startTlsFront } from '../support/recording-proxy.js';
import { TestCa } from '../support/test-ca.js';
import { SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * Issue 7, secrets hygiene, through the browser UI: real Chromium clicks the real UI of
 * `anaplan-setup ui` through the Basic, certificate and OAuth paths with known secrets (the UI
 * server reaching the emulator through a proxy that wants a password, given in HTTP_PROXY as the
 * UI advises). A loopback URL never goes through a proxy, so the emulator is reached as
 * https://emulator.anaplan.test, a name only the proxy resolves (to a TLS front, then the tap,
 * which tells the emulator the client came over https, then the emulator), with the front's CA given as the connection's
 * extra CA file. Then the temp HOME (settings, keys, token store), the export folders, the job
 * account's home, the UI server's whole output, the browser's storage (local, session,
 * IndexedDB, Cache Storage, cookies), the page URL and the browser's profile folder on disk are
 * searched for every secret in every encoding the sweep knows.
 */

const EMAIL = 'ui.hygiene@example.com';
const SECRETS = {
  password: 'UI basic pw Marble-3307 otter',
  proxyPassword: 'UI proxy pw Cedar-6612 (corp)',
  passphrase: 'UI key passphrase Delta-2275 plum',
  keystorePassword: 'UI keystore pw Glacier-9054 teal',
} as const;
/** Mistyped first, as people do: error messages must not echo it. */
const WRONG_PASSWORD = 'UI wrong pw Marble-3308 otter';
const PROXY_USER = 'proxyuser';
/** A name that is not loopback: only the proxy knows where it is. */
const REMOTE_NAME = 'emulator.anaplan.test';
const client = SEED_OAUTH_CLIENTS.rotatable;

let emulator: Emulator;
let tap: Tap;
let proxy: AuthProxy;
let front: TlsFront;
/** The emulator (through the tap) as the UI server is told to reach it: https, a non-loopback name. */
let remoteUrl: string;
let ca: TestCa;
let base: string;
let home: string;
let ui: CapturedChild;
let uiUrl: string;
let context: BrowserContext;
const book = new SecretBook();
const browserDumps: Haystack[] = [];
/** What the UI server sent the page: every API answer, and the event stream. */
const apiAnswers: Array<Promise<Haystack>> = [];
let events = '';
/** Names the API answers by the part of the run they belong to. */
let phase = 'setup';

const at = {
  settings: () => join(home, '.config', 'anaplan-setup'),
  keys: () => join(home, 'certificate'),
  tokenStoreDir: () => join(home, '.anaplan', 'oauth'),
  jobHome: () => join(base, 'job-home'),
  profile: () => join(base, 'browser-profile'),
  exports: (name: string) => join(base, 'exports', name),
};

const allowances: Allowance[] = [
  // keystore-access.txt (in the job account's home, and in the bundle): the keystore password, only as Anaplan Connect's obfuscated encoding.
  { where: (w) => w.endsWith('/.anaplan/api-client/keystore-access.txt'), secret: 'keystore password', forms: ['keystore-access.txt encoding (XOR 129)'] },
  // The Basic password written into the script, as the user chose, and shown in the review of that script before it is written.
  { where: (w) => /\/exports\/basic-inline\/(anaplan-connect\.(sh|bat)|anaplan-connect-job\.zip!anaplan-connect\.(sh|bat))$/.test(w), secret: 'Basic password', forms: ['plain'] },
  { where: (w) => w === 'UI API answer to previewExport (inline review)', secret: 'Basic password', forms: ['plain', 'JSON-escaped'] },
];

if (!CHROMIUM_PATH) console.warn('SKIPPED UI secrets hygiene: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).');


/** `anaplan-setup ui` with only this environment (nothing inherited), every byte it prints kept. */
async function startUiServer(): Promise<void> {
  ui = spawnCli(['ui', '--no-open'], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    TMPDIR: join(home, 'tmp'),
    // What the UI tells people to do for a proxy that wants a password.
    HTTP_PROXY: `http://${PROXY_USER}:${encodeURIComponent(SECRETS.proxyPassword)}@127.0.0.1:${proxy.port}`,
    HTTPS_PROXY: `http://${PROXY_USER}:${encodeURIComponent(SECRETS.proxyPassword)}@127.0.0.1:${proxy.port}`,
  });
  uiUrl = await ui.waitFor(/http:\/\/127\.0\.0\.1:\d+\/#token=\S+/);
}

/** Listens to the event stream as the page does (with the session the page got), to see every event the server pushes. */
async function listenToEvents(page: Page): Promise<void> {
  const url = new URL(uiUrl);
  const cookies = await sessionCookies(page, uiUrl);
  httpGet({ host: url.hostname, port: url.port, path: '/api/events', headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } }, (response) => {
    response.on('data', (chunk: Buffer) => (events += chunk.toString()));
    response.on('error', () => undefined);
  }).on('error', () => undefined);
}

/** Everything the page keeps client side, as one JSON text: URL, cookies, local and session storage, IndexedDB, Cache Storage. */
async function clientSideState(page: Page): Promise<string> {
  const inPage = await page.evaluate(async () => {
    const storage = (s: Storage) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i) ?? '').map((k) => [k, s.getItem(k)]));
    const idb: Record<string, Record<string, unknown[]>> = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const name = info.name;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      idb[name] = {};
      for (const storeName of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((resolve, reject) => {
          const request = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
          request.onsuccess = () => resolve(request.result as unknown[]);
          request.onerror = () => reject(request.error);
        });
        const target = idb[name];
        if (target) target[storeName] = all;
      }
      db.close();
    }
    const cached: Record<string, string> = {};
    if ('caches' in globalThis) {
      for (const cacheName of await caches.keys()) {
        const cache = await caches.open(cacheName);
        for (const request of await cache.keys()) cached[`${cacheName} ${request.url}`] = (await (await cache.match(request))?.text()) ?? '';
      }
    }
    return { url: location.href, cookie: document.cookie, localStorage: storage(localStorage), sessionStorage: storage(sessionStorage), indexedDB: idb, cacheStorage: cached };
  });
  return JSON.stringify({ ...inPage, cookies: await page.context().cookies(), history: await page.evaluate(() => history.length) });
}

async function keepClientSideState(page: Page, label: string): Promise<void> {
  browserDumps.push(textHaystack(`browser state after ${label}`, await clientSideState(page)));
  browserDumps.push(textHaystack(`page HTML after ${label}`, await page.content()));
}

async function fill(page: Page, label: string | RegExp, value: string): Promise<void> {
  await page.getByLabel(label, typeof label === 'string' ? { exact: true } : undefined).fill(value);
}

let listening = false;

async function newConnection(page: Page, name: string): Promise<void> {
  // The first time the page exchanges the link's one-time secret; later the link is spent and the
  // browser's session cookie answers.
  await page.goto(uiUrl);
  if (!listening) {
    listening = true;
    await listenToEvents(page); // once the page has its session
  }
  await page.reload(); // the same URL with its fragment would not load the page again
  await page.getByRole('button', { name: 'New connection' }).click();
  await fill(page, 'Connection name', name);
  await fill(page, 'Anaplan user (email)', EMAIL);
  await page.getByLabel('Region', { exact: true }).selectOption('custom');
  await fill(page, 'Auth URL', remoteUrl);
  await fill(page, 'API URL', remoteUrl);
  // The front's certificate is signed by a CA of its own, as a TLS-inspecting proxy's would be.
  const caFile = page.getByLabel('Extra CA certificates (PEM file, optional)', { exact: true });
  if (!(await caFile.isVisible())) await page.getByText('Network: proxy and certificates', { exact: true }).click();
  await caFile.fill(front.caFile);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function exportTo(page: Page, out: string, workspace: string, extra?: () => Promise<void>): Promise<void> {
  await page.getByLabel('Workspace', { exact: true }).selectOption({ label: workspace });
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Export' }).waitFor();
  await fill(page, 'Folder', out);
  await page.getByLabel(/Also one ZIP of the whole job/).check();
  await page.getByLabel('Windows (anaplan-connect.bat)').check();
  if (extra) await extra();
  await page.getByRole('button', { name: 'Review files' }).click();
  await page.getByRole('heading', { name: /Review/ }).waitFor();
  await page.getByRole('button', { name: 'Write files' }).click();
  await page.getByRole('heading', { name: 'Done' }).waitFor();
}

describe.skipIf(!CHROMIUM_PATH)('secrets hygiene through the browser UI', () => {
  beforeAll(async () => {
    emulator = await startEmulator({ oauth: { interval: 1 } });
    emulator.addUser({ email: EMAIL, password: SECRETS.password, firstName: 'Ada', lastName: 'Lovelace' });
    tap = await startTap(emulator.url, { behindTls: true });
    front = await startTlsFront(REMOTE_NAME, Number(new URL(tap.url).port));
    remoteUrl = `https://${REMOTE_NAME}:${front.port}`;
    proxy = await startAuthProxy(PROXY_USER, SECRETS.proxyPassword, { hosts: { [REMOTE_NAME]: { host: '127.0.0.1', port: front.port } } });
    ca = TestCa.create();
    base = await mkdtemp(join(tmpdir(), 'ui-secrets-hygiene-'));
    home = join(base, 'home');
    await mkdir(join(home, 'tmp'), { recursive: true, mode: 0o700 });
    for (const [name, value] of [
      ['Basic password', SECRETS.password],
      ['proxy password', SECRETS.proxyPassword],
      ['key passphrase', SECRETS.passphrase],
      ['keystore password', SECRETS.keystorePassword],
      ['mistyped Basic password', WRONG_PASSWORD],
    ] as const) {
      book.add(name, value);
    }
    await startUiServer();
    // A profile folder of our own, so that what Chromium keeps on disk is swept too.
    context = await chromium.launchPersistentContext(at.profile(), { executablePath: CHROMIUM_PATH ?? undefined, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (ui && ui.child.exitCode === null) {
      ui.child.kill('SIGTERM');
      await ui.exit;
    }
    ca?.remove();
    await proxy?.close();
    await front?.close();
    await tap?.close();
    await emulator?.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  test('Basic, certificate and OAuth in Chromium: no secret in files, server output, browser storage or the URL', async () => {
    const page = await context.newPage();
    page.on('response', (response) => {
      const name = /\/api\/call\/(\w+)/.exec(response.url())?.[1];
      const where = `UI API answer to ${name} (${phase})`;
      if (name) apiAnswers.push(response.text().then((text) => textHaystack(where, text), () => textHaystack(`${where}, unreadable`, '')));
    });

    // --- Basic
    await newConnection(page, 'UI Basic');
    await page.getByRole('radio', { name: /Basic/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await fill(page, 'Password', WRONG_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    const tunnelsBefore = proxy.tunnels.length;
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByRole('alert').filter({ hasText: /did not accept this email and password/ }).waitFor();
    await keepClientSideState(page, 'a refused password');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await fill(page, 'Password', SECRETS.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    expect(proxy.tunnels.length, 'the UI server went through the proxy with its password').toBeGreaterThan(tunnelsBefore);
    expect(new Set(proxy.tunnels.slice(tunnelsBefore)), 'each tunnel to the emulator\u2019s name').toEqual(new Set([`${REMOTE_NAME}:${front.port}`]));
    await page.getByRole('button', { name: 'Continue' }).click();
    await exportTo(page, at.exports('basic'), 'Finance Planning');
    await keepClientSideState(page, 'Basic');

    // The user opts in to the password in the script: it is there (and in the review the user asked for), nowhere else.
    await page.getByRole('button', { name: 'Back to start' }).click();
    await page.getByRole('button', { name: 'Resume UI Basic' }).click();
    // Passwords are not kept (no keychain in this front door): the user gives it again.
    await page.locator('nav[aria-label="Setup steps"]').getByRole('button', { name: /Credentials/ }).click();
    await fill(page, 'Password', SECRETS.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Test login' }).waitFor();
    await page.locator('nav[aria-label="Setup steps"]').getByRole('button', { name: /Export/ }).click();
    await page.getByRole('heading', { name: 'Export' }).waitFor();
    await fill(page, 'Folder', at.exports('basic-inline'));
    await page.getByLabel('Windows (anaplan-connect.bat)').check();
    await page.getByRole('radio', { name: /Written into the script/ }).check();
    await page.getByLabel('I understand that the password will be readable in the script file.').check();
    phase = 'inline review';
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('heading', { name: /Review/ }).waitFor();
    phase = 'inline write';
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();
    phase = 'after the inline export';
    await keepClientSideState(page, 'the inline export');

    // --- Certificate: key and CSR in the UI → the CA → import → login → keystore export with keystore-access.txt
    await newConnection(page, 'UI Certificate');
    await page.getByRole('radio', { name: /CA certificate/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await fill(page, /Your name/, 'Ada Lovelace');
    await fill(page, 'Passphrase', SECRETS.passphrase);
    await fill(page, 'Passphrase again', SECRETS.passphrase);
    await fill(page, 'Folder for the key and the request', at.keys());
    await page.getByRole('button', { name: 'Generate key and request' }).click();
    await page.getByRole('heading', { name: 'Your certificate request' }).waitFor();
    const request = { keyPath: join(at.keys(), 'private-key.pem'), csrPath: join(at.keys(), 'request.csr'), passphrase: SECRETS.passphrase, email: EMAIL };
    await book.addPrivateKeyFile('private key', request.keyPath, SECRETS.passphrase);
    const issued = ca.issue(request, 'multipurpose');
    const reply = await readFile(ca.replies(issued, request).chainWithChatter, 'utf8');
    await page.getByRole('button', { name: 'I have the certificate: import it' }).click();
    await fill(page, 'Certificate (PEM)', reply);
    await fill(page, 'Key passphrase', SECRETS.passphrase);
    await page.getByRole('button', { name: 'Check certificate' }).click();
    await page.getByRole('heading', { name: 'What the certificate says' }).waitFor();
    await fill(page, 'Keystore password', SECRETS.keystorePassword);
    await fill(page, 'Keystore password again', SECRETS.keystorePassword);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Certificate imported').waitFor();
    emulator.registerCertificate(EMAIL, issued.pem);
    await page.getByRole('button', { name: 'Continue: test the login' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await exportTo(page, at.exports('certificate'), 'Finance Planning', () => fill(page, 'Home folder of the account that runs the job', at.jobHome()));
    expect(decodeKeystoreAccess(await readFile(join(at.jobHome(), '.anaplan', 'api-client', 'keystore-access.txt'), 'utf8'))).toBe(SECRETS.keystorePassword);
    await keepClientSideState(page, 'certificate');

    // --- OAuth device grant (rotatable) → "Test again" rotates the stored token → export
    await newConnection(page, 'UI OAuth');
    await page.getByRole('radio', { name: /OAuth 2.0 device grant/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('OAuth client ID').fill(client.clientId);
    await page.getByLabel('This client’s refresh tokens are rotatable').check();
    await page.getByLabel('Folder for Anaplan Connect’s token store').fill(at.tokenStoreDir());
    await page.getByRole('button', { name: 'Start sign-in' }).click();
    const userCode = (await page.locator('.user-code').innerText()).trim();
    await page.getByText('Waiting for you to sign in and approve…').first().waitFor();
    await keepClientSideState(page, 'the device code was shown');
    emulator.approveDevice(userCode, EMAIL);
    await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 20_000 });
    const storeFile = join(at.tokenStoreDir(), tokenStoreFileName(client.clientId));
    const first = readTokenStore(await readFile(storeFile), client.clientId);
    await page.getByRole('button', { name: 'Continue: test the login' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    expect(readTokenStore(await readFile(storeFile), client.clientId)).not.toBe(first);
    await page.getByRole('button', { name: 'Continue' }).click();
    await exportTo(page, at.exports('oauth'), 'Sales Ops');
    await keepClientSideState(page, 'OAuth');
    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/); // the link's one-time secret was taken off at once
    await page.close();

    // Every credential the emulator handed out through the UI server.
    const credentials = tap.credentials();
    for (const { name, value } of credentials) book.add(name, value);
    for (const kind of ['tokenValue', 'access_token', 'refresh_token', 'id_token', 'device_code']) expect(credentials.some((c) => c.name.startsWith(`${kind} #`)), kind).toBe(true);
    // Only the proxy knows where the emulator's name is: all of that came through it, every tunnel to that name.
    expect(new Set(proxy.tunnels)).toEqual(new Set([`${REMOTE_NAME}:${front.port}`]));

    // Stop the UI server and the browser, so that their output and Chromium's disk state are complete.
    await context.close();
    ui.child.kill('SIGTERM');
    await ui.exit;

    const files = await filesUnder(base);
    expect(files).toContain(join(at.settings(), 'settings.json'));
    expect(files.some((f) => f.startsWith(at.profile()))).toBe(true);
    const haystacks = [
      ...(await haystacksOf(files)),
      textHaystack('stdout of anaplan-setup ui', ui.stdout()),
      textHaystack('stderr of anaplan-setup ui', ui.stderr()),
      ...browserDumps,
      ...(await Promise.all(apiAnswers)),
      textHaystack('UI event stream', events),
    ];
    expect(apiAnswers.length).toBeGreaterThan(20);
    expect(events).toContain('"event"');
    expect(haystacks.some((h) => h.where.endsWith('anaplan-connect-job.zip!home/.anaplan/api-client/keystore-access.txt'))).toBe(true);
    expect(findLeaks(haystacks, book, allowances)).toEqual([]);
    const inline = join(base, 'exports', 'basic-inline');
    expect(placesOf(haystacks, book, 'Basic password').sort()).toEqual(
      [join(inline, 'anaplan-connect.bat'), join(inline, 'anaplan-connect.sh'), 'UI API answer to previewExport (inline review)'].sort(),
    );
  }, 60_000);

  test.skipIf(!POSIX_MODES)('the designated secret files are 0600 (the script holding the opted-in password 0700) in 0700 folders', async () => {
    const designated: Array<[file: string, mode: string]> = [
      [join(at.keys(), 'private-key.pem'), '0600'],
      [join(at.keys(), 'keystore.p12'), '0600'],
      [join(at.jobHome(), '.anaplan', 'api-client', 'keystore-access.txt'), '0600'],
      [join(at.exports('certificate'), 'anaplan-connect-job.zip'), '0600'], // it carries keystore-access.txt
      [join(at.exports('basic-inline'), 'anaplan-connect.sh'), '0700'],
      [join(at.exports('basic-inline'), 'anaplan-connect.bat'), '0600'],
      // Anaplan Connect's token store, and the .bak of the one the rotation replaced.
      ...(await filesUnder(at.tokenStoreDir())).map((file): [string, string] => [file, '0600']),
    ];
    expect(designated.some(([file]) => file.endsWith(tokenStoreFileName(client.clientId)))).toBe(true);
    const modes: Array<[string, string]> = [];
    for (const [file] of designated) modes.push([file, await modeOf(file)]);
    expect(modes).toEqual(designated);
    const folders = [...new Set(designated.map(([file]) => dirname(file)))];
    const folderModes: Array<[string, string]> = [];
    for (const folder of folders) folderModes.push([folder, await modeOf(folder)]);
    expect(folderModes).toEqual(folders.map((folder) => [folder, '0700']));
    expect(await modeOf(join(at.settings(), 'settings.json'))).toBe('0600');
  });
  if (!POSIX_MODES) console.warn(`SKIPPED the mode checks: ${NO_POSIX_MODES_REASON}`);
});
