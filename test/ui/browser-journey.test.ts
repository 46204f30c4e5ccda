import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { PFX_PASSWORD, TestCa } from '../support/test-ca.js';
import { startEmulator, type Emulator } from '../emulator/server.js';

/**
 * `anaplan-setup ui` on a remote server, used from the person's desktop browser: the CA's reply
 * (DER, PFX) uploaded from there, certificate.pem and the checklists downloaded there, and the
 * method-aware export and Done steps.
 */
const EMAIL = 'ada@example.com';
const PASSPHRASE = 'Long enough passphrase 42';
const KEYSTORE_PASSWORD = 'Keystore pass 123';
let browser: Browser;
let emulator: Emulator;
let ca: TestCa;
let ui: UiProcess;
let work: string;

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download') as Promise<Download>, click()]);
  return { name: download.suggestedFilename(), text: await readFile(String(await download.path()), 'utf8') };
}

describe.skipIf(!CHROMIUM_PATH)('the browser assistant used from another machine', () => {
  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.addUser({ email: EMAIL, password: 'unused-Password-1', firstName: 'Ada', lastName: 'Lovelace' });
    ca = TestCa.create();
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'ui-journey-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings'), HOME: join(work, 'home') });
  }, 120_000);
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    ca?.remove();
    await emulator?.close();
  });

  async function certificateProfile(page: Page, name: string, keyDir: string): Promise<void> {
    await ui.open(page);
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connection name', { exact: true }).fill(name);
    await page.getByLabel('Anaplan user (email)', { exact: true }).fill(EMAIL);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await page.getByLabel('Auth URL', { exact: true }).fill(emulator.url);
    await page.getByLabel('API URL', { exact: true }).fill(emulator.url);
    await page.getByLabel('OAuth 2.0 host (for the device grant)').fill(emulator.url);
    await page.getByRole('button', { name: 'Continue' }).click();

    // What to ask the administrator, downloaded for the method chosen.
    await page.getByRole('radio', { name: /CA certificate/ }).check();
    const checklist = await downloaded(page, () => page.getByRole('button', { name: 'Download what to ask your Anaplan administrator' }).click());
    expect(checklist.name).toBe('ask-the-anaplan-admin-certificate.md');
    expect(checklist.text).toMatch(/registers the leaf certificate/);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByLabel(/Your name/).fill('Ada Lovelace');
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(PASSPHRASE);
    await page.getByLabel('Folder for the key and the request').fill(keyDir);
    await page.getByRole('button', { name: 'Generate key and request' }).click();
    await page.getByRole('heading', { name: 'Your certificate request' }).waitFor();
    await page.getByRole('button', { name: 'I have the certificate: import it' }).click();
    await page.getByRole('heading', { name: 'Import certificate' }).waitFor();
  }

  /** The checks, then the keystore written with its password. */
  async function checkAndImport(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'Check certificate' }).click();
    await page.getByRole('heading', { name: 'What the certificate says' }).waitFor();
    await page.getByLabel('Keystore password', { exact: true }).fill(KEYSTORE_PASSWORD);
    await page.getByLabel('Keystore password again').fill(KEYSTORE_PASSWORD);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Certificate imported').waitFor();
  }

  test('the start page offers what to ask the Anaplan administrator, per method, as a download', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await page.getByRole('heading', { name: 'No workspace yet?' }).waitFor();
    const checklist = await downloaded(page, () => page.getByRole('button', { name: 'OAuth 2.0 device grant' }).click());
    expect(checklist.name).toBe('ask-the-anaplan-admin-oauth.md');
    expect(checklist.text).toMatch(/Device grant OAuth client/);
    expect(checklist.text).toMatch(/SSO exception user/);
    await page.close();
  });

  test('a DER reply uploaded from the desktop; certificate.pem and the checklist downloaded; no password section in the certificate export', async () => {
    const page = await browser.newPage();
    const keyDir = join(work, 'der');
    await certificateProfile(page, 'DER upload', keyDir);
    const request = { keyPath: join(keyDir, 'private-key.pem'), csrPath: join(keyDir, 'request.csr'), passphrase: PASSPHRASE, email: EMAIL };
    const replies = ca.replies(ca.issue(request, 'multipurpose'), request);

    await page.getByRole('radio', { name: /A file on this computer \(upload/ }).check();
    await page.getByLabel('File from your CA').setInputFiles(replies.der);
    await page.getByLabel('Key passphrase').fill(PASSPHRASE);
    await checkAndImport(page);
    const certificate = await downloaded(page, () => page.getByRole('button', { name: 'Download certificate.pem' }).click());
    expect(certificate.name).toBe('certificate.pem');
    expect(certificate.text).toBe(await readFile(join(keyDir, 'certificate.pem'), 'utf8'));

    emulator.registerCertificate(EMAIL, certificate.text);
    await page.getByRole('button', { name: 'Continue: test the login' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: 'Finance Planning' });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Export' }).waitFor();
    expect(await page.getByText('How the job gets the password').count()).toBe(0);
    await page.getByLabel('Folder', { exact: true }).fill(join(work, 'der-job'));
    await page.getByLabel('Home folder of the account that runs the job').fill(join(work, 'job-home'));
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();

    const steps = await page.getByRole('list', { name: "Before tonight's run" }).innerText();
    expect(steps).toMatch(/A Tenant Administrator registers the certificate/);
    expect(steps).toContain(`${join(work, 'der-job', 'anaplan-connect.sh')}' --check`);
    expect(steps).not.toMatch(/ANAPLAN_PASSWORD|fill in Operation/i);
    const saved = await downloaded(page, () => page.getByRole('button', { name: 'Download this checklist' }).click());
    expect(saved.text).toContain('--check');
    await page.close();
  });

  test('a PFX uploaded with its own key and file password is imported as it is', async () => {
    const page = await browser.newPage();
    const keyDir = join(work, 'pfx');
    await certificateProfile(page, 'PFX upload', keyDir);
    const request = { keyPath: join(keyDir, 'private-key.pem'), csrPath: join(keyDir, 'request.csr'), passphrase: PASSPHRASE, email: EMAIL };
    const replies = ca.replies(ca.issue(request, 'multipurpose'), request);

    await page.getByRole('radio', { name: /A file on this computer \(upload/ }).check();
    await page.getByLabel('File from your CA').setInputFiles(replies.pfx);
    await page.getByLabel('File password (PKCS#12 only)').fill(PFX_PASSWORD);
    await page.getByRole('radio', { name: 'The key is inside the PKCS#12 file' }).check();
    await checkAndImport(page);
    expect((await readFile(join(keyDir, 'certificate.pem'), 'utf8')).match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    await page.close();
  });
});
