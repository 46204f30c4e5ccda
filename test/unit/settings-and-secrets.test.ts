import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { safeStorageSecrets } from '../../main/electron/secrets.js';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { NO_SECRET_STORE } from '../../main/store/secrets.js';
import { SETTINGS_SCHEMA_VERSION, migrateSettings } from '../../main/store/settings-schema.js';
import { settingsDir } from '../../main/store/settings-store.js';

describe('settings (conf in the Node front doors)', () => {
  test('a fresh store is empty, is written 0600, and keeps what was saved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'settings-'));
    const store = openNodeSettings(dir);
    expect(store.read()).toMatchObject({ schemaVersion: SETTINGS_SCHEMA_VERSION, theme: 'system', profiles: [], activeProfileId: null });
    store.update((s) => ({ ...s, theme: 'dark' }));
    expect(openNodeSettings(dir).read().theme).toBe('dark');
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });

  test('a version-0 file (before versioning) is migrated, keeping its profiles', async () => {
    const migrated = migrateSettings({ theme: 'light', profiles: [{ id: 'p1', name: 'Old', createdAt: 'x', updatedAt: 'x', email: 'a@b.co' }] });
    expect(migrated.schemaVersion).toBe(SETTINGS_SCHEMA_VERSION);
    expect(migrated.theme).toBe('light');
    expect(migrated.profiles[0]).toMatchObject({ id: 'p1', name: 'Old', step: 'account', endpoints: { region: 'us1' }, authMethod: null });
  });

  test('a version-1 file gains empty certificate requests on every profile', () => {
    const migrated = migrateSettings({ schemaVersion: 1, profiles: [{ id: 'p1', name: 'One', createdAt: 'x', updatedAt: 'x' }] });
    expect(migrated.schemaVersion).toBe(2);
    expect(migrated.profiles[0]?.certificateRequests).toEqual([]);
  });

  test('a file from a newer version, or a damaged one, gives a clear error instead of being overwritten', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'settings-'));
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ schemaVersion: 99 }));
    expect(() => openNodeSettings(dir).read()).toThrow(/newer than this version/);
    await writeFile(join(dir, 'settings.json'), '{ not json');
    expect(() => openNodeSettings(dir)).toThrow(/Move settings.json aside/);
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toBe('{ not json');
  });

  test('the settings folder: ANAPLAN_SETUP_HOME, else the platform convention', () => {
    expect(settingsDir({ ANAPLAN_SETUP_HOME: '/x' }, 'linux')).toBe('/x');
    expect(settingsDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/anaplan-setup');
    expect(settingsDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('anaplan-setup');
  });
});

describe('secrets', () => {
  test('the Node front doors keep no secrets and say so; storing one is refused', async () => {
    expect(NO_SECRET_STORE.status()).toMatchObject({ available: false, backend: 'none' });
    expect(NO_SECRET_STORE.status().reason).toMatch(/not kept/);
    await expect(NO_SECRET_STORE.set('k', 'v')).rejects.toMatchObject({ code: 'secrets_unavailable' });
    expect(await NO_SECRET_STORE.get('k')).toBeNull();
  });

  function fakeSafeStorage(backend: string, available = true) {
    return {
      isEncryptionAvailable: () => available,
      getSelectedStorageBackend: () => backend,
      // A reversible stand-in for the OS keychain's encryption.
      encryptString: (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`),
      decryptString: (data: Buffer) => Buffer.from(data.toString().slice(4), 'hex').toString(),
    };
  }

  test('with a real keychain (gnome_libsecret) a secret is stored encrypted, never in plain text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-'));
    const settings = openNodeSettings(dir);
    const secrets = safeStorageSecrets(fakeSafeStorage('gnome_libsecret') as never, settings, 'linux');
    expect(secrets.status()).toEqual({ available: true, backend: 'gnome_libsecret', reason: null });
    await secrets.set('profile:p:basic-password', 'Hunter2-Secret');
    expect(await secrets.get('profile:p:basic-password')).toBe('Hunter2-Secret');
    expect(await readFile(settings.path, 'utf8')).not.toContain('Hunter2-Secret');
    await secrets.delete('profile:p:basic-password');
    expect(await secrets.get('profile:p:basic-password')).toBeNull();
  });

  test('on Linux, basic_text counts as no keychain: nothing is stored and the reason is given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-'));
    const settings = openNodeSettings(dir);
    for (const [backend, available] of [
      ['basic_text', true],
      ['unknown', true],
      ['gnome_libsecret', false],
    ] as const) {
      const secrets = safeStorageSecrets(fakeSafeStorage(backend, available) as never, settings, 'linux');
      expect(secrets.status().available).toBe(false);
      expect(secrets.status().reason).toMatch(/not kept/);
      await expect(secrets.set('k', 'Hunter2-Secret')).rejects.toMatchObject({ code: 'secrets_unavailable' });
    }
    expect(await readFile(settings.path, 'utf8').catch(() => '')).not.toContain('Hunter2');
  });
});
