// Issue 13, finding 10: two front doors saving at once (two `anaplan-setup ui`, a CLI command with
// --profile while the desktop app is open) read-modify-write settings.json. Without a lock one
// save overwrote another's: 68 of 80 connections survived. The store now serialises every
// read-modify-write with a lock file next to settings.json, and breaks a lock whose owner is gone.
import { spawn } from 'node:child_process';
import { readdir, readFile, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { useTempDir } from '../support/fixtures.js';
import { spawnWriter } from '../support/writer-child.js';

const work = useTempDir('settings-lock-');

const LOCK = 'settings.json.lock';

/** The pid of a process that has ended (and was reaped): nobody holds a lock under it now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

/** A process that lives until the test ends it. */
function liveProcess(): { pid: number; end: () => void } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  return { pid: child.pid!, end: () => child.kill('SIGKILL') };
}

describe('settings saved by several processes at once', () => {
  test('8 processes × 10 saved connections each: all 80 survive', async () => {
    const dir = join(work(), 'settings');
    openNodeSettings(dir).update((s) => s); // the folder and file exist before the race starts
    const writers = Array.from({ length: 8 }, (_, n) => spawnWriter(['settings', dir, `writer${n}`, '10']));
    await Promise.all(writers.map((w) => w.line(/^ready$/)));
    // All started and loaded: let them go at once.
    for (const w of writers) w.child.stdin.write('go\n');
    const codes = await Promise.all(writers.map((w) => w.exited));
    expect(codes, writers.map((w) => w.stderr()).join('\n')).toEqual(Array(8).fill(0));

    const names = openNodeSettings(dir)
      .read()
      .profiles.map((p) => p.name)
      .sort();
    const expected = Array.from({ length: 8 }, (_, n) => Array.from({ length: 10 }, (_, i) => `writer${n}-${i}`)).flat().sort();
    expect(names).toEqual(expected);
    // No lock left behind, no stray temp files.
    expect((await readdir(dir)).sort()).toEqual(['settings.json']);
  });

  test('a lock left by a process that died does not block: the save goes through at once', async () => {
    const dir = join(work(), 'settings');
    const settings = openNodeSettings(dir);
    await writeFile(join(dir, LOCK), JSON.stringify({ pid: await deadPid(), host: hostname(), at: Date.now() }), { mode: 0o600 });
    const started = Date.now();
    settings.update((s) => ({ ...s, theme: 'dark' }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(settings.read().theme).toBe('dark');
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  test('a lock far older than any save, even under a live pid (reused since), is broken', async () => {
    const dir = join(work(), 'settings');
    const settings = openNodeSettings(dir);
    const live = liveProcess();
    try {
      await writeFile(join(dir, LOCK), JSON.stringify({ pid: live.pid, host: hostname(), at: Date.now() - 10 * 60_000 }), { mode: 0o600 });
      settings.update((s) => ({ ...s, theme: 'light' }));
      expect(settings.read().theme).toBe('light');
    } finally {
      live.end();
    }
  });

  test('a lock file that was never filled in (its writer died at once) is broken once it is old', async () => {
    const dir = join(work(), 'settings');
    const settings = openNodeSettings(dir);
    await writeFile(join(dir, LOCK), '', { mode: 0o600 });
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(join(dir, LOCK), old, old);
    settings.update((s) => ({ ...s, theme: 'dark' }));
    expect(settings.read().theme).toBe('dark');
  });

  test('a lock held by a live process is waited for, then the save goes through with what that process wrote', async () => {
    const dir = join(work(), 'settings');
    openNodeSettings(dir).update((s) => s);
    const live = liveProcess();
    try {
      await writeFile(join(dir, LOCK), JSON.stringify({ pid: live.pid, host: hostname(), at: Date.now() }), { mode: 0o600 });
      const writer = spawnWriter(['settings', dir, 'waiting', '1']);
      await writer.line(/^ready$/);
      writer.child.stdin.write('go\n');
      const released = new Promise<number>((resolve) =>
        setTimeout(async () => {
          // The holder's own save, made under its lock, then the lock released.
          const current = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
          await writeFile(join(dir, 'settings.json'), JSON.stringify({ ...current, theme: 'dark' }));
          await unlink(join(dir, LOCK));
          resolve(Date.now());
        }, 1_500),
      );
      const finished = writer.exited.then((code) => ({ code, at: Date.now() }));
      const [releasedAt, done] = await Promise.all([released, finished]);
      expect(done.code, writer.stderr()).toBe(0);
      expect(done.at).toBeGreaterThanOrEqual(releasedAt);
      const after = openNodeSettings(dir).read();
      expect(after.theme).toBe('dark'); // read again inside the lock: the holder's save is kept
      expect(after.profiles.map((p) => p.name)).toEqual(['waiting-0']);
    } finally {
      live.end();
    }
  });
});
