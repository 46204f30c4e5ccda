// A script holding a secret written inline must not survive, silently, as a plain-text .bak
// when the job is exported again over it: the backup is removed and the result says so.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createAssistant, type Handlers } from '../../main/core/assistant.js';
import { bundleOf } from '../../main/core/export-job.js';
import { dispatch } from '../../main/core/dispatch.js';
import { buildAnaplanConnectFiles, type AnaplanConnectExportRequest } from '../../main/export/index.js';
import { secretHeldIn } from '../../main/export/inline-secret.js';
import { createHttpClient } from '../../main/net/http.js';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { NO_SECRET_STORE } from '../../main/store/secrets.js';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/fixtures.js';
import { certificateRecord } from '../support/profiles.js';

const work = useTempDir('export-secret-backups-');

const PASSWORD = 'Inline-Secret-7f3a';
const USER = 'integration.user@example.com';
const notKept = (name: string, secret = 'the password') => `The previous ${name} held ${secret} in plain text; it was replaced and not kept as a backup.`;

/** Every file under the folder (backups included) whose bytes contain the secret. */
async function filesHolding(folder: string, secret: string): Promise<string[]> {
  const names = await readdir(folder, { recursive: true, withFileTypes: true });
  const holding: string[] = [];
  for (const entry of names) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(secret)) holding.push(path);
  }
  return holding;
}

const backupsIn = async (folder: string) => (await readdir(folder)).filter((name) => name.endsWith('.bak')).sort();

