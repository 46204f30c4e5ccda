import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeKeystoreAccess } from '../../main/export/keystore-access.js';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { TestCa } from '../support/test-ca.js';
import { startEmulator, type Emulator } from '../emulator/server.js';

const EMAIL = 'ada@example.com';
const PASSPHRASE = 'Long enough passphrase 42';
const KEYSTORE_PASSWORD = 'Keystore pass 123';
let browser: Browser;
let emulator: Emulator;
let ca: TestCa;
let ui: UiProcess;
let work: string;

describe.skipIf(!CHROMIUM_PATH)('the certificate path from the CA\u2019s reply to the exported job, in real Chromium', () => {
  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.addUser({ email: EMAIL, password: 'unused-Password-1', firstName: 'Ada', lastName: 'Lovelace' });
    ca = TestCa.create();
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'ui-import-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings'), HOME: join(work, 'home') });
  }, 120_000);
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    ca?.remove();
    await emulator?.close();
  });

  async function fill(page: Page, label: string | RegExp, value: string): Promise<void> {
    await page.getByLabel(label, typeof label === 'string' ? { exact: true } : undefined).fill(value);
  }

  test('CSR → paste the CA\u2019s reply → checks → keystore → certificate login → workspace and model → keystore export', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await page.getByRole('button', { name: 'New connection' }).click();
    await fill(page, 'Connection name', 'Certificate job');
    await fill(page, 'Anaplan user (email)', EMAIL);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await fill(page, 'Auth URL', emulator.url);
    await fill(page, 'API URL', emulator.url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /CA certificate/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    const keyDir = join(work, 'certificate');
    await fill(page, /Your name/, 'Ada Lovelace');
    await fill(page, 'Passphrase', PASSPHRASE);
    await fill(page, 'Passphrase again', PASSPHRASE);
    await fill(page, 'Folder for the key and the request', keyDir);
    await page.getByRole('button', { name: 'Generate key and request' }).click();
    await page.getByRole('heading', { name: 'Your certificate request' }).waitFor();

    // The CA signs the request the assistant made; its reply arrives as PEM with the chain and some chatter.
    const request = { keyPath: join(keyDir, 'private-key.pem'), csrPath: join(keyDir, 'request.csr'), passphrase: PASSPHRASE, email: EMAIL };
    const issued = ca.issue(request, 'multipurpose');
    const reply = await readFile(ca.replies(issued, request).chainWithChatter, 'utf8');

    await page.getByRole('button', { name: 'I have the certificate: import it' }).click();
    await page.getByRole('heading', { name: 'Import certificate' }).waitFor();
    await fill(page, 'Certificate (PEM)', reply);
    await fill(page, 'Key passphrase', PASSPHRASE);
    await page.getByRole('button', { name: 'Check certificate' }).click();
    await page.getByRole('heading', { name: 'What the certificate says' }).waitFor();
    expect(await page.locator('.finding-block').count()).toBe(0);
    expect(await page.locator('.finding-warn').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/root/i)]));

    await fill(page, 'Keystore password', KEYSTORE_PASSWORD);
    await fill(page, 'Keystore password again', KEYSTORE_PASSWORD);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Certificate imported').waitFor();
    const leaf = await readFile(join(keyDir, 'certificate.pem'), 'utf8');
    expect(leaf.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    execFileSync('keytool', ['-list', '-keystore', join(keyDir, 'keystore.p12'), '-storepass', KEYSTORE_PASSWORD, '-storetype', 'PKCS12'], { stdio: 'ignore' });

    await page.getByRole('button', { name: 'Continue: test the login' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/Administration › Security › Certificates/); // not registered yet

    emulator.registerCertificate(EMAIL, leaf);
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: 'Finance Planning' });
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Export' }).waitFor();
    const jobHome = join(work, 'job-home');
    const out = join(work, 'job');
    await fill(page, 'Folder', out);
    await fill(page, 'Home folder of the account that runs the job', jobHome);
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('heading', { name: /Review/ }).waitFor();
    expect(await page.locator('summary', { hasText: 'keystore-access.txt' }).count()).toBe(1);
    await page.getByText('Equivalent commands (openssl, keytool, Anaplan Connect)').click();
    const commands = await page.locator('.equivalent-commands').innerText();
    expect(commands).toContain('openssl pkcs12 -export -legacy');
    expect(commands).toContain('keytool -list -v -keystore');
    expect(commands).toMatch(/\.\/AnaplanClient\.sh -keystore .* -keystorealias anaplan-connect -service .* -auth /);
    expect(commands).not.toContain(KEYSTORE_PASSWORD);
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();

    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    execFileSync('bash', ['-n', join(out, 'anaplan-connect.sh')]);
    expect(sh).toContain(`KeystoreFile='${join(keyDir, 'keystore.p12')}'`);
    expect(sh).toContain("KeystoreAlias='anaplan-connect'");
    expect(sh).not.toContain(KEYSTORE_PASSWORD);
    expect(decodeKeystoreAccess(await readFile(join(jobHome, '.anaplan', 'api-client', 'keystore-access.txt'), 'utf8'))).toBe(KEYSTORE_PASSWORD);
    const settings = await readFile(join(work, 'settings', 'settings.json'), 'utf8');
    expect(settings).not.toContain(KEYSTORE_PASSWORD);
    expect(settings).not.toContain(PASSPHRASE);
    await page.close();
  });
});
