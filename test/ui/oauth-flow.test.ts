import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

const user = SEED.users.integration;
const client = SEED_OAUTH_CLIENTS.rotatable;
let browser: Browser;
let emulator: Emulator;
let ui: UiProcess;
let work: string;

describe.skipIf(!CHROMIUM_PATH)('the OAuth device grant in real Chromium', () => {
  beforeAll(async () => {
    emulator = await startEmulator({ oauth: { interval: 1 } });
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'ui-oauth-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings') });
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    await emulator?.close();
  });

  test('client ID → code shown (copy, QR, countdown) → approval → token store → login → workspace → OAuth script', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connection name', { exact: true }).fill('Device grant job');
    await page.getByLabel('Anaplan user (email)', { exact: true }).fill(user.email);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await page.getByLabel('Auth URL', { exact: true }).fill(emulator.url);
    await page.getByLabel('API URL', { exact: true }).fill(emulator.url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /OAuth 2.0 device grant/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Device sign-in' }).waitFor();
    expect(await page.getByText(/disabled for SSO users/).first().isVisible()).toBe(true);
    await page.getByLabel('OAuth client ID').fill('no spaces allowed');
    await page.getByRole('button', { name: 'Start sign-in' }).click();
    await page.locator('.field-error', { hasText: /client ID/ }).waitFor();

    const storeDir = join(work, 'token store');
    await page.getByLabel('OAuth client ID').fill(client.clientId);
    await page.getByLabel('This client’s refresh tokens are rotatable').check();
    await page.getByLabel('Folder for Anaplan Connect’s token store').fill(storeDir);
    await page.getByRole('button', { name: 'Start sign-in' }).click();

    const codeText = (await page.locator('.user-code').innerText()).trim();
    expect(codeText).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(await page.getByRole('img', { name: /QR code of/ }).count()).toBe(1);
    expect(await page.getByText(/The code expires in \d+:\d\d/).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Open sign-in page' }).count()).toBe(1); // the page is on the OAuth host in use
    await page.getByText('Waiting for you to sign in and approve…').first().waitFor();

    emulator.approveDevice(codeText, user.email);
    await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 20_000 });
    const storeFile = join(storeDir, tokenStoreFileName(client.clientId));
    const issued = readTokenStore(await readFile(storeFile), client.clientId);

    await page.getByRole('button', { name: 'Continue: test the login' }).click();
    // The first Test login after the sign-in makes a real call, as the job will: the stored refresh token.
    const refreshesBefore = emulator.log.filter((entry) => entry.path === '/oauth/token' && entry.body.includes('refresh_token')).length;
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    expect(emulator.log.filter((entry) => entry.path === '/oauth/token' && entry.body.includes('refresh_token')).length).toBe(refreshesBefore + 1);
    // A rotatable client: the login used the stored refresh token and the new one replaced it.
    expect(readTokenStore(await readFile(storeFile), client.clientId)).not.toBe(issued);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: 'Sales Ops' });
    await page.getByRole('button', { name: 'Continue' }).click();

    const out = join(work, 'job');
    await page.getByLabel('Folder', { exact: true }).fill(out);
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    execFileSync('bash', ['-n', join(out, 'anaplan-connect.sh')]);
    expect(sh).toContain(`ClientId='${client.clientId}'`);
    expect(sh).toContain(`TokenStoreDir='${storeDir}'`);
    expect(sh).toContain("Rotatable='yes'");
    expect(sh).toContain('export AC_OAUTH_KEYSTORE_DIR="$TokenStoreDir"');
    expect(sh).not.toMatch(/^\.\/AnaplanClient\.sh .*--forceRegister/m);
    expect(await readFile(join(work, 'settings', 'settings.json'), 'utf8')).not.toContain(issued);
    await page.close();
  });

  test('the OAuth 2.0 host field is the host the device grant uses; a rotating client left unticked is detected at Test login and exported rotatable', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connection name', { exact: true }).fill('Separate OAuth host');
    await page.getByLabel('Anaplan user (email)', { exact: true }).fill(user.email);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    // Nothing listens on the auth URL: the sign-in can only work through the OAuth 2.0 host field (anaplan-facts §1: the hosts differ).
    await page.getByLabel('Auth URL', { exact: true }).fill('http://127.0.0.1:9');
    await page.getByLabel('API URL', { exact: true }).fill(emulator.url);
    await page.getByLabel('OAuth 2.0 host (for the device grant)').fill(emulator.url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /OAuth 2.0 device grant/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    const storeDir = join(work, 'unticked store');
    await page.getByLabel('OAuth client ID').fill(client.clientId);
    expect(await page.getByLabel('This client’s refresh tokens are rotatable').isChecked()).toBe(false);
    await page.getByLabel('Folder for Anaplan Connect’s token store').fill(storeDir);
    await page.getByRole('button', { name: 'Start sign-in' }).click();
    const codeText = (await page.locator('.user-code').innerText()).trim();
    // The full sign-in page as text, on the OAuth host given.
    expect(await page.locator('main').innerText()).toContain(`${emulator.url}/`);
    emulator.approveDevice(codeText, user.email);
    await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 20_000 });

    await page.getByRole('button', { name: 'Continue: test the login' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    const warning = page.getByText(/refresh tokens rotate/);
    await warning.waitFor();
    expect(await warning.innerText()).toMatch(/--rotatable/);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: 'Sales Ops' });
    await page.getByRole('button', { name: 'Continue' }).click();
    const out = join(work, 'rotating job');
    await page.getByLabel('Folder', { exact: true }).fill(out);
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    // The connection became rotatable at the Test login: the job passes --rotatable, and signs in at the OAuth host.
    expect(sh).toContain("Rotatable='yes'");
    expect(sh).toContain(`AuthUrl='${emulator.url}'`);
    await page.close();
  });

  test('a sign-in whose workspace read fails after the token was saved leads on to Test login, no new code needed', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await page.getByRole('button', { name: 'Resume Device grant job' }).click();
    await page.getByRole('button', { name: /Device sign-in/ }).click();
    emulator.addFault({ path: '/2/0/workspaces', kind: 'status', status: 503, times: Infinity });
    await page.getByRole('button', { name: 'Start sign-in' }).click();
    emulator.approveDevice((await page.locator('.user-code').innerText()).trim(), user.email);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toMatch(/refresh token is saved/);
    // The way on takes focus: the saved token needs testing, not a new code.
    const onward = page.getByRole('button', { name: 'Continue: test the login' });
    await expect.poll(() => onward.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(await page.getByRole('button', { name: 'Try again with a new code' }).count()).toBe(1);
    emulator.reset();
    await onward.click();
    await page.getByRole('heading', { name: 'Test login' }).waitFor();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    await page.close();
  });

  test('"Get a new code" replaces the code, and a declined sign-in explains the SSO exception user', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await page.getByRole('button', { name: 'Resume Device grant job' }).click();
    await page.getByRole('button', { name: /Device sign-in/ }).click();
    await page.getByRole('button', { name: 'Start sign-in' }).click();
    const first = (await page.locator('.user-code').innerText()).trim();
    await page.getByRole('button', { name: 'Get a new code' }).click();
    await expect.poll(async () => (await page.locator('.user-code').innerText()).trim()).not.toBe(first);
    const second = (await page.locator('.user-code').innerText()).trim();
    emulator.denyDevice(second);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.innerText(), await alert.innerText()).toMatch(/SSO exception user/);
    await page.close();
  });
});
