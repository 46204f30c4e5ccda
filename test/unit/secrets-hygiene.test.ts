import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { decodeKeystoreAccess } from '../../main/export/keystore-access.js';
import { buildZip } from '../../main/fs/zip.js';
import { runCli, type CliResult } from '../support/cli.js';
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
  type Haystack,
  type Tap,
} from '../support/secret-sweep.js';
import { type TlsFront, startTlsFront } from '../support/recording-proxy.js';
import { PFX_PASSWORD, TestCa, type TestRequest } from '../support/test-ca.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

/**
 * Issue 7, secrets hygiene, through the command line: every sign-in path (Basic, certificate,
 * OAuth) with known secrets, a proxy password, exports of every kind; then everything written
 * (the whole temp HOME with the settings, the export folders, the job account's home, the working
 * folder, TMPDIR) and every byte printed is searched for every secret in every encoding we can
 * think of. Secrets may appear only where the user put them on purpose, in the form expected there.
 */

const EMAIL = 'hygiene.user@example.com';
const SECRETS = {
  password: 'Basic pw Quartz-7781 lantern',
  proxyPassword: 'Proxy pw Heron-5523 (corp)',
  passphrase: 'Key passphrase Tundra-4190 violet',
  keystorePassword: 'Keystore pw Falcon-8836 amber',
} as const;
/** What a person mistypes is a secret too (often one letter away from the real one): error messages must not echo it. */
const WRONG = {
  password: 'Wrong basic pw Quartz-7782 lantern',
  proxyPassword: 'Wrong proxy pw Heron-5524 (corp)',
  passphrase: 'Wrong passphrase Tundra-4191 violet',
  keystorePassword: 'Wrong keystore pw Falcon-8837 amber',
  colonPassphrase: 'Refused pass:phrase Ibis-3318 cobalt',
} as const;
const PROXY_USER = 'proxyuser';
const client = SEED_OAUTH_CLIENTS.rotatable;
const nonRotatable = SEED_OAUTH_CLIENTS.deviceGrant;
const workspaceId = SEED.workspaces.financePlanning.id;
const modelId = SEED.models.fpa.id;

let emulator: Emulator;
let tap: Tap;
/** The same emulator behind the TLS front, for the steps through the proxy. */
let remoteTap: Tap;
let front: TlsFront;
let proxy: AuthProxy;
let ca: TestCa;
let base: string;
let home: string;
let closedPort: number;
const book = new SecretBook();
const outputs: Haystack[] = [];

/** Where each thing lives, all under `base`, which the sweep walks whole. */
const at = {
  cwd: () => join(base, 'cwd'),
  tmp: () => join(home, 'tmp'),
  settings: () => join(home, '.config', 'anaplan-setup'),
  keys: () => join(home, 'certificate'),
  pfxImport: () => join(home, 'certificate-from-pfx'),
  tokenStoreDir: () => join(home, '.anaplan', 'oauth'),
  envTokenStoreDir: () => join(home, '.anaplan', 'oauth-from-env'),
  jobHome: () => join(base, 'job-home'),
  exports: (name: string) => join(base, 'exports', name),
};

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    TMPDIR: at.tmp(),
    // The secrets reach the CLI only through these (never flags), as a cron job or a person would give them.
    ANAPLAN_PW: SECRETS.password,
    PROXY_PW: SECRETS.proxyPassword,
    KEY_PP: SECRETS.passphrase,
    KS_PW: SECRETS.keystorePassword,
    PFX_PW: PFX_PASSWORD,
    WRONG_PW: WRONG.password,
    WRONG_PROXY_PW: WRONG.proxyPassword,
    WRONG_KEY_PP: WRONG.passphrase,
    WRONG_KS_PW: WRONG.keystorePassword,
    COLON_PP: WRONG.colonPassphrase,
    ...extra,
  };
}

