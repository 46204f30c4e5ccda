// Issue 7 (accessibility): each sign-in path walked from the start page to a written export with
// the keyboard alone. No click(), no fill(): only Tab/Shift+Tab, Enter, Space, arrows and typed
// text, so every control on the way is proven reachable and operable by keyboard, in an order
// the walk can follow. Along the way: focus is always visible, lands on the new step's heading
// after each step change (never lost to <body>), and errors are announced (alert or live region).
// What is not the user's UI (the CA signing the CSR, registering the certificate, approving the
// device) the test does directly, as the other UI tests do.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeKeystoreAccess } from '../../main/export/keystore-access.js';
import { CHROMIUM_PATH, launchChromium, startUi, type UiProcess } from '../support/browser.js';
import { TestCa } from '../support/test-ca.js';
import { SEED, SEED_OAUTH_CLIENTS, startEmulator, type Emulator } from '../emulator/server.js';

const user = SEED.users.integration;
const CERT_EMAIL = 'ada@example.com';
const PASSPHRASE = 'Long enough passphrase 42';
const KEYSTORE_PASSWORD = 'Keystore pass 123';

let browser: Browser;
let emulator: Emulator;
let ca: TestCa;
let ui: UiProcess;
let work: string;

type Role = Parameters<Page['getByRole']>[0];
interface Target {
  role: Role;
  name: string | RegExp;
}

const button = (name: string | RegExp): Target => ({ role: 'button', name });
const textbox = (name: string | RegExp): Target => ({ role: 'textbox', name });
const select = (name: string | RegExp): Target => ({ role: 'combobox', name });
const radio = (name: string | RegExp): Target => ({ role: 'radio', name });

/** What has focus, in words: role and name as a person would read them. */
function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return '<body>';
    const kind = el.getAttribute('role') ?? (el instanceof HTMLInputElement ? `input[${el.type}]` : el.tagName.toLowerCase());
    const labelled = el.getAttribute('aria-label') ?? (el as HTMLInputElement).labels?.[0]?.textContent ?? el.textContent ?? '';
    return `${kind} "${labelled.replace(/\s+/g, ' ').trim().slice(0, 70)}"`;
  });
}

function isFocused(page: Page, target: Target): Promise<boolean> {
  return page.getByRole(target.role, { name: target.name, exact: typeof target.name === 'string' }).evaluateAll((els) => els.some((el) => el === document.activeElement));
}

/** The focused element shows a focus ring: an outline or a box-shadow that is really there. */
async function expectFocusVisible(page: Page, where: string): Promise<void> {
  const style = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement ?? document.body);
    return { outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow };
  });
  const visible = (style.outline !== 'none' && Number.parseFloat(style.width) > 0) || style.shadow !== 'none';
  expect(visible, `${where}: focus is invisible on ${await describeFocus(page)} (${JSON.stringify(style)})`).toBe(true);
}

/**
 * Presses Tab (or Shift+Tab) until the target has focus, at most `max` times (a page's whole tab
 * cycle is longer, so wrapping around does not count as reaching it), then checks that the focus
 * is visible. Fails listing every element focus passed through.
 */
