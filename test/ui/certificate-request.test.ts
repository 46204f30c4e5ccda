import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';

let browser: Browser;
let settingsHome: string;
let ui: UiProcess;
let keyDir: string;
const PASSPHRASE = 'Long enough passphrase 42';

describe.skipIf(!CHROMIUM_PATH)('the certificate path up to the CSR, in real Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
    settingsHome = await mkdtemp(join(tmpdir(), 'ui-cert-'));
    keyDir = join(await mkdtemp(join(tmpdir(), 'ui-cert-keys-')), 'certificate');
    ui = await startUi({ ANAPLAN_SETUP_HOME: settingsHome });
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    await ui.open(page);
    return page;
  }

  test('account → certificate method → subject and passphrase → key and CSR, with field errors first', async () => {
    const page = await openPage();
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connection name').fill('Certificate user');
    await page.getByLabel('Anaplan user (email)').fill('ada@example.com');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /CA certificate/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Key and request (CSR)' }).waitFor();
    expect(await page.locator('[aria-current="step"]').innerText()).toContain('Key and request (CSR)');
    await page.getByLabel('Certificate authority').selectOption('sectigo');
    // An unsupported CA is named plainly, with the OAuth alternative.
    await page.getByText('My CA is not in this list').click();
    await page.getByLabel('CA name').fill('InCommon');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByText(/OAuth/).first().isVisible()).toBe(true);

    await page.getByLabel(/Your name/).fill('Ada Lovelace');
    await page.getByLabel(/Country code/).fill('GBR');
    await page.getByLabel('Passphrase', { exact: true }).fill('has:colon in it');
    await page.getByLabel('Passphrase again').fill('has:colon in it');
    await page.getByLabel('Folder for the key and the request').fill(keyDir);
    await page.getByRole('button', { name: 'Generate key and request' }).click();
    const passphraseError = page.locator('.field-error', { hasText: /':'|":"|colon/ });
    await passphraseError.waitFor();
    // One round: the subject's problems show with the passphrase's, and focus is on the first of them.
    expect(await page.locator('.field-error', { hasText: /two letters|country/i }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.getByLabel(/Country code/).evaluate((el) => el === document.activeElement)).toBe(true);

    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Generate key and request' }).click();
    await page.locator('.field-error', { hasText: /two letters|country/i }).waitFor();
    await expect.poll(() => stat(keyDir).then(() => 'exists', () => 'absent')).toBe('absent');

    await page.getByLabel(/Country code/).fill('GB');
    await page.getByRole('button', { name: 'Generate key and request' }).click();
    await page.getByRole('heading', { name: 'Your certificate request' }).waitFor();
    const pem = await page.getByLabel('Certificate request (PEM)').innerText();
    expect(pem).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    expect(await page.getByText('Equivalent commands (openssl)').count()).toBe(1);
    expect(await page.content()).not.toContain('PRIVATE KEY-----');

    const csrFile = join(keyDir, 'request.csr');
    execFileSync('openssl', ['req', '-verify', '-noout', '-in', csrFile], { stdio: 'ignore' });
    expect((await readFile(csrFile, 'utf8')).trim()).toBe(pem.trim());
    expect((await stat(join(keyDir, 'private-key.pem'))).mode & 0o777).toBe(0o600);
    execFileSync('openssl', ['pkey', '-in', join(keyDir, 'private-key.pem'), '-passin', `pass:${PASSPHRASE}`, '-noout']);
    const settingsText = await readFile(join(settingsHome, 'settings.json'), 'utf8');
    expect(settingsText).not.toContain(PASSPHRASE);
    expect(settingsText).not.toContain('PRIVATE KEY');
    await page.close();
  });

  test('after `anaplan-setup ui` restarts, the pending request is waiting on the start page and resumes', async () => {
    await ui.stop();
    ui = await startUi({ ANAPLAN_SETUP_HOME: settingsHome });
    const page = await openPage();
    await page.getByText(/Certificate request from .* waiting for the certificate/).waitFor();
    await page.getByRole('button', { name: 'Resume Certificate user' }).click();
    await page.getByRole('heading', { name: 'Your certificate request' }).waitFor();
    expect((await page.getByLabel('Certificate request (PEM)').innerText()).trim()).toBe((await readFile(join(keyDir, 'request.csr'), 'utf8')).trim());
    // A renewal starts from the same subject.
    await page.getByRole('button', { name: 'Make a new request' }).click();
    expect(await page.getByLabel(/Your name/).inputValue()).toBe('Ada Lovelace');
    expect(await page.getByLabel(/Country code/).inputValue()).toBe('GB');
    await page.close();
  });
});
