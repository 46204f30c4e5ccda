import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readTokenStore, tokenStoreFileName } from '../../main/anaplan/token-store.js';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { SEED, SEED_OAUTH_CLIENTS } from '../emulator/server.js';
import { ANAPLAN_CONNECT_DIR, interopSkipReason } from './client.js';
import { SUCCESS, useInterop } from './harness.js';
import { runAsCron, serviceAccount } from './service-accounts.js';

/**
 * The journey of the person in the seeds, in the browser: an administrator (root) on the
 * integration server opens `anaplan-setup ui`, names the service account cron runs the job as,
 * signs in with the device grant and exports. Then cron's line runs as that account with the real
 * Anaplan Connect, with nothing typed between the export and the run.
 */
const isRoot = process.getuid?.() === 0;
const skipReason = interopSkipReason() ?? (!CHROMIUM_PATH ? 'no Chromium' : !isRoot ? 'not root (useradd needs it)' : !serviceAccount.available ? 'no useradd/runuser here' : null);
if (skipReason && interopSkipReason() === null) console.log(`interop service-account journey in the browser: skipped: ${skipReason}`);

const user = SEED.users.integration;
const client = SEED_OAUTH_CLIENTS.rotatable;

describe.skipIf(skipReason !== null)('the browser journey for a service account run by cron', () => {
  const interop = useInterop('service-account-ui', { oauth: { interval: 1 } });
  const account = serviceAccount.name('svc-ui');
  let home = '';
  let uid = -1;
  let jobRoot = '';
  let browser: Browser;
  let ui: UiProcess;

  beforeAll(async () => {
    ({ home, uid } = serviceAccount.add(account));
    browser = await launchChromium();
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(interop.work, 'settings') });
    // A folder the account can reach (mkdtemp makes it 0700 for root).
    jobRoot = await mkdtemp(join(tmpdir(), 'interop-svc-ui-'));
    await chmod(jobRoot, 0o755);
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    serviceAccount.remove(account);
    if (jobRoot) await rm(jobRoot, { recursive: true, force: true });
  });

  test('the account asked once; token store, job folder and schedule made for it; its crontab line runs twice with the real Anaplan Connect', async () => {
    const url = interop.emulator.url;
    const page = await browser.newPage();
    await page.goto(ui.url);
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connection name', { exact: true }).fill('Nightly for the service account');
    await page.getByLabel('Anaplan user (email)', { exact: true }).fill(user.email);
    const runAs = page.getByLabel('Account that runs the job');
    expect(await runAs.inputValue()).toBe('root');
    // An account that does not exist is refused next to its field, before anything is saved.
    await runAs.fill('svc-nobody-here');
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await page.getByLabel('Auth URL', { exact: true }).fill(url);
    await page.getByLabel('API URL', { exact: true }).fill(url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => runAs.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-error').innerText()).toMatch(/There is no account "svc-nobody-here".*useradd/);
    await runAs.fill(account);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /OAuth 2.0 device grant/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    // The token store goes where Anaplan Connect looks for that account: its home.
    await page.getByLabel('OAuth client ID').fill(client.clientId);
    await page.getByLabel('This client’s refresh tokens are rotatable').check();
    const storeField = page.getByLabel('Folder for Anaplan Connect’s token store');
    await expect.poll(() => storeField.inputValue()).toBe(home);
    expect(await page.locator('main').innerText()).toContain(`The job runs as ${account}: the token store is made its own`);
    await page.getByRole('button', { name: 'Start sign-in' }).click();
    interop.emulator.approveDevice((await page.locator('.user-code').innerText()).trim(), user.email);
    await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 20_000 });
    const store = join(home, tokenStoreFileName(client.clientId));
    expect(await page.locator('main').innerText()).toContain(store);
    const storeInfo = await stat(store);
    expect(storeInfo.uid).toBe(uid);
    expect(storeInfo.mode & 0o777).toBe(0o600);
    // Root made it the account's own: nothing is left to hand over.
    expect(await page.getByText(`Hand these files to ${account}`).count()).toBe(0);

    await page.getByRole('button', { name: 'Continue: test the login' }).click();
    await page.getByRole('button', { name: 'Test login' }).click();
    await page.getByText('Login OK').waitFor();
    // The rotated token root saved stays the account's.
    expect((await stat(store)).uid).toBe(uid);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Workspace', { exact: true }).selectOption({ label: SEED.workspaces.financePlanning.name });
    await page.getByLabel('Model', { exact: true }).selectOption({ label: SEED.models.fpa.name });
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('radio', { name: 'Run a process' }).check();
    await page.getByLabel('Process', { exact: true }).selectOption(SEED.modelObjects.processes[0].name);
    await page.getByText('Where and when the job runs').click();
    await page.getByLabel('Anaplan Connect folder on the server').fill(ANAPLAN_CONNECT_DIR);
    await page.getByLabel('Run daily at (HH:MM)').fill('02:30');
    expect(await page.getByLabel('as the account').inputValue()).toBe(account);
    const job = join(jobRoot, 'nightly');
    await page.getByLabel('Folder', { exact: true }).fill(job);
    await page.getByRole('button', { name: 'Review files' }).click();
    await page.getByRole('button', { name: 'Write files' }).click();
    await page.getByRole('heading', { name: 'Done' }).waitFor();

    // Before tonight's run: for this account, with the real paths; no password, nothing to hand over.
    const checklist = await page.getByRole('list', { name: "Before tonight's run" }).innerText();
    expect(checklist).toContain(`sudo -u ${account} -H '${join(job, 'anaplan-connect.sh')}' --check`);
    expect(checklist).toContain(`crontab -u ${account}`);
    expect(checklist).not.toMatch(/ANAPLAN_PASSWORD|Hand .* what the job reads/);
    expect((await stat(job)).uid).toBe(uid);
    expect(await readFile(join(job, 'anaplan-connect.sh'), 'utf8')).toContain(`TokenStoreDir='${home}'`);
    await page.close();

    const crontab = await readFile(join(job, 'crontab.txt'), 'utf8');
    expect(crontab).toContain(`crontab -u ${account}`);
    const command = (crontab.trimEnd().split('\n').at(-1) ?? '').split(' ').slice(5).join(' ');
    expect(command).toBe(join(job, 'anaplan-connect.sh'));
    const tokens = [readTokenStore(await readFile(store), client.clientId)];
    for (const _ of [1, 2]) {
      const run = await runAsCron(account, command, home);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain(SUCCESS);
      tokens.push(readTokenStore(await readFile(store), client.clientId));
    }
    // A rotating client: each run saved its new refresh token, in the account's own store.
    expect(new Set(tokens).size).toBe(3);
    expect((await stat(store)).uid).toBe(uid);
  });
});
