import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';

const user = SEED.users.integration;
let emulator: Emulator;
let browser: Browser;
let settingsHome: string;
let ui: UiProcess;

if (!CHROMIUM_PATH) console.warn('SKIPPED UI tests: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).');

describe.skipIf(!CHROMIUM_PATH)('the Basic path in real Chromium against `anaplan-setup ui`', () => {
  beforeAll(async () => {
    emulator = await startEmulator();
    browser = await launchChromium();
    settingsHome = await mkdtemp(join(tmpdir(), 'ui-settings-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: settingsHome });
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    await emulator?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await ui.open(page);
    (page as Page & { problems: string[] }).problems = problems;
    return page;
  }

  async function currentStep(page: Page): Promise<string> {
    return (await page.locator('nav[aria-label="Setup steps"] [aria-current="step"]').innerText()).replace(/^\d+\s*/, '').trim();
  }

  test('account → method → password → login → workspace and model → review → export, then the files are right', async () => {
    const page = await openPage();
    await page.getByRole('button', { name: 'New connection' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Account and region');

    // Field errors appear next to the fields, before anything is saved.
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByText('Give this connection a name').isVisible()).toBe(true);

    await page.getByLabel('Connection name').fill('Production integration');
    await page.getByLabel('Anaplan user (email)').fill(user.email);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await page.getByLabel('Auth URL').fill(emulator.url);
    await page.getByLabel('API URL').fill(emulator.url);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Sign-in method' }).waitFor();
    expect(await currentStep(page)).toBe('Sign-in method');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('step-heading');
    await page.getByRole('radio', { name: /Basic/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Credentials' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Test login' }).waitFor();
    await page.getByRole('button', { name: 'Test login' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/did not accept this email and password/);

    await page.getByRole('button', { name: 'Change the password' }).click();
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Login OK' }).innerText()).toContain(user.email);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Workspace and model' }).waitFor();
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: 'Finance Planning' });
    await page.getByLabel('Model', { exact: true }).selectOption({ label: 'FP&A Model' });
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Export' }).waitFor();
    const out = join(await mkdtemp(join(tmpdir(), 'ui-export-')), 'job');
    await page.getByLabel('Folder', { exact: true }).fill(out);
    // The platform comes preselected from this machine (Linux); Windows is one tick away.
    expect(await page.getByLabel('Linux (anaplan-connect.sh)').isChecked()).toBe(true);
    expect(await page.getByLabel('Windows (anaplan-connect.bat)').isChecked()).toBe(false);
    await page.getByLabel('Windows (anaplan-connect.bat)').check();
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('heading', { name: /Review: nothing is written yet/ }).waitFor();
    await expect.poll(() => readdir(join(out, '..'))).toEqual([]); // the review writes nothing
    for (const name of ['anaplan-connect.sh', 'anaplan-connect.bat', 'README.md']) {
      expect(await page.locator('summary', { hasText: name }).count()).toBe(1);
    }
    await page.getByRole('button', { name: 'Write files' }).click();

    await page.getByRole('heading', { name: 'Done' }).waitFor();
    expect(await currentStep(page)).toBe('Done');
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    execFileSync('bash', ['-n', join(out, 'anaplan-connect.sh')]);
    expect((await stat(join(out, 'anaplan-connect.sh'))).mode & 0o777).toBe(0o755);
    expect(sh).toContain(SEED.workspaces.financePlanning.id);
    expect(sh).toContain(SEED.models.fpa.id);
    expect(sh).toContain(emulator.url);
    expect(sh).not.toContain(user.password);
    expect(await readFile(join(out, 'anaplan-connect.bat'), 'utf8')).toContain('\r\n');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);

    // Settings were written, the password was not (no keychain in this front door).
    const settingsText = await readFile(join(settingsHome, 'settings.json'), 'utf8');
    expect(settingsText).toContain('Production integration');
    expect(settingsText).not.toContain(user.password);
    await page.close();
  });

  test('a half-finished setup resumes after `anaplan-setup ui` restarts', async () => {
    await ui.stop();
    ui = await startUi({ ANAPLAN_SETUP_HOME: settingsHome });
    const page = await openPage();
    await page.getByRole('button', { name: 'Resume Production integration' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();
    await page.getByRole('button', { name: /Account and region/ }).click();
    expect(await page.getByLabel('Anaplan user (email)').inputValue()).toBe(user.email);
    expect(await page.getByLabel('Auth URL').inputValue()).toBe(emulator.url);
    await page.close();
  });

  test('the theme switch sets dark and light and is kept', async () => {
    const page = await openPage();
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.reload();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByLabel('Theme').selectOption('system');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? 'none')).toBe('none');
    await page.close();
  });
});
