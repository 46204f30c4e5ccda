// The wizard in the browser: its gzipped JavaScript and the time to its first screen, each
// against a bare React page ("Hello", react + react-dom only, built the same way) measured in
// the same run. First render = navigation start until the page's first heading is in the DOM,
// read inside the page (performance.now()), in Debian's Chromium, a fresh context per run.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium, startUi } from '../../test/support/browser.js';
import { ROOT } from '../../test/support/cli.js';
import { median, ratio, type Table } from './table.js';

const RUNS = 15;
/** The start page's heading ("Welcome"), shown once the profiles are read. */
const OUR_FIRST_SCREEN = '#step-heading';
const SIZE_BUDGET_KB = 250;
const FIRST_RENDER_BUDGET_MS = 500;

export async function run(progress: (message: string) => void): Promise<Table> {
  const work = mkdtempSync(join(tmpdir(), 'bench-renderer-'));
  const browser = await launchChromium();
  const ui = await startUi({ ANAPLAN_SETUP_HOME: join(work, 'settings') });
  const hello = await helloWorld(work);
  try {
    const oursKb = gzippedKb(readdirSync(join(ROOT, 'out/renderer/assets')).filter((f) => f.endsWith('.js')).map((f) => join(ROOT, 'out/renderer/assets', f)));
    const helloKb = gzippedKb([hello.script]);
    const ours: number[] = [];
    const bare: number[] = [];
    await firstRender(browser, ui.url, OUR_FIRST_SCREEN); // warm-up: Chromium's own first start
    for (let index = 0; index < RUNS; index++) {
      progress(`first render, run ${index + 1} of ${RUNS}`);
      ours.push(await firstRender(browser, ui.url, OUR_FIRST_SCREEN));
      bare.push(await firstRender(browser, hello.url, 'h1'));
    }
    const [oursMs, bareMs] = [median(ours), median(bare)];
    return {
      title: 'The wizard in Chromium (anaplan-setup ui) against a bare React page',
      columns: ['measure', 'ours', 'bare React', 'ratio', 'budget', 'within'],
      rows: [
        ['JavaScript, gzipped (kB)', oursKb.toFixed(1), helloKb.toFixed(1), ratio(oursKb, helloKb), SIZE_BUDGET_KB, oursKb < SIZE_BUDGET_KB ? 'yes' : 'NO'],
        [`first render, median of ${RUNS} (ms)`, oursMs.toFixed(0), bareMs.toFixed(0), ratio(oursMs, bareMs), FIRST_RENDER_BUDGET_MS, oursMs < FIRST_RENDER_BUDGET_MS ? 'yes' : 'NO'],
      ],
      notes: ['gzip level 9 over every .js file the page loads; first render includes loading the page over loopback HTTP and, for ours, the API calls the start page makes.'],
    };
  } finally {
    await browser.close();
    await ui.stop();
    await new Promise((resolve) => hello.server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  }
}

function gzippedKb(files: string[]): number {
  return files.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0) / 1024;
}

/** Navigation start → `selector` in the DOM, measured by the page itself. */
async function firstRender(browser: Browser, url: string, selector: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.
    await page.addInitScript({
      content: `new MutationObserver((_, observer) => {
        if (document.querySelector(${JSON.stringify(selector)})) {
          window.firstRenderMs = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });`,
    });
    await page.goto(url);
    // Polled with evaluate: waitForFunction evaluates strings, which the wizard's CSP forbids.
    await page.locator(selector).first().waitFor({ state: 'attached' });
    const measured = await page.evaluate(() => (window as unknown as { firstRenderMs?: number }).firstRenderMs);
    if (typeof measured !== 'number') throw new Error(`${url}: the page showed ${selector} but the timing script did not run`);
    return measured;
  } finally {
    await context.close();
  }
}

/** The baseline page: React 19 rendering one heading, minified production build, same CSP-free local server. */
async function helloWorld(work: string): Promise<{ url: string; script: string; server: Server }> {
  const dir = join(work, 'hello');
  const entry = join(work, 'hello-entry.js');
  writeFileSync(entry, "import { createElement } from 'react';\nimport { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')).render(createElement('h1', null, 'Hello'));\n");
  const script = join(dir, 'hello.js');
  await build({ entryPoints: [entry], outfile: script, bundle: true, minify: true, format: 'esm', define: { 'process.env.NODE_ENV': '"production"' }, nodePaths: [join(ROOT, 'node_modules')], logLevel: 'warning' });
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hello</title><script type="module" src="/hello.js"></script></head><body><div id="root"></div></body></html>';
  const server = createServer((request, response) => {
    if (request.url === '/hello.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(readFileSync(script));
    } else {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, script, server };
}