const endpoints = () => ['--auth-url', tap.url, '--api-url', tap.url, '--oauth-url', tap.url];
/**
 * Through the proxy that wants a password. A loopback URL never goes through a proxy, so these
 * steps reach the emulator as https://emulator.anaplan.test, a name only the proxy resolves (a
 * TLS front, then a tap that tells the emulator the client came over https).
 */
const remoteEndpoints = () => ['--auth-url', remoteUrl(), '--api-url', remoteUrl(), '--oauth-url', remoteUrl(), '--ca-file', front.caFile];
const viaProxy = () => [...remoteEndpoints(), '--proxy', `http://${PROXY_USER}@127.0.0.1:${proxy.port}`, '--proxy-password-env', 'PROXY_PW'];
const REMOTE_NAME = 'emulator.anaplan.test';
const remoteUrl = () => `https://${REMOTE_NAME}:${front.port}`;

/** Runs the CLI, keeps its output for the sweep, and expects success. */
async function cli(label: string, args: string[], ok: (code: number) => boolean = (code) => code === 0): Promise<CliResult> {
  const result = await runCli(args, { env: env(), cwd: at.cwd() });
  outputs.push(textHaystack(`stdout of ${label}`, result.stdout), textHaystack(`stderr of ${label}`, result.stderr));
  expect(ok(result.code), `${label} exited ${result.code}\n${result.stdout}\n${result.stderr}`).toBe(true);
  return result;
}

/** The places the user chose to hold a secret, and the forms allowed there. */
const allowances: Allowance[] = [
  // Anaplan Connect's keystore-access.txt: the keystore password, obfuscated as Anaplan Connect reads it (never plain).
  // (in the job account's home, and in the bundle as home/.anaplan/api-client/keystore-access.txt)
  { where: (w) => w.endsWith('/.anaplan/api-client/keystore-access.txt'), secret: 'keystore password', forms: ['keystore-access.txt encoding (XOR 129)'] },
  // --password-source inline / --keystore-password-source inline / --key-passphrase-source inline: in the scripts, as the user asked.
  ...inlineAllowance('inline-basic', 'Basic password'),
  ...inlineAllowance('inline-keystore', 'keystore password'),
  ...inlineAllowance('inline-pem', 'key passphrase'),
];

