// Takes the README's pictures from the real UI: `node --import tsx scripts/screenshot.ts`.
// It runs `anaplan-setup ui` against the emulator in Debian's Chromium and walks the Basic path.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED, startEmulator } from '../test/emulator/server.js';
import { launchChromium, startUi } from '../test/support/browser.js';

const emulator = await startEmulator();
const ui = await startUi({ ANAPLAN_SETUP_HOME: await mkdtemp(join(tmpdir(), 'shot-')) });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 } });
  await page.goto(ui.url);
  await page.getByRole('button', { name: 'New connection' }).click();
  await page.getByLabel('Connection name').fill('Production integration');
  await page.getByLabel('Anaplan user (email)').fill(SEED.users.integration.email);
  await page.getByLabel('Region', { exact: true }).selectOption('custom');
  await page.getByLabel('Auth URL').fill(emulator.url);
  await page.getByLabel('API URL').fill(emulator.url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Sign-in method' }).waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password', { exact: true }).fill(SEED.users.integration.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Test login' }).click();
  await page.getByText('Login OK').waitFor();
  await page.screenshot({ path: 'docs/wizard-login.png' });
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Folder', { exact: true }).fill('/home/integration/anaplan-job');
  await page.getByRole('button', { name: 'Review files' }).click();
  await page.getByRole('heading', { name: /Review/ }).waitFor();
  await page.getByLabel('Theme').selectOption('dark');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'docs/wizard-export-dark.png', fullPage: true });

  // The certificate path: the request, ready for the CA.
  await page.getByLabel('Theme').selectOption('light');
  await page.getByRole('button', { name: 'Save and exit' }).click();
  await page.getByRole('button', { name: 'New connection' }).click();
  await page.getByLabel('Connection name').fill('Certificate integration');
  await page.getByLabel('Anaplan user (email)').fill('ada.lovelace@example.com');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('radio', { name: /CA certificate/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel(/Your name/).fill('Ada Lovelace');
  await page.getByLabel('Passphrase', { exact: true }).fill('a long and private passphrase');
  await page.getByLabel('Passphrase again').fill('a long and private passphrase');
  await page.getByLabel('Folder for the key and the request').fill(join(await mkdtemp(join(tmpdir(), 'shot-key-')), 'certificate'));
  await page.getByRole('button', { name: 'Generate key and request' }).click();
  await page.getByRole('heading', { name: 'Your certificate request' }).waitFor();
  await page.screenshot({ path: 'docs/wizard-csr.png', fullPage: true });
} finally {
  await browser.close();
  await ui.stop();
  await emulator.close();
}