describe('anaplan-setup export over a script that held an inline secret', () => {
  const cli = (out: string, ...more: string[]) => ['export', '--method', 'basic', '--user', USER, '--platform', 'all', '--out', out, ...more];
  const env = () => ({ HOME: work(), ANAPLAN_SETUP_HOME: join(work(), 'settings') });

  async function exportInline(out: string, password = PASSWORD, ...more: string[]) {
    const file = join(work(), 'password.txt');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    const result = await runCli(cli(out, '--password-source', 'inline', '--password-file', file, '--json', ...more), { env: env() });
    expect(result.code, result.stdout).toBe(0);
    return result;
  }

  test('--json: the old .sh and .bat are replaced without a backup, and the warnings say so', async () => {
    const out = join(work(), 'job');
    await exportInline(out);
    const result = await runCli(cli(out, '--password-source', 'env', '--overwrite', '--json'), { env: env() });
    expect(result.code, result.stdout).toBe(0);
    const { warnings } = result.json<{ warnings: string[] }>();
    expect(warnings).toContain(notKept('anaplan-connect.sh'));
    expect(warnings).toContain(notKept('anaplan-connect.bat'));
    expect(await filesHolding(out, PASSWORD)).toEqual([]);
    // Files without a secret are still kept as backups.
    expect(await backupsIn(out)).toEqual(['README.md.bak']);
  });

  test('human output: the same message, on the terminal', async () => {
    const out = join(work(), 'job');
    await exportInline(out);
    const result = await runCli(cli(out, '--password-source', 'prompt', '--overwrite'), { env: env() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(notKept('anaplan-connect.sh'));
    expect(result.stderr).toContain(notKept('anaplan-connect.bat'));
    expect(await filesHolding(out, PASSWORD)).toEqual([]);
  });

  test('a new inline password: the old one is not kept in a backup either', async () => {
    const out = join(work(), 'job');
    await exportInline(out);
    const result = await exportInline(out, 'Second-Secret-91bd', '--overwrite');
    expect(result.json<{ warnings: string[] }>().warnings).toContain(notKept('anaplan-connect.sh'));
    expect(await filesHolding(out, PASSWORD)).toEqual([]);
    expect((await filesHolding(out, 'Second-Secret-91bd')).map((path) => path.slice(out.length + 1)).sort()).toEqual(['anaplan-connect.bat', 'anaplan-connect.sh']);
  });

  test('the ZIP bundle that held the password is not kept as a backup', async () => {
    const out = join(work(), 'job');
    await exportInline(out, PASSWORD, '--bundle');
    const result = await runCli(cli(out, '--password-source', 'env', '--bundle', '--overwrite', '--json'), { env: env() });
    expect(result.code, result.stdout).toBe(0);
    expect(result.json<{ warnings: string[] }>().warnings).toContain(notKept('anaplan-connect-job.zip'));
    expect(await backupsIn(out)).toEqual(['README.md.bak']);
  });

  test('a script written by an earlier version (no marker line) and edited by hand is recognised by its settings', async () => {
    const out = join(work(), 'job');
    await exportInline(out);
    for (const name of ['anaplan-connect.sh', 'anaplan-connect.bat']) {
      const path = join(out, name);
      const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => !line.includes('anaplan-setup:inline-secret'));
      await writeFile(path, `${lines.join('\n')}\n# my note\n`);
    }
    const result = await runCli(cli(out, '--password-source', 'env', '--overwrite', '--json'), { env: env() });
    expect(result.json<{ warnings: string[] }>().warnings).toEqual(expect.arrayContaining([notKept('anaplan-connect.sh'), notKept('anaplan-connect.bat')]));
    expect(await filesHolding(out, PASSWORD)).toEqual([]);
  });

  test('a script without a secret is kept as a numbered .bak, as before, and nothing is said about it', async () => {
    const out = join(work(), 'job');
    expect((await runCli(cli(out, '--password-source', 'env', '--json'), { env: env() })).code).toBe(0);
    const result = await runCli(cli(out, '--password-source', 'prompt', '--overwrite', '--json'), { env: env() });
    expect(result.code).toBe(0);
    expect(result.json<{ warnings: string[] }>().warnings.join('\n')).not.toMatch(/not kept as a backup/);
    expect(await backupsIn(out)).toEqual(['README.md.bak', 'anaplan-connect.bat.bak', 'anaplan-connect.sh.bak']);
  });
});

describe('the export step of the UI (the same core)', () => {
  async function assistant() {
    const settings = openNodeSettings(join(work(), 'settings'));
    const handlers: Handlers = createAssistant({
      settings,
      secrets: NO_SECRET_STORE,
      host: { frontDoor: 'browser', chooseFolder: null, chooseFile: null, openExternal: async () => true, emit: () => undefined },
      httpClient: (s) => createHttpClient(s),
      version: 'test',
    });
    const saved = await handlers.saveProfile({ name: 'Prod', email: USER, endpoints: { region: 'eu3' }, step: 'export' });
    const profileId = saved.profiles[0]!.id;
    const call = async <T>(name: string, payload: Record<string, unknown>): Promise<T> => {
      const outcome = await dispatch(handlers, name, { profileId, ...payload });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
      return outcome.value as T;
    };
    return { settings, profileId, call };
  }

  test('Basic: the review says the old script will not be kept, and the written result says it was not', async () => {
    const { call } = await assistant();
    const dir = join(work(), 'job');
    await call('writeExport', { dir, platforms: ['linux'], passwordSource: 'inline', password: PASSWORD });
    const again = { dir, platforms: ['linux'], passwordSource: 'env' };
    const preview = await call<{ warnings: string[] }>('previewExport', again);
    expect(preview.warnings).toContain(`anaplan-connect.sh in ${dir} holds the password in plain text: if you replace it, no backup of it is kept.`);
    const written = await call<{ warnings: string[] }>('writeExport', { ...again, overwrite: true });
    expect(written.warnings).toContain(notKept('anaplan-connect.sh'));
    expect(await filesHolding(dir, PASSWORD)).toEqual([]);
  });

  test.each([
    ['the keystore password', { form: 'keystore', keystorePasswordSource: 'inline' }, { form: 'keystore', keystorePasswordSource: 'file' }],
    ['the key passphrase', { form: 'pem', keyPassphraseSource: 'inline' }, { form: 'pem', keyPassphraseSource: 'env' }],
  ])('Certificate: %s written inline, then kept off the script', async (secretName, inline, safe) => {
    const { settings, profileId, call } = await assistant();
    settings.update((s) => ({
      ...s,
      profiles: s.profiles.map((p) => (p.id === profileId ? { ...p, authMethod: 'certificate' as const, certificate: certificateRecord('2030-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z') } : p)),
    }));
    const dir = join(work(), 'job');
    const jobHome = join(work(), 'home');
    const secret = 'Keystore-Secret-5e2c';
    await call('writeExport', { dir, platforms: ['linux', 'windows'], bundle: true, certificate: { ...inline, secret, jobHome } });
    const written = await call<{ warnings: string[] }>('writeExport', { dir, platforms: ['linux', 'windows'], bundle: true, overwrite: true, certificate: { ...safe, secret, jobHome } });
    expect(written.warnings).toEqual(
      expect.arrayContaining([notKept('anaplan-connect.sh', secretName), notKept('anaplan-connect.bat', secretName), notKept('anaplan-connect-job.zip', secretName)]),
    );
    expect(await filesHolding(dir, secret)).toEqual([]);
    expect((await backupsIn(dir)).filter((name) => name.startsWith('anaplan-connect'))).toEqual([]);
  });
});

describe('recognising a secret in a file of an earlier export', () => {
  const common = { serviceUrl: 'https://api.anaplan.com', authUrl: 'https://auth.anaplan.com', platforms: ['linux', 'windows'] as Array<'linux' | 'windows'>, generatedBy: 'test', generatedAt: new Date('2026-01-02T00:00:00Z') };
  const keystore = { form: 'keystore' as const, keystorePath: '/k/keystore.p12', alias: 'anaplan-connect' };
  const pem = { form: 'pem' as const, certificatePath: '/k/certificate.pem', privateKeyPath: '/k/private-key.pem' };
  const cases: Array<[string, AnaplanConnectExportRequest, string | null]> = [
    ['basic, env', { ...common, method: 'basic', user: USER, password: { source: 'env', envVar: 'ANAPLAN_PASSWORD' } }, null],
    ['basic, prompt', { ...common, method: 'basic', user: USER, password: { source: 'prompt' } }, null],
    ['basic, inline', { ...common, method: 'basic', user: USER, password: { source: 'inline', value: PASSWORD } }, 'the password in plain text'],
    ['keystore, file', { ...common, method: 'certificate', credentials: { ...keystore, keystorePassword: { source: 'file' } } }, null],
    ['keystore, inline', { ...common, method: 'certificate', credentials: { ...keystore, keystorePassword: { source: 'inline', value: PASSWORD } } }, 'the keystore password in plain text'],
    ['pem, env', { ...common, method: 'certificate', credentials: { ...pem, keyPassphrase: { source: 'env', envVar: 'ANAPLAN_KEY_PASSPHRASE' } } }, null],
    ['pem, none', { ...common, method: 'certificate', credentials: { ...pem, keyPassphrase: { source: 'none' } } }, null],
    ['pem, inline', { ...common, method: 'certificate', credentials: { ...pem, keyPassphrase: { source: 'inline', value: PASSWORD } } }, 'the key passphrase in plain text'],
    ['oauth', { ...common, method: 'oauth', clientId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', rotatable: true, tokenStoreDir: '/home/job' }, null],
  ];

  test.each(cases)('%s: every file and the bundle, with and without the marker line', (_label, input, expected) => {
    const files = buildAnaplanConnectFiles({ ...input, connection: { proxyUrl: 'http://proxy.example.com:8080', proxyUser: 'DOMAIN\\job', proxyPasswordEnvVar: 'PROXY_PASSWORD' } });
    for (const file of files) {
      const isScript = file.name.startsWith('anaplan-connect.');
      expect(secretHeldIn(file.name, Buffer.from(file.content)), file.name).toBe(isScript ? expected : null);
      const unmarked = file.content.split('\n').filter((line) => !line.includes('anaplan-setup:inline-secret')).join('\n');
      expect(secretHeldIn(file.name, Buffer.from(unmarked)), `${file.name} without the marker`).toBe(isScript ? expected : null);
    }
    expect(secretHeldIn('anaplan-connect-job.zip', Buffer.from(bundleOf(files, null, new Date()).content))).toBe(expected);
  });

  test('a bundle carrying keystore-access.txt holds the keystore password; a damaged or foreign file holds nothing readable', () => {
    const home = { dir: '/home/job/.anaplan/api-client', file: { name: 'keystore-access.txt', content: 'obfuscated\n', mode: 0o600 } };
    expect(secretHeldIn('anaplan-connect-job.zip', Buffer.from(bundleOf([], home, new Date()).content))).toBe('the keystore password (in keystore-access.txt, only obfuscated)');
    expect(secretHeldIn('anaplan-connect-job.zip', Buffer.from('PK\u0005\u0006 not really a zip'))).toBeNull();
    expect(secretHeldIn('anaplan-connect-job.zip', Buffer.alloc(0))).toBeNull();
    expect(secretHeldIn('README.md', Buffer.from(`AnaplanPassword='${PASSWORD}'\n`))).toBeNull();
    expect(secretHeldIn('anaplan-connect.sh', Buffer.from("#!/bin/bash\nAnaplanPassword=''\n"))).toBeNull();
    // Edited by hand to read the password from elsewhere: no secret in the file, so its backup is kept.
    expect(secretHeldIn('anaplan-connect.sh', Buffer.from('#!/bin/bash\nAnaplanPassword="$MY_PASSWORD"\n'))).toBeNull();
    expect(secretHeldIn('anaplan-connect.bat', Buffer.from('@echo off\r\nset "AnaplanPassword=%MY_PASSWORD%"\r\n'))).toBeNull();
    expect(secretHeldIn('anaplan-connect.sh', Buffer.from('#!/bin/bash\n# anaplan-setup:inline-secret=password. Edited since.\nAnaplanPassword="$MY_PASSWORD"\n'))).toBeNull();
    expect(secretHeldIn('anaplan-connect.sh', Buffer.from('#!/bin/bash\n# anaplan-setup:inline-secret=password. Renamed since.\nPW=secret\n'))).toBe('the password in plain text');
  });
});
