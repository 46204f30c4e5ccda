import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium, startUi, walkBasicToExport, type UiProcess } from '../support/browser.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';
import { ANAPLAN_CONNECT_DIR, interopSkipReason } from '../interop/client.js';

/**
 * "Check the job now" on the Done step, clicked in real Chromium against `anaplan-setup ui`: the
 * job just written, checked as check-job does, its sign-in made by the real Anaplan Connect where
 * one is at hand (ANAPLAN_CONNECT_DIR), else by a stand-in that prints what it prints.
 */
const user = SEED.users.integration;
let emulator: Emulator;
let browser: Browser;
let ui: UiProcess;
let clientDir: string;

async function standInClient(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ui-client-'));
  const listing = `INFO  1 |--   WS_ID\tWS_NAME\nINFO  1 |--   ${SEED.workspaces.financePlanning.id}\tFinance Planning\t\t`;
  await writeFile(join(dir, 'AnaplanClient.sh'), `#!/bin/bash\ncat <<'EOF'\n${listing}\nEOF\n`);
  await chmod(join(dir, 'AnaplanClient.sh'), 0o755);
  return dir;
}

describe.skipIf(!CHROMIUM_PATH)('"Check the job now" in real Chromium', () => {
  beforeAll(async () => {
    emulator = await startEmulator();
    browser = await launchChromium();
    clientDir = interopSkipReason() === null ? ANAPLAN_CONNECT_DIR : await standInClient();
    // The job reads the password from ANAPLAN_PASSWORD; here that is the environment of `anaplan-setup ui`.
    ui = await startUi({ ANAPLAN_SETUP_HOME: await mkdtemp(join(tmpdir(), 'ui-settings-')), ANAPLAN_PASSWORD: user.password });
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    await emulator?.close();
  });

  test('after the files are written, the checks are listed, the sign-in and the workspace among them', async () => {
    const page: Page = await browser.newPage();
    await ui.open(page);
    await walkBasicToExport(page, { name: 'Checked job', email: user.email, password: user.password, url: emulator.url, workspace: 'Finance Planning', model: 'FP&A Model' });
    const out = join(await mkdtemp(join(tmpdir(), 'ui-export-')), 'job');
    await page.getByLabel('Folder', { exact: true }).fill(out);
    await page.getByText('Where and when the job runs').click();
    await page.getByLabel('Anaplan Connect folder on the server').fill(clientDir);
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();

    await page.getByRole('button', { name: 'Check the job now' }).click();
    await page.getByText('Every check holds: the job can run').waitFor({ timeout: 60_000 });
    const items = await page.getByRole('list', { name: 'Job checks' }).locator('li').allInnerTexts();
    expect(items.map((item) => item.split(':')[0])).toEqual(['OK script', 'OK anaplan-connect', 'OK java', 'OK password', 'OK log', 'OK sign-in', 'OK workspace']);
    expect(await page.getByText(/Workspaces the job can reach: .*Finance Planning/).count()).toBe(1);
    await page.close();
  });
});
