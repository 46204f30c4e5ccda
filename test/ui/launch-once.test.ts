import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../support/browser.js';
import { CLI, ROOT } from '../support/cli.js';

/**
 * Issue 13, finding 1, in real Chromium: `anaplan-setup ui` opens the browser on a private file
 * (here the stand-in opener records it and Chromium opens it), the page exchanges the link's
 * one-time secret for its session, and the same link from the browser's history, in another
 * browser, opens nothing.
 */

let base: string;
let browser: Browser;
let ui: ChildProcess | undefined;
let output = '';
let openerPid: number | undefined;

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!CHROMIUM_PATH || process.platform === 'win32')('the one-time link, in real Chromium', () => {
  let url: string;
  let launchFile: string;
  let settings: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'ui-launch-chromium-'));
    const bin = join(base, 'bin');
    await mkdir(bin);
    const record = join(base, 'opener-record');
    await writeFile(join(bin, 'xdg-open'), '#!/bin/sh\n{ echo "$$"; printf \'%s\\n\' "$@"; } > "$UI_TEST_RECORD.tmp"\nmv "$UI_TEST_RECORD.tmp" "$UI_TEST_RECORD"\n');
    await chmod(join(bin, 'xdg-open'), 0o755);
    settings = join(base, 'settings');
    ui = spawn(process.execPath, [CLI, 'ui'], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: join(base, 'home'), ANAPLAN_SETUP_HOME: settings, UI_TEST_RECORD: record },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ui.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    ui.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(output)?.[0], 'the printed URL');
    const recorded = await waitFor(() => (existsSync(record) ? readFileSync(record, 'utf8') : undefined), 'the stand-in opener');
    const [pid, fileUrl] = recorded.trimEnd().split('\n');
    openerPid = Number(pid);
    launchFile = fileURLToPath(fileUrl!);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (ui && ui.exitCode === null) {
      const exited = new Promise((resolve) => ui!.once('exit', resolve));
      ui.kill('SIGTERM');
      await exited;
    }
    if (openerPid) {
      try {
        process.kill(openerPid, 'SIGTERM');
      } catch {
        /* it ended on its own */
      }
    }
    if (base) await rm(base, { recursive: true, force: true });
  });

  async function welcome(page: Page): Promise<void> {
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
  }

  test('the opened file leads to the assistant; the link is spent, the file gone; this browser keeps its session', async () => {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`file://${launchFile}`);
    await welcome(page);
    // The secret left the address bar at once, and the page keeps nothing a script could take.
    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const secret = new URL(url).hash.replace('#token=', '');
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage, cookie: document.cookie }));
    expect(stored).not.toContain(secret);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies(`${new URL(url).origin}/api/`);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ path: '/api/', httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0]!.value).not.toBe(secret);
    // The launch file did its work: it is gone, folder and all.
    await waitFor(() => (existsSync(join(launchFile, '..')) ? undefined : true), 'the launch folder to be removed');

    // A reload, and the link opened again in this same browser (its history): the session it holds answers.
    await page.reload();
    await welcome(page);
    const again = await context.newPage();
    await again.goto(url);
    await welcome(again);
    await context.close();
  });

  test('the same link in another browser (or another account\u2019s): refused, with the way on', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    await page.getByText('The assistant could not start').waitFor();
    const text = await page.locator('main, body').first().innerText();
    expect(text).toMatch(/already used/);
    expect(text).toMatch(/start it again/);
    expect(await context.cookies()).toEqual([]);
    // Nothing of the API answers it.
    const status = await page.evaluate(async () => (await fetch('./api/call/getSettings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
    expect(status).toBe(401);
    await context.close();
  });
});