/** A loopback port with nobody listening: a proxy that is not there. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function inlineAllowance(folder: string, secret: string): Allowance[] {
  const script = (w: string) => /[/!]anaplan-connect\.(sh|bat)$/.test(w) && w.includes(`/exports/${folder}/`);
  return [{ where: script, secret, forms: ['plain'] }];
}

beforeAll(async () => {
  emulator = await startEmulator({ oauth: { interval: 1 } });
  emulator.addUser({ email: EMAIL, password: SECRETS.password, firstName: 'Ada', lastName: 'Lovelace' });
  tap = await startTap(emulator.url);
  remoteTap = await startTap(emulator.url, { behindTls: true });
  front = await startTlsFront(REMOTE_NAME, Number(new URL(remoteTap.url).port));
  proxy = await startAuthProxy(PROXY_USER, SECRETS.proxyPassword, { hosts: { [REMOTE_NAME]: { host: '127.0.0.1', port: front.port } } });
  ca = TestCa.create();
  closedPort = await freePort();
  base = await mkdtemp(join(tmpdir(), 'secrets-hygiene-'));
  home = join(base, 'home');
  await mkdir(at.tmp(), { recursive: true, mode: 0o700 });
  await mkdir(at.cwd(), { recursive: true });
  book.add('Basic password', SECRETS.password);
  book.add('proxy password', SECRETS.proxyPassword);
  book.add('key passphrase', SECRETS.passphrase);
  book.add('keystore password', SECRETS.keystorePassword);
  book.add('PKCS#12 file password', PFX_PASSWORD);
  book.add('mistyped Basic password', WRONG.password);
  book.add('mistyped proxy password', WRONG.proxyPassword);
  book.add('mistyped key passphrase', WRONG.passphrase);
  book.add('mistyped keystore password', WRONG.keystorePassword);
  book.add('refused passphrase with a colon', WRONG.colonPassphrase);
}, 60_000);

afterAll(async () => {
  ca?.remove();
  await proxy?.close();
  await front?.close();
  await remoteTap?.close();
  await tap?.close();
  await emulator?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('secrets hygiene through the command line', () => {
  test('Basic, certificate and OAuth with known secrets: nothing written or printed holds a secret, except where the user chose', async () => {
    // --- Basic: login through a proxy that wants a password, login as JSON, export (with proxy settings, schedule, bundle)
    const tunnelsBefore = proxy.tunnels.length;
    await cli('login basic via proxy', ['login', '--method', 'basic', '--user', EMAIL, '--password-env', 'ANAPLAN_PW', ...viaProxy()]);
    expect(proxy.tunnels.length).toBeGreaterThan(tunnelsBefore);
    await cli('login basic --json', ['login', '--method', 'basic', '--user', EMAIL, '--password-env', 'ANAPLAN_PW', ...endpoints(), '--json']);
    await cli('export basic', [
      'export', '--method', 'basic', '--user', EMAIL, '--platform', 'all', '--out', at.exports('basic'), '--workspace-id', workspaceId, '--model-id', modelId,
      ...endpoints(), '--proxy', 'http://proxy.example.com:8080', '--proxy-user', 'CORP\\proxyuser', '--proxy-password-variable', 'PROXY_PW',
      '--operation', 'process', '--process', 'Nightly Load', '--schedule', '02:30', '--log-dir', join(base, 'logs'), '--bundle', '--json',
    ]);

    // --- Certificate: keygen (human output) → the CA issues → import-cert → login both ways → export both forms
    await cli('keygen', ['keygen', '--email', EMAIL, '--name', 'Ada Lovelace', '--org', 'Hygiene Ltd', '--country', 'GB', '--passphrase-env', 'KEY_PP', '--out', at.keys(), '--profile', 'Hygiene certificate']);
    const request: TestRequest = { keyPath: join(at.keys(), 'private-key.pem'), csrPath: join(at.keys(), 'request.csr'), passphrase: SECRETS.passphrase, email: EMAIL };
    await book.addPrivateKeyFile('private key', request.keyPath, SECRETS.passphrase);
    const issued = ca.issue(request, 'multipurpose');
    const replies = ca.replies(issued, request);
    await cli('import-cert', ['import-cert', replies.p7bPem, '--key', request.keyPath, '--passphrase-env', 'KEY_PP', '--out', at.keys(), '--keystore-password-env', 'KS_PW', '--profile', 'Hygiene certificate', '--json']);
    // A PKCS#12 reply with its own file password (and the key inside it) also imports without leaving either behind.
    await cli('import-cert pfx', ['import-cert', replies.pfx, '--file-password-env', 'PFX_PW', '--out', at.pfxImport(), '--keystore-password-env', 'KS_PW']);
    emulator.registerCertificate(EMAIL, issued.pem);
    const keystore = join(at.keys(), 'keystore.p12');
    await cli('login certificate keystore', ['login', '--method', 'certificate', '--keystore', keystore, '--alias', 'anaplan-connect', '--keystore-password-env', 'KS_PW', ...endpoints()]);
    await cli('login certificate files --json', ['login', '--method', 'certificate', '--certificate', join(at.keys(), 'certificate.pem'), '--key', request.keyPath, '--passphrase-env', 'KEY_PP', ...endpoints(), '--json']);
    await cli('export certificate keystore', [
      'export', '--method', 'certificate', '--keystore', keystore, '--alias', 'anaplan-connect', '--keystore-password-env', 'KS_PW', '--job-home', at.jobHome(),
      '--out', at.exports('certificate-keystore'), ...endpoints(), '--bundle', '--json',
    ]);
    await cli('export certificate files', ['export', '--method', 'certificate', '--certificate', join(at.keys(), 'certificate.pem'), '--key', request.keyPath, '--out', at.exports('certificate-pem'), ...endpoints()]);

    // --- OAuth device grant (human output, through the proxy) → login with the stored token (rotates) → export
    const flow = spawnCli(['oauth', '--client-id', client.clientId, '--rotatable', '--token-store-dir', at.tokenStoreDir(), ...viaProxy()], env(), at.cwd());
    await expect.poll(() => emulator.state.oauth.deviceCodes.find((c) => c.clientId === client.clientId && c.status === 'pending'), { timeout: 15_000 }).toBeTruthy();
    const code = emulator.state.oauth.deviceCodes.find((c) => c.clientId === client.clientId && c.status === 'pending');
    await expect.poll(() => flow.stderr(), { timeout: 15_000 }).toContain('Waiting for the sign-in');
    emulator.approveDevice(String(code?.userCode), EMAIL);
    const flowExit = await flow.exit;
    outputs.push(textHaystack('stdout of oauth', flow.stdout()), textHaystack('stderr of oauth', flow.stderr()));
    expect(flowExit, flow.stdout() + flow.stderr()).toBe(0);
    const storeFile = join(at.tokenStoreDir(), tokenStoreFileName(client.clientId));
    const firstRefresh = readTokenStore(await readFile(storeFile), client.clientId);
    await cli('login oauth --json', ['login', '--method', 'oauth', '--client-id', client.clientId, '--token-store-dir', at.tokenStoreDir(), ...endpoints(), '--json']);
    const rotatedRefresh = readTokenStore(await readFile(storeFile), client.clientId);
    expect(rotatedRefresh).not.toBe(firstRefresh);
    await cli('export oauth', ['export', '--method', 'oauth', '--client-id', client.clientId, '--rotatable', '--token-store-dir', at.tokenStoreDir(), '--out', at.exports('oauth'), ...endpoints(), '--bundle', '--json']);
    // A second client (non-rotatable), --json, the store's folder from AC_OAUTH_KEYSTORE_DIR as Anaplan Connect finds it.
    const jsonFlow = spawnCli(['oauth', '--client-id', nonRotatable.clientId, ...endpoints(), '--json'], env({ AC_OAUTH_KEYSTORE_DIR: at.envTokenStoreDir() }), at.cwd());
    const codeEvent = JSON.parse(await jsonFlow.waitFor(/\{"event":"code".*\}/)) as { userCode: string };
    emulator.approveDevice(codeEvent.userCode, EMAIL);
    const jsonExit = await jsonFlow.exit;
    outputs.push(textHaystack('stdout of oauth --json', jsonFlow.stdout()), textHaystack('stderr of oauth --json', jsonFlow.stderr()));
    expect(jsonExit, jsonFlow.stdout() + jsonFlow.stderr()).toBe(0);
    expect(jsonFlow.stdout()).toContain(join(at.envTokenStoreDir(), tokenStoreFileName(nonRotatable.clientId)));
    await cli('status', ['status', '--json'], (c) => c === 0 || c === 3);
    await cli('status human', ['status'], (c) => c === 0 || c === 3);

    // --- The user opts in: a secret written into the script, one run per kind
    await cli('export basic inline', ['export', '--method', 'basic', '--user', EMAIL, '--password-source', 'inline', '--password-env', 'ANAPLAN_PW', '--out', at.exports('inline-basic'), ...endpoints(), '--bundle', '--json']);
    await cli('export keystore inline', ['export', '--method', 'certificate', '--keystore', keystore, '--alias', 'anaplan-connect', '--keystore-password-source', 'inline', '--keystore-password-env', 'KS_PW', '--out', at.exports('inline-keystore'), ...endpoints(), '--json']);
    await cli('export key passphrase inline', [
      'export', '--method', 'certificate', '--certificate', join(at.keys(), 'certificate.pem'), '--key', request.keyPath, '--key-passphrase-source', 'inline', '--passphrase-env', 'KEY_PP',
      '--out', at.exports('inline-pem'), ...endpoints(), '--json',
    ]);

    // --- Failures, human and JSON: a mistyped secret, a refused one, a proxy that refuses or is not there
    const failed = (c: number) => c !== 0;
    for (const json of [[], ['--json']]) {
      await cli(`login basic, wrong password ${json.join('')}`, ['login', '--method', 'basic', '--user', EMAIL, '--password-env', 'WRONG_PW', ...endpoints(), ...json], failed);
      await cli(`login via proxy, wrong proxy password ${json.join('')}`, [
        'login', '--method', 'basic', '--user', EMAIL, '--password-env', 'ANAPLAN_PW', ...remoteEndpoints(),
        '--proxy', `http://${PROXY_USER}@127.0.0.1:${proxy.port}`, '--proxy-password-env', 'WRONG_PROXY_PW', ...json,
      ], failed);
      // (retried for a few seconds: once is enough)
      if (json.length === 0) {
        await cli('login via a proxy that is not there', [
          'login', '--method', 'basic', '--user', EMAIL, '--password-env', 'ANAPLAN_PW', ...remoteEndpoints(),
          '--proxy', `http://${PROXY_USER}@127.0.0.1:${closedPort}`, '--proxy-password-env', 'PROXY_PW', '--timeout', '5',
        ], failed);
      }
      await cli(`login keystore, wrong password ${json.join('')}`, ['login', '--method', 'certificate', '--keystore', keystore, '--alias', 'anaplan-connect', '--keystore-password-env', 'WRONG_KS_PW', ...endpoints(), ...json], failed);
      await cli(`login key file, wrong passphrase ${json.join('')}`, ['login', '--method', 'certificate', '--certificate', join(at.keys(), 'certificate.pem'), '--key', request.keyPath, '--passphrase-env', 'WRONG_KEY_PP', ...endpoints(), ...json], failed);
      await cli(`import-cert, wrong passphrase ${json.join('')}`, ['import-cert', replies.p7bPem, '--key', request.keyPath, '--passphrase-env', 'WRONG_KEY_PP', '--out', join(base, 'refused-import'), '--keystore-password-env', 'KS_PW', ...json], failed);
      await cli(`keygen, passphrase with a colon ${json.join('')}`, ['keygen', '--email', EMAIL, '--name', 'Ada Lovelace', '--passphrase-env', 'COLON_PP', '--out', join(base, 'refused-keygen'), ...json], failed);
      await cli(`export keystore, wrong password ${json.join('')}`, ['export', '--method', 'certificate', '--keystore', keystore, '--alias', 'anaplan-connect', '--keystore-password-env', 'WRONG_KS_PW', '--job-home', join(base, 'refused-job-home'), '--out', at.exports('refused'), ...json], failed);
      await cli(`login with a password inside --proxy ${json.join('')}`, ['login', '--method', 'basic', '--user', EMAIL, '--password-env', 'ANAPLAN_PW', ...remoteEndpoints(), '--proxy', `http://${PROXY_USER}:${encodeURIComponent(SECRETS.proxyPassword)}@127.0.0.1:${proxy.port}`, ...json], failed);
    }
    // That last one put the proxy password in a flag on purpose (it is refused): it must not come back in the output either.

    // Every credential the emulator handed out (Anaplan tokens, OAuth access, refresh and ID tokens, device codes).
    const issuedCredentials = [...tap.credentials(), ...remoteTap.credentials()];
    for (const { name, value } of issuedCredentials) book.add(name, value);
    const names = issuedCredentials.map((c) => c.name);
    for (const kind of ['tokenValue', 'access_token', 'refresh_token', 'id_token', 'device_code']) expect(names.some((n) => n.startsWith(`${kind} #`)), kind).toBe(true);
    expect(issuedCredentials.map((c) => c.value)).toEqual(expect.arrayContaining([firstRefresh, rotatedRefresh]));

    // --- The sweep: every file under base (HOME with settings and TMPDIR, exports, job home, cwd), ZIP entries, all output.
    const files = await filesUnder(base);
    expect(files).toContain(join(at.settings(), 'settings.json'));
    const settings = await readFile(join(at.settings(), 'settings.json'), 'utf8');
    expect(settings).toContain('Hygiene certificate'); // the sweep did look at real settings
    const haystacks = [...(await haystacksOf(files)), ...outputs];
    expect(haystacks.some((h) => h.where.endsWith('anaplan-connect-job.zip!anaplan-connect.sh'))).toBe(true);
    expect(findLeaks(haystacks, book, allowances)).toEqual([]);

    // --- The opted-in secrets are where the user asked for them, and nowhere else.
    const scripts = (folder: string) => [join(at.exports(folder), 'anaplan-connect.bat'), join(at.exports(folder), 'anaplan-connect.sh')];
    expect(placesOf(haystacks, book, 'Basic password').filter((w) => !w.includes('!')).sort()).toEqual(scripts('inline-basic'));
    expect(placesOf(haystacks, book, 'Basic password').filter((w) => w.includes('!')).sort()).toEqual(
      ['anaplan-connect.bat', 'anaplan-connect.sh'].map((n) => `${join(at.exports('inline-basic'), 'anaplan-connect-job.zip')}!${n}`),
    );
    expect(placesOf(haystacks, book, 'keystore password').sort()).toEqual(scripts('inline-keystore'));
    expect(placesOf(haystacks, book, 'key passphrase').sort()).toEqual(scripts('inline-pem'));
    const accessFile = join(at.jobHome(), '.anaplan', 'api-client', 'keystore-access.txt');
    expect(decodeKeystoreAccess(await readFile(accessFile, 'utf8'))).toBe(SECRETS.keystorePassword);
    // Without an opt-in, the scripts name only variables.
    const plainScripts = ['basic', 'certificate-keystore', 'certificate-pem', 'oauth'].flatMap(scripts);
    for (const script of plainScripts) expect(findLeaks(await haystacksOf([script]), book), script).toEqual([]);
    expect(await readFile(join(at.exports('basic'), 'anaplan-connect.sh'), 'utf8')).toContain('PROXY_PW');
  }, 90_000); // about 25 s alone; room for a busy machine

  test.skipIf(!POSIX_MODES)('the designated secret files are 0600 (the script holding an opted-in secret 0700) in 0700 folders', async () => {
    const designated: Array<[file: string, mode: string]> = [
      [join(at.keys(), 'private-key.pem'), '0600'], // encrypted PKCS#8 key
      [join(at.keys(), 'keystore.p12'), '0600'], // key, leaf and chain for Anaplan Connect and Boomi
      [join(at.pfxImport(), 'keystore.p12'), '0600'],
      [join(at.tokenStoreDir(), tokenStoreFileName(client.clientId)), '0600'], // Anaplan Connect's refresh-token store
      [join(at.envTokenStoreDir(), tokenStoreFileName(nonRotatable.clientId)), '0600'],
      [join(at.jobHome(), '.anaplan', 'api-client', 'keystore-access.txt'), '0600'], // the obfuscated keystore password
      [join(at.exports('certificate-keystore'), 'anaplan-connect-job.zip'), '0600'], // the bundle carries keystore-access.txt
      [join(at.exports('inline-basic'), 'anaplan-connect.sh'), '0700'],
      [join(at.exports('inline-basic'), 'anaplan-connect.bat'), '0600'],
      [join(at.exports('inline-basic'), 'anaplan-connect-job.zip'), '0600'],
      [join(at.exports('inline-keystore'), 'anaplan-connect.sh'), '0700'],
      [join(at.exports('inline-keystore'), 'anaplan-connect.bat'), '0600'],
      [join(at.exports('inline-pem'), 'anaplan-connect.sh'), '0700'],
      [join(at.exports('inline-pem'), 'anaplan-connect.bat'), '0600'],
    ];
    // A rotated refresh token replaces the store with no backup (issue 13): any other file there would be a secret too.
    for (const file of await filesUnder(at.tokenStoreDir())) if (!designated.some(([path]) => path === file)) designated.push([file, '0600']);
    expect(designated.filter(([file]) => file.includes('.jks.')), 'no backup of a retired refresh token is kept').toEqual([]);
    const actual: Array<[string, string]> = [];
    for (const [file] of designated) actual.push([file, await modeOf(file)]);
    expect(actual).toEqual(designated);
    const folders = [...new Set(designated.map(([file]) => dirname(file)))];
    const folderModes: Array<[string, string]> = [];
    for (const folder of folders) folderModes.push([folder, await modeOf(folder)]);
    expect(folderModes).toEqual(folders.map((folder) => [folder, '0700']));
    // Settings hold no secret but say where the keys are: private too.
    expect(await modeOf(join(at.settings(), 'settings.json'))).toBe('0600');
  });
  if (!POSIX_MODES) console.warn(`SKIPPED the mode checks: ${NO_POSIX_MODES_REASON}`);

  test('the sweep itself finds a secret in every form it claims to check', async () => {
    // Proof the detector can fail: each planted form is found, in a file, a ZIP entry and output.
    const scratch = await mkdtemp(join(tmpdir(), 'sweep-self-test-'));
    try {
      const pw = SECRETS.password;
      const planted = new SecretBook();
      planted.add('Basic password', pw);
      planted.add('keystore password', SECRETS.keystorePassword);
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      planted.addPrivateKey('private key', privateKey);
      const keyDer = privateKey.export({ type: 'pkcs8', format: 'der' });
      const plants: Record<string, string | Buffer> = {
        'plain.txt': `password=${pw}\n`,
        'json.json': JSON.stringify({ nested: { value: `say "${pw}"` } }),
        'url.log': `GET /x?p=${encodeURIComponent(pw)} 200`,
        'form.txt': `password=${encodeURIComponent(pw).replace(/%20/g, '+')}&x=1`,
        'basic-header.txt': `Authorization: Basic ${Buffer.from(`${EMAIL}:${pw}`).toString('base64')}`,
        'hex.txt': Buffer.from(`xx${pw}`).toString('hex'),
        'utf16.bin': Buffer.from(pw, 'utf16le'),
        'key.pem': `-----BEGIN PRIVATE KEY-----\n${keyDer.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`,
        'key-in-json.json': JSON.stringify({ pem: `-----BEGIN PRIVATE KEY-----\n${keyDer.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n` }),
        'key.der': Buffer.concat([Buffer.from([0x30, 0x82]), keyDer]),
        'bundle.zip': buildZip([{ name: 'inside.txt', content: `x ${pw} y`, mode: 0o644 }], new Date()),
        'raw-deflate.bin': deflateRawSync(Buffer.from(pw)), // not a ZIP: a compressed stream outside one is not looked into
      };
      for (const [name, content] of Object.entries(plants)) await writeFile(join(scratch, name), content);
      const haystacks = [...(await haystacksOf(await filesUnder(scratch))), textHaystack('stderr of a planted run', `oops ${pw}`)];
      const leaks = findLeaks(haystacks, planted, allowances);
      const where = new Set(leaks.map((l) => l.where.replace(`${scratch}/`, '')));
      expect([...where].sort()).toEqual(
        ['basic-header.txt', 'bundle.zip!inside.txt', 'form.txt', 'hex.txt', 'json.json', 'key-in-json.json', 'key.der', 'key.pem', 'plain.txt', 'stderr of a planted run', 'url.log', 'utf16.bin'].sort(),
      );
      // An allowance covers only its own form: the keystore password in plain in keystore-access.txt is still a leak.
      const access = join(scratch, '.anaplan', 'api-client', 'keystore-access.txt');
      await mkdir(dirname(access), { recursive: true });
      await writeFile(access, SECRETS.keystorePassword);
      const accessLeaks = findLeaks(await haystacksOf([access]), planted, allowances);
      expect(accessLeaks.map((l) => l.form)).toContain('plain');
      expect((await stat(access)).isFile()).toBe(true);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
