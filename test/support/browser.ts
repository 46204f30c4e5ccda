import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Cookie, type Page } from 'playwright-core';
import { CLI, ROOT } from './cli.js';

/** Debian's Chromium, driven by playwright-core (its own browser download is not reachable here). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p)) ?? null;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error('Chromium not found: install Debian\u2019s chromium package or set CHROMIUM_PATH.');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface UiProcess {
  /** The printed link: its secret opens one session, once. */
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /**
   * Opens the assistant in page. The first page follows the printed link, exchanging its one-time
   * secret for the session in the page itself; later pages (their own browser contexts) are given
   * that session's cookie, as a second tab of the same browser has it, and open the bare address.
   */
  open(page: Page): Promise<void>;
}

/** The session cookie the page at url was given, waited for (the page asks for it once it has loaded). */
export async function sessionCookies(page: Page, url: string): Promise<Cookie[]> {
  const api = `${new URL(url).origin}/api/`;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const cookies = await page.context().cookies(api);
    if (cookies.length > 0) return cookies;
  }
  throw new Error(`The page at ${url} got no session cookie: ${await page.locator('body').innerText().catch(() => '')}`);
}

/** Starts the real `anaplan-setup ui` in a child process and waits for the URL it prints. */
export function startUi(env: Record<string, string>): Promise<UiProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'ui', '--no-open'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`anaplan-setup ui printed no URL: ${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = match[0];
        let session: Cookie[] | undefined;
        resolve({
          url,
          child,
          async open(page) {
            if (!session) {
              await page.goto(url);
              session = await sessionCookies(page, url);
              return;
            }
            await page.context().addCookies(session);
            await page.goto(`${new URL(url).origin}/`);
          },
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`anaplan-setup ui exited (${code}): ${output}`)));
  });
}

/**
 * The Basic path from the start page to the Export step, as a person clicks it: a new connection
 * with custom URLs (the emulator), Basic, the password, a test login, the workspace and model.
 */
export async function walkBasicToExport(
  page: import('playwright-core').Page,
  to: { name: string; email: string; password: string; url: string; workspace: string; model: string },
): Promise<void> {
  await page.getByRole('button', { name: 'New connection' }).click();
  await page.getByLabel('Connection name', { exact: true }).fill(to.name);
  await page.getByLabel('Anaplan user (email)', { exact: true }).fill(to.email);
  await page.getByLabel('Region', { exact: true }).selectOption('custom');
  await page.getByLabel('Auth URL', { exact: true }).fill(to.url);
  await page.getByLabel('API URL', { exact: true }).fill(to.url);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('radio', { name: /Basic/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password', { exact: true }).fill(to.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Test login' }).click();
  await page.getByText('Login OK').waitFor();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Workspace', { exact: true }).selectOption({ label: to.workspace });
  await page.getByLabel('Model', { exact: true }).selectOption({ label: to.model });
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Export' }).waitFor();
}
