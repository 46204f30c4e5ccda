import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { SEED, startEmulator, type Emulator, type Fault } from '../emulator/server.js';

/**
 * Issue 7, "Faults", in the browser UI: the emulator misbehaves on the sign-in step
 * (POST /token/authenticate) and the page must show the friendly message in its alert, with no
 * library text, after no more requests than the retry policy allows (see
 * test/unit/faults-end-to-end.test.ts); once the fault is gone, "Test login" works again on the
 * same page. `anaplan-setup ui` runs with the client's defaults: 3 retries, backoff 0.5/1/2 s.
 */

const user = SEED.users.integration;
const AUTH = '/token/authenticate';
const FOREVER = Number.POSITIVE_INFINITY;
const RAW = /SyntaxError|TypeError|Unexpected token|JSON\.parse|UND_ERR|ECONN|other side closed|fetch failed|\bat \S+ \(|\.[cm]?[jt]s:\d+/;

let emulator: Emulator;
let browser: Browser;
let ui: UiProcess;
let work: string;
let page: Page;
const problems: string[] = [];

if (!CHROMIUM_PATH) console.warn('SKIPPED UI fault tests: no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).');

/** Every file under dir, with a hash of its content: to show nothing partial or temporary was left. */
async function tree(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, entry);
    result[entry] = (await stat(path)).isDirectory() ? 'dir' : createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16);
  }
  return result;
}

function signIns(): number[] {
  return emulator.log.filter((entry) => entry.path === AUTH).map((entry) => entry.time);
}

/** Clicks the step's test button ("Test login", or "Test again" after a success). */
async function testLogin(): Promise<void> {
  await page.getByRole('button', { name: /^Test (login|again)$/ }).click();
}

/** Runs a sign-in with the fault in place; returns the alert's text. */
async function failingSignIn(fault: Fault): Promise<string> {
  emulator.reset();
  emulator.addFault(fault);
  await testLogin();
  const alert = page.getByRole('alert');
  await alert.waitFor({ timeout: 30_000 });
  const text = await alert.innerText();
  expect(text).toMatch(/Login failed/);
  expect(text).not.toMatch(RAW);
  expect(await page.getByText('Login OK').count()).toBe(0);
  return text;
}

/** With the fault gone, the same page signs in. */
async function retryWorks(): Promise<void> {
  emulator.reset();
  await testLogin();
  await page.getByText('Login OK').waitFor({ timeout: 30_000 });
  expect(await page.getByRole('alert').count()).toBe(0);
  expect(signIns()).toHaveLength(1);
}

describe.skipIf(!CHROMIUM_PATH)('faults on the sign-in step, in real Chromium against `anaplan-setup ui`', () => {
  let homeBefore: Record<string, string>;

  beforeAll(async () => {
    emulator = await startEmulator();
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'ui-faults-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings'), HOME: join(work, 'home') });
    page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await ui.open(page);

    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connection name').fill('Faults');
    await page.getByLabel('Anaplan user (email)').fill(user.email);
    await page.getByLabel('Region', { exact: true }).selectOption('custom');
    await page.getByLabel('Auth URL').fill(emulator.url);
    await page.getByLabel('API URL').fill(emulator.url);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /Basic/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Credentials' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Test login' }).waitFor();
    homeBefore = await tree(work).then((all) => Object.fromEntries(Object.entries(all).filter(([path]) => !path.startsWith('settings'))));
  });
  afterAll(async () => {
    await page?.close();
    await ui?.stop();
    await browser?.close();
    await emulator?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('503 that persists: 4 attempts, then the server-error message with the next step; after it clears, Test login works', async () => {
    const text = await failingSignIn({ path: AUTH, kind: 'status', status: 503, times: FOREVER });
    expect(text).toMatch(/The token service at 127\.0\.0\.1:\d+ failed \(HTTP 503\)/);
    expect(text).toMatch(/check status\.anaplan\.com and try again later/);
    expect(signIns()).toHaveLength(4);
    await retryWorks();
  });

  test('malformed JSON: the cut-off answer is named as such (no JSON parser text); after it clears, Test login works', async () => {
    const text = await failingSignIn({ path: AUTH, kind: 'malformed', times: FOREVER });
    expect(text).toMatch(/sent an incomplete answer to the login \(HTTP 200\)/);
    expect(text).toMatch(/cut off\. Try again/);
    expect(signIns()).toHaveLength(1); // the POST may have reached the token service: not repeated
    await retryWorks();
  });

  test('429 with Retry-After that persists: "rate limiting … try again after 1 second", each attempt a second apart; after it clears, Test login works', async () => {
    const text = await failingSignIn({ path: AUTH, kind: 'status', status: 429, headers: { 'retry-after': '1' }, times: FOREVER });
    expect(text).toMatch(/is rate limiting this client \(HTTP 429: too many requests\)/);
    expect(text).toMatch(/Try again after 1 second\./);
    const times = signIns();
    expect(times).toHaveLength(4);
    // Lower bounds only; 50 ms of slack for a timer started from the event loop's cached clock.
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(950);
    await retryWorks();
  });

  test('429 with Retry-After once: the assistant waits as asked and signs in, with no error shown', async () => {
    emulator.reset();
    emulator.addFault({ path: AUTH, kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    await testLogin();
    await page.getByText('Login OK').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    const [first, second, ...rest] = signIns();
    expect(rest).toEqual([]);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(950);
  });

  test('nothing was written but the settings, and the page logged no errors', async () => {
    const after = await tree(work);
    expect(Object.fromEntries(Object.entries(after).filter(([path]) => !path.startsWith('settings')))).toEqual(homeBefore);
    expect(Object.keys(after).filter((path) => path.startsWith('settings'))).toEqual(['settings', 'settings/settings.json']);
    expect(await readFile(join(work, 'settings', 'settings.json'), 'utf8')).not.toContain(user.password);
    expect(problems).toEqual([]);
  });
});
