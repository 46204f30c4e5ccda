import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT } from '../support/cli.js';

/**
 * Issue 13, finding 1: another local account took over a `ui` session by reading the tokened URL
 * from /proc/<pid>/cmdline of the opener and the browser, then used it for the whole run (reading
 * a symlinked secret through previewExport among others). Here the real built CLI runs with a
 * stand-in browser opener on PATH that records its arguments and stays alive like a browser, and
 * every process's arguments are searched for the link's secret.
 */

const POSIX = process.platform !== 'win32';
let base: string;
let fakeBin: string;
const running: Array<{ child: ChildProcess; output: () => string }> = [];
const browsers: number[] = [];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'ui-launch-once-'));
  fakeBin = join(base, 'bin');
  await mkdir(fakeBin);
  // The opener `anaplan-setup ui` calls on Linux. It writes down its pid and arguments, then stays
  // alive (as a browser does) so that its /proc/<pid>/cmdline can be read while the run goes on.
  const opener = join(fakeBin, 'xdg-open');
  await writeFile(opener, '#!/bin/sh\n{ echo "$$"; printf \'%s\\n\' "$@"; } > "$UI_TEST_RECORD.tmp"\nmv "$UI_TEST_RECORD.tmp" "$UI_TEST_RECORD"\nsleep 60\n');
  await chmod(opener, 0o755);
});

afterEach(async () => {
  // The stand-in browsers were started detached (their own process group): end each group by its id.
  for (const pid of browsers.splice(0)) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  for (const { child } of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
});

afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

interface Ui {
  child: ChildProcess;
  url: string;
  secret: string;
  origin: string;
  settings: string;
  record: string;
  output: () => string;
}

/** The real `anaplan-setup ui`, opening its browser (the stand-in) unless told --no-open. */
async function startUi(name: string, args: string[] = []): Promise<Ui> {
  const home = join(base, name);
  const settings = join(home, 'settings');
  const record = join(home, 'opener-record');
  await mkdir(home, { recursive: true });
  const child = spawn(process.execPath, [CLI, 'ui', ...args], {
    cwd: ROOT,
    env: {
      PATH: `${fakeBin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      ANAPLAN_SETUP_HOME: settings,
      UI_TEST_RECORD: record,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  running.push({ child, output: () => output });
  const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(output)?.[0], `a URL from anaplan-setup ui: ${output}`);
  const parsed = new URL(url);
  return { child, url, secret: parsed.hash.replace('#token=', ''), origin: parsed.origin, settings, record, output: () => output };
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== (false as unknown)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every process on the machine whose arguments (or, where this account may read it, environment) hold needle. */
function processesHolding(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    for (const part of ['cmdline', 'environ']) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/${part}`, 'latin1');
      } catch {
        continue; // gone, or another account's environment
      }
      if (text.includes(needle)) found.push(`${pid} ${part}: ${text.replace(/\0/g, ' ')}`);
    }
  }
  return found;
}

