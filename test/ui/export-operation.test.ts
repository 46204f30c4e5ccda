import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium, startUi, walkBasicToExport, type UiProcess } from '../support/browser.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';

const user = SEED.users.integration;
let browser: Browser;
let emulator: Emulator;
let ui: UiProcess;
let work: string;

describe.skipIf(!CHROMIUM_PATH)('building the job from the model\u2019s own lists, in real Chromium', () => {
  beforeAll(async () => {
    emulator = await startEmulator();
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'ui-operation-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings') });
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    await emulator?.close();
  });

  test('an import operation picked from the emulator\u2019s lists, exported with a bundle', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await walkBasicToExport(page, { name: 'Import job', email: user.email, password: user.password, url: emulator.url, workspace: 'Finance Planning', model: 'Workforce' });
    await page.getByRole('radio', { name: 'Upload a file and run an import' }).check();
    await page.getByLabel('Import', { exact: true }).selectOption('Employees from employees.csv');
    await page.getByLabel('Anaplan file (the import’s source)').selectOption('employees.csv');
    await page.getByLabel('File on the server to upload').fill('/data/hr/employees today.csv');
    await page.getByLabel(/Also one ZIP of the whole job/).check();
    await page.getByLabel('Windows (anaplan-connect.bat)').check();
    await page.getByText('Where and when the job runs').click();
    await page.getByLabel('Run daily at (HH:MM)').fill('02:30');
    await page.getByLabel('Retries (3–15)').fill('5');
    const out = join(work, 'job');
    await page.getByLabel('Folder', { exact: true }).fill(out);
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('heading', { name: /Review: nothing is written yet/ }).waitFor();
    expect(await page.locator('summary', { hasText: 'anaplan-connect-job.zip' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();

    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    expect(sh).toContain("Operation=(-file 'employees.csv' -put '/data/hr/employees today.csv' -import 'Employees from employees.csv' -execute)");
    execFileSync('bash', ['-n', join(out, 'anaplan-connect.sh')]);
    expect(sh).toContain("MaxRetryCount='5'");
    expect(await readFile(join(out, 'crontab.txt'), 'utf8')).toMatch(/^30 2 \* \* \* /m);
    const listed = execFileSync('unzip', ['-Z1', join(out, 'anaplan-connect-job.zip')], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(listed).toEqual(expect.arrayContaining(['README.md', 'anaplan-connect.bat', 'anaplan-connect.sh']));
    // The lists were read with the model chosen in the wizard.
    expect(emulator.log.some((e) => e.path === `/2/0/workspaces/${SEED.workspaces.financePlanning.id}/models/${SEED.models.workforce.id}/imports`)).toBe(true);
    await page.close();
  });

  test('errors stand next to their fields: a schedule without an Operation, a chunk size out of range; focus on the first', async () => {
    const page = await browser.newPage();
    await ui.open(page);
    await walkBasicToExport(page, { name: 'Scheduled job', email: user.email, password: user.password, url: emulator.url, workspace: 'Finance Planning', model: 'Workforce' });
    const out = join(work, 'scheduled');
    await page.getByLabel('Folder', { exact: true }).fill(out);
    await page.getByText('Where and when the job runs').click();
    await page.getByLabel('Run daily at (HH:MM)').fill('2:30');
    await page.getByLabel('Chunk size, MB (1–50)').fill('99');
    await page.getByText('Where and when the job runs').click(); // folded again: the error must unfold it
    await page.getByRole('button', { name: 'Review files' }).click();

    const operationError = page.locator('#operation-error');
    await operationError.waitFor();
    expect(await operationError.innerText()).toMatch(/scheduled job needs an Operation/);
    const later = page.getByRole('radio', { name: /I will fill in Operation myself/ });
    expect(await later.getAttribute('aria-invalid')).toBe('true');
    expect(await later.evaluate((el) => el === document.activeElement)).toBe(true);
    const chunk = page.getByLabel('Chunk size, MB (1–50)');
    expect(await chunk.isVisible()).toBe(true);
    expect(await chunk.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-error').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/from 1 to 50 MB/)]));
    // No internal names in anything shown.
    expect(await page.locator('main').innerText()).not.toMatch(/schedule\.time|connection\.|chunkSizeMb/);
    expect(await page.getByRole('heading', { name: /Review: nothing is written yet/ }).count()).toBe(0);

    await page.getByRole('radio', { name: 'Run a process' }).check();
    await page.getByLabel('Process', { exact: true }).selectOption({ index: 1 });
    await chunk.fill('10');
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('heading', { name: /Review: nothing is written yet/ }).waitFor();
    expect(await page.locator('.field-error').count()).toBe(0);
    await page.close();
  });

  test('the retry and chunk row fits at 1280 and at 800 px; the stepper is one compact row on a narrow window', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await ui.open(page);
    await walkBasicToExport(page, { name: 'Layout job', email: user.email, password: user.password, url: emulator.url, workspace: 'Finance Planning', model: 'Workforce' });
    await page.getByText('Where and when the job runs').click();
    const labels = ['Retries (3–15)', 'Retry wait, s (3–120)', 'HTTP timeout, s (60–300)', 'Chunk size, MB (1–50)'];
    const overflow = () =>
      page.evaluate((names) => {
        const step = document.querySelector('.step')?.getBoundingClientRect();
        return names.flatMap((name) => {
          const label = [...document.querySelectorAll('label')].find((l) => l.textContent === name);
          const input = label ? document.getElementById(label.htmlFor) : null;
          const box = input?.getBoundingClientRect();
          const fits = !!box && !!step && box.left >= step.left && box.right <= step.right && box.width >= 80 && (label?.scrollWidth ?? 0) <= (label?.clientWidth ?? 0) + 1;
          return fits ? [] : [name];
        });
      }, labels);
    expect(await overflow()).toEqual([]);
    const stepperHeight = () => page.locator('nav[aria-label="Setup steps"]').evaluate((nav) => nav.getBoundingClientRect().height);
    const wide = await stepperHeight();

    await page.setViewportSize({ width: 800, height: 900 });
    expect(await overflow()).toEqual([]);
    const narrow = await stepperHeight();
    expect(narrow).toBeLessThan(wide / 2);
    // Only the current step spells its name on screen; every step keeps it for screen readers.
    expect(await page.locator('nav[aria-label="Setup steps"] [aria-current="step"]').innerText()).toContain('Export');
    expect(await page.locator('nav[aria-label="Setup steps"]').getByRole('button', { name: /Workspace/ }).count()).toBe(1);
    await page.close();
  });
});