async function tabTo(page: Page, target: Target, { back = false, max = 15 }: { back?: boolean; max?: number } = {}): Promise<void> {
  const visited: string[] = [];
  for (let presses = 0; !(await isFocused(page, target)); presses++) {
    if (presses === max) {
      throw new Error(`${back ? 'Shift+Tab' : 'Tab'} did not reach ${target.role} ${String(target.name)} in ${max} presses; focus went to:\n  ${visited.join('\n  ')}`);
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    visited.push(await describeFocus(page));
  }
  await expectFocusVisible(page, `${target.role} ${String(target.name)}`);
}

/** Tab to a text field and type into it, replacing what it held. */
async function typeInto(page: Page, target: Target, text: string, options?: { back?: boolean }): Promise<void> {
  await tabTo(page, target, options);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/** Tab to a button and press it: Enter, or Space, which buttons take as well. */
async function press(page: Page, target: Target, { key = 'Enter', ...options }: { back?: boolean; key?: 'Enter' | 'Space' } = {}): Promise<void> {
  await tabTo(page, target, options);
  await page.keyboard.press(key);
}

/** After a step change, focus is on the new step's heading, visibly, not lost to <body>. */
async function expectStep(page: Page, title: string): Promise<void> {
  await page.getByRole('heading', { level: 2, name: title, exact: true }).waitFor();
  await expect
    .poll(() => page.evaluate(() => (document.activeElement?.id === 'step-heading' ? document.activeElement.textContent : null)), { message: `focus on the "${title}" heading` })
    .toBe(title);
  await expectFocusVisible(page, `heading "${title}"`);
}

/**
 * After something changes within a step, focus is where a keyboard user goes on from (`expected`:
 * the start of describeFocus), visibly, not lost to <body>. Soft, so one run lists every such place.
 */
async function expectFocusKept(page: Page, where: string, expected: string): Promise<void> {
  const focused = await describeFocus(page);
  expect.soft(focused, `${where}: focus was lost`).not.toBe('<body>');
  expect.soft(focused.startsWith(expected), `${where}: focus is on ${focused}, expected ${expected}…`).toBe(true);
  if (focused !== '<body>') await expectFocusVisible(page, where);
}

/** The message is in an alert or a live region, so a screen reader announces it when it appears. */
async function expectAnnounced(page: Page, text: RegExp, where: string): Promise<void> {
  const message = page.getByText(text).first();
  await message.waitFor();
  const region = await message.evaluate((el) => {
    for (let node: Element | null = el; node; node = node.parentElement) {
      const role = node.getAttribute('role');
      const live = node.getAttribute('aria-live');
      if (role === 'alert' || role === 'status' || (live !== null && live !== 'off')) return role ?? `aria-live=${live}`;
    }
    return null;
  });
  expect(region, `${where}: "${String(text)}" is in no alert or live region`).not.toBeNull();
}

/** Selected option's text of a <select>, read (not changed) from the page. */
function selectedText(page: Page, label: string): Promise<string> {
  return page.getByLabel(label, { exact: true }).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');
}

/** The start page, loaded afresh. */
async function openStart(page: Page): Promise<void> {
  await ui.open(page);
  await page.getByRole('heading', { name: 'Welcome' }).waitFor();
}

/** Start page → New connection → Account and region. */
async function newConnection(page: Page): Promise<void> {
  await press(page, button('New connection'));
  await expectStep(page, 'Account and region');
}

/** Account and region (custom URLs: the emulator) → Sign-in method, the method chosen with the arrow keys. */
async function account(page: Page, name: string, email: string, methodSteps: number): Promise<void> {
  await typeInto(page, textbox('Connection name'), name);
  await typeInto(page, textbox('Anaplan user (email)'), email);
  await tabTo(page, select('Region'));
  await page.keyboard.press('End'); // the last option: Custom URLs
  expect(await selectedText(page, 'Region')).toMatch(/^Custom URLs/);
  await typeInto(page, textbox('Auth URL'), emulator.url);
  await typeInto(page, textbox('API URL'), emulator.url);
  await page.keyboard.press('Enter'); // submits the form from the field

  await expectStep(page, 'Sign-in method');
  await tabTo(page, radio(/^Basic/)); // the checked radio of the group takes the Tab
  for (let i = 0; i < methodSteps; i++) await page.keyboard.press('ArrowDown');
  await press(page, button('Continue'));
}

/** Workspace and model picked by typing their names, then Export: folder typed, review, write. */
async function targetAndExport(page: Page, workspace: string, out: string, { changeChoices = false } = {}): Promise<void> {
  await expectStep(page, 'Workspace and model');
  await tabTo(page, select('Workspace'));
  await page.keyboard.type(workspace); // type-ahead on the closed list
  expect(await selectedText(page, 'Workspace')).toBe(workspace);
  await tabTo(page, select('Model'));
  await press(page, button('Continue'));

  await expectStep(page, 'Export');
  await typeInto(page, textbox('Folder'), out);
  await press(page, button('Review files'));
  await page.getByRole('heading', { name: /Review: nothing is written yet/ }).waitFor();
  await expectFocusKept(page, 'review shown', 'h3 "Review: nothing is written yet"');
  if (changeChoices) {
    await press(page, button('Change choices'));
    await page.getByRole('heading', { name: /Review: nothing is written yet/ }).waitFor({ state: 'detached' });
    await expectFocusKept(page, 'back from the review', 'button "Review files"');
    await press(page, button('Review files'));
    await page.getByRole('heading', { name: /Review: nothing is written yet/ }).waitFor();
  }
  await press(page, button('Write files'));
  await expectStep(page, 'Done');
  execFileSync('bash', ['-n', join(out, 'anaplan-connect.sh')]);
}

describe.skipIf(!CHROMIUM_PATH)('every path by keyboard alone, start page to written export (Chromium)', () => {
  beforeAll(async () => {
    emulator = await startEmulator({ oauth: { interval: 1 } });
    emulator.addUser({ email: CERT_EMAIL, password: 'unused-Password-1', firstName: 'Ada', lastName: 'Lovelace' });
    ca = TestCa.create();
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'ui-keyboard-'));
    ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings'), HOME: join(work, 'home') });
  });
  afterAll(async () => {
    await browser?.close();
    // `anaplan-setup ui` ends on SIGTERM; should it linger, this run's own child is killed.
    await Promise.race([ui?.stop(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (ui && ui.child.exitCode === null) ui.child.kill('SIGKILL');
    ca?.remove();
    await emulator?.close();
  });

  test('Basic: a wrong password announced, corrected, login, workspace and model, export', async () => {
    const page = await browser.newPage();
    await openStart(page);
    await newConnection(page);
    // Field errors first: the empty form submitted from the keyboard.
    await press(page, button('Continue'));
    await expectAnnounced(page, /Give this connection a name/, 'empty account form');
    // Focus goes to the first field in error, where the fix starts.
    await expectFocusKept(page, 'empty account form', 'input[text] "Connection name"');
    await account(page, 'Keyboard basic', user.email, 0);
    await expectStep(page, 'Credentials');
    await typeInto(page, textbox('Password'), 'wrong password');
    await page.keyboard.press('Enter');

    await expectStep(page, 'Test login');
    await press(page, button('Test login'));
    await expectAnnounced(page, /did not accept this email and password/, 'wrong password');
    await expectFocusKept(page, 'login failed', 'button "Test login"');
    await press(page, button('Change the password'), { back: true }); // the way out sits in the alert, above the button

    await expectStep(page, 'Credentials');
    await typeInto(page, textbox('Password'), user.password);
    await page.keyboard.press('Enter');
    await expectStep(page, 'Test login');
    await press(page, button('Test login'));
    await page.getByText('Login OK').waitFor();
    await expectFocusKept(page, 'login OK', 'button "Test again"');
    await press(page, button('Continue'));

    const out = join(work, 'basic-job');
    await targetAndExport(page, 'Finance Planning', out, { changeChoices: true });
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    expect(sh).toContain(SEED.workspaces.financePlanning.id);
    expect(sh).not.toContain(user.password);
    await page.close();
  });

  test('CA certificate: key and CSR (a bad passphrase announced), the CA\u2019s reply imported, certificate login, export', async () => {
    const page = await browser.newPage();
    await openStart(page);
    await newConnection(page);
    await account(page, 'Keyboard certificate', CERT_EMAIL, 1);

    await expectStep(page, 'Key and request (CSR)');
    const keyDir = join(work, 'certificate');
    await typeInto(page, textbox(/^Your name/), 'Ada Lovelace');
    await typeInto(page, textbox('Passphrase'), 'has:colon in it');
    await typeInto(page, textbox('Passphrase again'), 'has:colon in it');
    await typeInto(page, textbox('Folder for the key and the request'), keyDir);
    await page.keyboard.press('Enter');
    await expectAnnounced(page, /':'|":"|colon/, 'passphrase with a colon');
    await expectFocusKept(page, 'passphrase refused', 'input[password] "Passphrase"');
    await typeInto(page, textbox('Passphrase'), PASSPHRASE, { back: true });
    await typeInto(page, textbox('Passphrase again'), PASSPHRASE);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your certificate request' }).waitFor();
    await expectStep(page, 'Key and request (CSR)');

    // The CA signs the request; its reply (chain and e-mail chatter) lands on disk.
    const request = { keyPath: join(keyDir, 'private-key.pem'), csrPath: join(keyDir, 'request.csr'), passphrase: PASSPHRASE, email: CERT_EMAIL };
    const replyFile = ca.replies(ca.issue(request, 'multipurpose'), request).chainWithChatter;

    await press(page, button('I have the certificate: import it'), { key: 'Space' });
    await expectStep(page, 'Import certificate');
    await tabTo(page, radio('Paste it (PEM text)'));
    await page.keyboard.press('ArrowDown');
    await typeInto(page, textbox('Certificate file'), replyFile);
    await typeInto(page, textbox('Key passphrase'), PASSPHRASE);
    await press(page, button('Check certificate'), { key: 'Space' });
    await page.getByRole('heading', { name: 'What the certificate says' }).waitFor();
    await expectFocusKept(page, 'certificate checked', 'button "Check certificate"');
    await typeInto(page, textbox('Keystore password'), KEYSTORE_PASSWORD);
    await typeInto(page, textbox('Keystore password again'), KEYSTORE_PASSWORD);
    await press(page, button('Import'));
    await page.getByText('Certificate imported').waitFor();
    await expectFocusKept(page, 'certificate imported', 'h2 "Import certificate"');
    await press(page, button('Continue: test the login'));

    await expectStep(page, 'Test login');
    await press(page, button('Test login'));
    await expectAnnounced(page, /Administration › Security › Certificates/, 'certificate not registered yet');
    await expectFocusKept(page, 'certificate login refused', 'button "Test login"');
    emulator.registerCertificate(CERT_EMAIL, await readFile(join(keyDir, 'certificate.pem'), 'utf8'));
    await press(page, button('Test login'));
    await page.getByText('Login OK').waitFor();
    await press(page, button('Continue'));

    const out = join(work, 'certificate-job');
    await targetAndExport(page, 'Finance Planning', out);
    const sh = await readFile(join(out, 'anaplan-connect.sh'), 'utf8');
    expect(sh).toContain(`KeystoreFile='${join(keyDir, 'keystore.p12')}'`);
    expect(decodeKeystoreAccess(await readFile(join(work, 'home', '.anaplan', 'api-client', 'keystore-access.txt'), 'utf8'))).toBe(KEYSTORE_PASSWORD);
    await page.close();
  });

  test('OAuth device grant: dark theme, a bad client ID announced, code, approval, login, export', async () => {
    const page = await browser.newPage();
    await openStart(page);
    await tabTo(page, select('Theme'), { back: true }); // in the header, before the page's heading
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await newConnection(page);
    await account(page, 'Keyboard device grant', user.email, 2);
    await expectStep(page, 'Device sign-in');
    await typeInto(page, textbox('OAuth client ID'), 'no spaces allowed');
    await page.keyboard.press('Enter');
    await expectAnnounced(page, /Enter the client ID/, 'bad client ID');
    await expectFocusKept(page, 'client ID refused', 'input[text] "OAuth client ID"');
    await typeInto(page, textbox('OAuth client ID'), SEED_OAUTH_CLIENTS.deviceGrant.clientId);
    await page.keyboard.press('Enter');

    const userCode = async () => (await page.locator('.user-code').innerText()).trim();
    await page.locator('.user-code').waitFor();
    await expectFocusKept(page, 'code shown', 'h3 "Enter this code at');
    await press(page, button('Copy code'), { key: 'Space' });
    await page.getByText(/Copied\.|Copying failed here/).waitFor(); // either way, said in a status
    await tabTo(page, button('Open sign-in page')); // reached, not pressed: it would open a browser window
    await press(page, button('Cancel'));
    await page.locator('.user-code').waitFor({ state: 'detached' });
    await expectFocusKept(page, 'sign-in cancelled', 'button "Start sign-in"');
    await press(page, button('Start sign-in'), { back: true });
    await page.locator('.user-code').waitFor();
    await expectFocusKept(page, 'code shown again', 'h3 "Enter this code at');
    const first = await userCode();
    await press(page, button('Get a new code'));
    await expect.poll(userCode).not.toBe(first);
    await expectFocusKept(page, 'new code', 'button "Get a new code"');

    // Declined on the other device: said at once, with the way on.
    emulator.denyDevice(await userCode());
    await expectAnnounced(page, /make it an SSO exception user/, 'sign-in declined');
    await expectFocusKept(page, 'sign-in declined', 'button "Try again with a new code"');
    await press(page, button('Try again with a new code'));
    await page.locator('.user-code').waitFor();
    await expectFocusKept(page, 'code after the declined one', 'h3 "Enter this code at');
    emulator.approveDevice(await userCode(), user.email);
    await page.getByText('Signed in', { exact: true }).waitFor({ timeout: 20_000 });
    await expectFocusKept(page, 'signed in', 'button "Continue: test the login"');
    await press(page, button('Continue: test the login'));

    await expectStep(page, 'Test login');
    await press(page, button('Test login'));
    await page.getByRole('button', { name: 'Test again' }).waitFor();
    await page.getByText('Login OK').waitFor();
    await press(page, button('Continue'));

    const out = join(work, 'oauth-job');
    await targetAndExport(page, 'Finance Planning', out);
    expect(await readFile(join(out, 'anaplan-connect.sh'), 'utf8')).toContain(`ClientId='${SEED_OAUTH_CLIENTS.deviceGrant.clientId}'`);
    expect((await stat(join(out, 'anaplan-connect.sh'))).mode & 0o777).toBe(0o755);
    await page.close();
  });
});
