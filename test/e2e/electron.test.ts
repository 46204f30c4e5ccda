import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with `npm start`
import { electronBinary } from '../../scripts/electron-runtime.mjs';
import { ROOT } from '../support/cli.js';

/**
 * The desktop app itself, driven by Playwright's Electron support (Spectron is archived).
 * It needs an Electron runtime and a display; where either is missing the suite is skipped
 * with one line saying so.
 */
const binary = (electronBinary as (options: { fetch: boolean }) => string | null)({ fetch: false });
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skipReason = !binary ? 'no Electron runtime is installed (its download is not reachable here)' : !display ? 'no display (run under xvfb-run)' : null;
if (skipReason) console.warn(`SKIPPED Electron e2e suite: ${skipReason}.`);

describe.skipIf(skipReason !== null)('the desktop app (Electron)', () => {
  let app: ElectronApplication;

  beforeAll(async () => {
    const settings = await mkdtemp(join(tmpdir(), 'e2e-settings-'));
    app = await electron.launch({ executablePath: binary as string, args: [ROOT], env: { ...process.env, ANAPLAN_SETUP_HOME: settings } as Record<string, string> });
  });
  afterAll(async () => {
    await app?.close();
  });

  test('opens the wizard in a sandboxed, isolated window', async () => {
    const page = await app.firstWindow();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    expect(await page.title()).toBe('Anaplan Connect Setup Assistant');
    // Served from the app's own scheme, not file:// (Electron security checklist, item 18).
    expect(page.url()).toBe('app://assistant/index.html');
    // No Node in the page, and the bridge is the contract's functions only.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    const exposed = await page.evaluate(() => Object.keys((window as unknown as { anaplanSetup: object }).anaplanSetup).sort());
    expect(exposed).toContain('loginBasic');
    expect(exposed).not.toContain('invoke');
  });

  test('navigation away from the app is refused', async () => {
    const page = await app.firstWindow();
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(page.url()).toBe(before);
  });

  test('starts a new connection from the start page', async () => {
    const page = await app.firstWindow();
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByRole('heading', { name: 'Account and region' }).waitFor();
  });
});
