import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const user = SEED.users.integration;
let browser: Browser;
let emulator: Emulator;
let ui: UiProcess;
let work: string;

/** axe-core on the page as it is, in the light and the dark theme: WCAG 2.1 A/AA and best practice. */
async function expectNoViolations(page: Page, where: string): Promise<void> {
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
      const result = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
      return result.violations.map((v) => `${v.id} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
    expect(violations, `${where} (${theme})`).toEqual([]);
  }
}

describe.skipIf(!CHROMIUM_PATH)('accessibility of every step, light and dark (axe-core in Chromium)', () => {
  beforeAll(async () => {
    emulator = await startEmulator({ oauth: { interval: 1 } });
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'ui-a11y-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings') });
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    await emulator?.close();
  });

  async function newConnection(page: Page, name: string, method: RegExp): Promise<void> {
    if (page.url() === 'about:blank') await ui.open(page);
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connection name', { exact: true }).fill(name);
    await page.getByLabel('Anaplan user (email)', { exact: true }).fill(user.email);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await page.getByLabel('Auth URL', { exact: true }).fill(emulator.url);
    await page.getByLabel('API URL', { exact: true }).fill(emulator.url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: method }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  test('the Basic path, from the start page to done, using the keyboard for the choices', async () => {
    const page = await browser.newPage({ bypassCSP: true });
    await ui.open(page);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor(); // the page is rendered, not just loaded
    await expectNoViolations(page, 'start page');
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByRole('button', { name: 'Continue' }).click(); // field errors shown
    await expectNoViolations(page, 'account with errors');
    await page.getByLabel('Connection name', { exact: true }).fill('Basic a11y');
    await page.getByLabel('Anaplan user (email)', { exact: true }).fill(user.email);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await page.getByLabel('Auth URL', { exact: true }).fill(emulator.url);
    await page.getByLabel('API URL', { exact: true }).fill(emulator.url);
    await page.keyboard.press('Enter'); // the form submits from the keyboard
    await page.getByRole('heading', { name: 'Sign-in method' }).waitFor();
    await expectNoViolations(page, 'method');
    await page.getByRole('radio', { name: /Basic/ }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await expectNoViolations(page, 'credentials');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    await expectNoViolations(page, 'login');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectNoViolations(page, 'workspace and model');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Folder', { exact: true }).fill(join(work, 'job'));
    await page.getByText('Where and when the job runs').click();
    await expectNoViolations(page, 'export');
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('heading', { name: /Review/ }).waitFor();
    await expectNoViolations(page, 'export review');
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();
    await expectNoViolations(page, 'done');
    await page.close();
  });

  test('the certificate request form and the OAuth code panel', async () => {
    const page = await browser.newPage({ bypassCSP: true });
    await newConnection(page, 'Cert a11y', /CA certificate/);
    await page.getByRole('heading', { name: 'Key and request (CSR)' }).waitFor();
    await expectNoViolations(page, 'certificate request form');
    await page.getByRole('button', { name: 'Save and exit' }).click();
    await page.getByRole('button', { name: 'New connection' }).waitFor();
    await newConnection(page, 'OAuth a11y', /OAuth 2.0 device grant/);
    await page.getByLabel('OAuth client ID').fill(SEED_OAUTH_CLIENTS.deviceGrant.clientId);
    await page.getByRole('button', { name: 'Start sign-in' }).click();
    await page.locator('.user-code').waitFor();
    await expectNoViolations(page, 'OAuth code panel');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.close();
  });
});
