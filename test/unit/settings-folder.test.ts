// The settings folder says where keys live and holds the notified-expiries file: the assistant
// creates it readable by its owner only, and leaves a folder the user already had as it was.
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { prepareSettingsDir } from '../../main/store/settings-store.js';
import { runCli } from '../support/cli.js';
import { modeOf, restoreUmaskAfterEach, useTempDir } from '../support/fixtures.js';

const work = useTempDir('settings-folder-');
restoreUmaskAfterEach();

async function keygenWithProfile(settingsHome: string) {
  const args = ['keygen', '--email', 'ada@example.com', '--name', 'Ada Lovelace', '--no-passphrase', '--out', join(work(), 'cert'), '--profile', 'p', '--json'];
  const result = await runCli(args, { env: { ANAPLAN_SETUP_HOME: settingsHome, HOME: work() } });
  expect(result.code, result.stdout + result.stderr).toBe(0);
}

describe('the settings folder', () => {
  test('the CLI creates a missing settings folder (and missing parents) 0700, even under a permissive umask', async () => {
    process.umask(0o002); // inherited by the CLI child process
    const settingsHome = join(work(), 'config', 'anaplan-setup');
    await keygenWithProfile(settingsHome);
    expect(await modeOf(settingsHome)).toBe(0o700);
    expect(await modeOf(join(work(), 'config'))).toBe(0o700);
    expect(await modeOf(join(settingsHome, 'settings.json'))).toBe(0o600);
  });

  test('a settings folder the user already had keeps its mode', async () => {
    const settingsHome = join(work(), 'mine');
    await mkdir(settingsHome);
    await chmod(settingsHome, 0o755);
    await keygenWithProfile(settingsHome);
    expect(await modeOf(settingsHome)).toBe(0o755);
    expect((await stat(join(settingsHome, 'settings.json'))).isFile()).toBe(true);
  });

  test('the Node front doors (CLI and anaplan-setup ui) open the store in a 0700 folder', async () => {
    process.umask(0o022);
    const settingsHome = join(work(), 'fresh', 'anaplan-setup');
    const store = openNodeSettings(settingsHome);
    store.update((settings) => ({ ...settings, theme: 'dark' }));
    expect(await modeOf(settingsHome)).toBe(0o700);
    expect(await modeOf(store.path)).toBe(0o600);
  });

  // The desktop app opens electron-store with cwd: prepareSettingsDir(); electron-store itself
  // cannot run here, so the shared step is checked on its own.
  test('prepareSettingsDir, called before any store opens: 0700 when it creates the folder, untouched otherwise', async () => {
    process.umask(0o022);
    const fresh = join(work(), 'desktop', 'anaplan-setup');
    expect(prepareSettingsDir(fresh)).toBe(fresh);
    expect(await modeOf(fresh)).toBe(0o700);
    const existing = join(work(), 'existing');
    await mkdir(existing);
    await chmod(existing, 0o750);
    prepareSettingsDir(existing);
    expect(await modeOf(existing)).toBe(0o750);
  });

  test('a settings path that is a file gives a message saying what to do', async () => {
    const file = join(work(), 'not-a-folder');
    await writeFile(file, 'x');
    expect(() => prepareSettingsDir(file)).toThrow(/not a folder.*ANAPLAN_SETUP_HOME/);
  });
});