async function exchange(ui: Ui, launch: string): Promise<Response> {
  return fetch(`${ui.origin}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ launch }) });
}

async function call(ui: Ui, method: string, payload: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${ui.origin}/api/call/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
}

describe.skipIf(!POSIX || !existsSync('/proc/self/cmdline'))('`anaplan-setup ui`: the link\u2019s secret is in no process\u2019s arguments and works once', () => {
  test('the browser is opened on a 0600 file that redirects; no process anywhere holds the secret in its arguments', async () => {
    const ui = await startUi('opened');
    const recorded = await waitFor(() => (existsSync(ui.record) ? readFileSync(ui.record, 'utf8') : undefined), `the stand-in browser: ${ui.output()}`);
    const [pid, ...args] = recorded.trimEnd().split('\n');
    browsers.push(Number(pid));

    // While the opener is alive (as a browser would be), no process on the machine holds the
    // secret in its arguments; the scan does see the opener's own.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'latin1')).toContain(args[0]);
    expect(processesHolding(ui.secret)).toEqual([]);
    // The opener was given one argument: a file: URL.
    expect(args).toHaveLength(1);
    expect(args[0]).toMatch(/^file:\/\//);

    // The file: this account's only, in a folder of its own, and it leads to the printed URL.
    const file = fileURLToPath(args[0]!);
    const folder = join(file, '..');
    expect(folder.startsWith(`${ui.settings}/ui-launch-`)).toBe(true);
    const fileStats = await lstat(file);
    const folderStats = await lstat(folder);
    expect(fileStats.isFile()).toBe(true);
    expect(fileStats.mode & 0o777).toBe(0o600);
    expect(folderStats.mode & 0o777).toBe(0o700);
    expect(fileStats.uid).toBe(process.getuid?.());
    const html = await readFile(file, 'utf8');
    expect(/<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(html)?.[1]).toBe(ui.url);

    // Once the page has its session the file is gone, folder and all.
    expect((await exchange(ui, ui.secret)).status).toBe(200);
    await waitFor(() => !existsSync(folder), 'the launch folder to be removed');
    expect(await readdir(ui.settings)).not.toContainEqual(expect.stringMatching(/^ui-launch-/));
  });

  test('the link\u2019s secret opens one session, once; after that it opens nothing, with a way on', async () => {
    const ui = await startUi('once', ['--no-open']);
    // --no-open: no browser, no launch file.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(ui.record)).toBe(false);
    expect(existsSync(ui.settings) ? (await readdir(ui.settings)).filter((name) => name.startsWith('ui-launch-')) : []).toEqual([]);

    // Before the exchange: the secret itself is no credential for the API.
    expect((await call(ui, 'getSettings', {}, { authorization: `Bearer ${ui.secret}` })).status).toBe(401);
    // A wrong secret is refused and spends nothing.
    expect((await exchange(ui, `${ui.secret}x`)).status).toBe(401);

    const first = await exchange(ui, ui.secret);
    expect(first.status).toBe(200);
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/; Path=\/api\/; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0]!;
    expect(cookie).not.toContain(ui.secret);
    const settings = await call(ui, 'getSettings', {}, { cookie });
    expect(settings.status).toBe(200);
    expect(await settings.json()).toMatchObject({ ok: true });

    // Spent: a second exchange (the link from history, another browser, another account) is refused.
    const second = await exchange(ui, ui.secret);
    expect(second.status).toBe(403);
    const refusal = (await second.json()) as { error: { message: string } };
    expect(refusal.error.message).toMatch(/already used/);
    expect(refusal.error.message).toMatch(/already open/);
    expect(refusal.error.message).toMatch(/start it again/);
    expect(second.headers.get('set-cookie')).toBeNull();
    // And it never was an API credential, in any form.
    const name = cookie.split('=')[0]!;
    const variants: Array<Record<string, string>> = [{ authorization: `Bearer ${ui.secret}` }, { cookie: `${name}=${ui.secret}` }, {}];
    for (const headers of variants) {
      const refused = await call(ui, 'getSettings', {}, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(401);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/open the link it printed/);
    }
    // The session still works, for the browser that holds it.
    expect((await fetch(`${ui.origin}/api/session`, { headers: { cookie } })).status).toBe(200);
    expect((await call(ui, 'getSettings', {}, { cookie })).status).toBe(200);
  });

  test('a launch file never used is removed when `anaplan-setup ui` stops', async () => {
    const ui = await startUi('stopped');
    const recorded = await waitFor(() => (existsSync(ui.record) ? readFileSync(ui.record, 'utf8') : undefined), 'the stand-in browser');
    const [pid, url] = recorded.trimEnd().split('\n');
    browsers.push(Number(pid));
    const file = fileURLToPath(url!);
    expect(existsSync(file)).toBe(true);
    const exited = new Promise((resolve) => ui.child.once('exit', resolve));
    ui.child.kill('SIGTERM');
    await exited;
    expect(existsSync(join(file, '..'))).toBe(false);
  });

  test('previewExport on a folder holding README.md -> a secret file refuses, and never returns the file\u2019s text', async () => {
    const ui = await startUi('preview', ['--no-open']);
    const cookie = ((await exchange(ui, ui.secret)).headers.get('set-cookie') ?? '').split(';')[0]!;
    const secretText = 'TOP SECRET: the root password is Walrus-4411';
    const secretFile = join(base, 'preview', 'secret');
    await writeFile(secretFile, `${secretText}\n`, { mode: 0o600 });
    const dir = join(base, 'preview', 'job');
    await mkdir(dir);
    await symlink(secretFile, join(dir, 'README.md'));

    const saved = (await (
      await call(ui, 'saveProfile', { name: 'Link', email: 'link@example.com', endpoints: { authUrl: 'http://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9' }, authMethod: 'basic', step: 'export' }, { cookie })
    ).json()) as { ok: boolean; value: { profiles: Array<{ id: string }> } };
    expect(saved.ok).toBe(true);
    const response = await call(ui, 'previewExport', { profileId: saved.value.profiles[0]!.id, dir, platforms: ['linux'], passwordSource: 'env' }, { cookie });
    const text = await response.text();
    expect(text).not.toContain('TOP SECRET');
    expect(text).not.toContain('Walrus-4411');
    expect(JSON.parse(text)).toMatchObject({
      ok: false,
      error: { code: 'file_exists', message: expect.stringMatching(/README\.md already exists and is not a regular file \(it is a folder, link or device\)/) },
    });
    // The writer refuses it as well, and leaves the link and its target alone.
    const write = (await (await call(ui, 'writeExport', { profileId: saved.value.profiles[0]!.id, dir, platforms: ['linux'], passwordSource: 'env', overwrite: true }, { cookie })).json()) as {
      ok: boolean;
    };
    expect(write.ok).toBe(false);
    expect((await lstat(join(dir, 'README.md'))).isSymbolicLink()).toBe(true);
    expect(await readFile(secretFile, 'utf8')).toBe(`${secretText}\n`);
  });
});
