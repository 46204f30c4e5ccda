import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAssistant, type Handlers } from '../../main/core/assistant.js';
import { dispatch } from '../../main/core/dispatch.js';
import { createHttpClient } from '../../main/net/http.js';
import { openNodeSettings } from '../../main/store/node-settings.js';
import type { SecretStore } from '../../main/store/secrets.js';
import { SEED, startEmulator, type Emulator } from '../emulator/server.js';
import { memoryKeychain } from '../support/memory-keychain.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());


async function assistant(secrets: SecretStore = memoryKeychain()) {
  const dir = await mkdtemp(join(tmpdir(), 'core-'));
  const settings = openNodeSettings(dir);
  const events: unknown[] = [];
  const handlers: Handlers = createAssistant({
    settings,
    secrets,
    host: { frontDoor: 'browser', chooseFolder: null, chooseFile: null, openExternal: async () => true, emit: (event, payload) => events.push({ event, payload }) },
    httpClient: (s) => createHttpClient({ ...s, backoffMs: 5 }),
    version: 'test',
  });
  const call = async (name: string, payload: unknown) => dispatch(handlers, name, payload);
  return { handlers, settings, events, call, dir };
}

async function newProfile(handlers: Handlers, name = 'Prod') {
  const settings = await handlers.saveProfile({ name, email: SEED.users.integration.email, endpoints: { authUrl: emulator.url, apiUrl: emulator.url }, step: 'method' });
  return settings.profiles.find((p) => p.name === name)!;
}

describe('the core behind the UI', () => {
  test('profiles: one name per account, bad URLs and stored proxy passwords refused before saving', async () => {
    const { handlers, call, settings } = await assistant();
    await newProfile(handlers);
    expect(await call('saveProfile', { name: 'prod', email: 'x@example.com' })).toMatchObject({ ok: false, error: { code: 'bad_input', message: expect.stringMatching(/already exists/) } });
    expect(await call('saveProfile', { name: 'Other', endpoints: { authUrl: 'http://evil.example.com' } })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await call('saveProfile', { name: 'Other', network: { proxyUrl: 'http://u:secret@proxy:8080' } })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/must not contain a password/) } });
    expect(settings.read().profiles).toHaveLength(1);
    expect(await readFile(settings.path, 'utf8')).not.toContain(':secret@');
  });

  test('login through the contract: progress event, password kept only in the keychain, check date recorded', async () => {
    const keychain = memoryKeychain();
    const { handlers, events, settings } = await assistant(keychain);
    const profile = await newProfile(handlers);
    const result = await handlers.loginBasic({ profileId: profile.id, password: SEED.users.integration.password, rememberPassword: true });
    expect(result.passwordStored).toBe(true);
    expect(result.workspaces.length).toBe(2);
    expect(events[0]).toMatchObject({ event: 'progress', payload: { task: 'login' } });
    expect([...keychain.values.values()]).toEqual([SEED.users.integration.password]);
    expect(await readFile(settings.path, 'utf8')).not.toContain(SEED.users.integration.password);
    expect(settings.read().profiles[0]?.basicPasswordCheckedAt).toMatch(/^\d{4}-/);
    // The stored password is used when none is typed; deleting the profile forgets it.
    expect((await handlers.loginBasic({ profileId: profile.id, rememberPassword: false })).user.email).toBe(SEED.users.integration.email);
    await handlers.deleteProfile({ id: profile.id });
    expect(keychain.values.size).toBe(0);
  });

  test('export preview writes nothing and tells new, same and changed files apart; write never overwrites without consent', async () => {
    const { handlers, call } = await assistant();
    const profile = await newProfile(handlers);
    const dir = join(await mkdtemp(join(tmpdir(), 'core-export-')), 'job');
    const request = { profileId: profile.id, dir, platforms: ['linux'], passwordSource: 'env', passwordEnvVar: 'ANAPLAN_PASSWORD' };
    const first = await handlers.previewExport(request as never);
    expect(first.files.map((f) => [f.name, f.status])).toEqual([
      ['anaplan-connect.sh', 'new'],
      ['README.md', 'new'],
      ['boomi-connection.md', 'new'],
      ['informatica-connection.md', 'new'],
    ]);
    await handlers.writeExport({ ...request, overwrite: false } as never);
    expect((await handlers.previewExport(request as never)).files.every((f) => f.status === 'same')).toBe(true);
    await writeFile(join(dir, 'anaplan-connect.sh'), '# edited by hand\n');
    expect((await handlers.previewExport(request as never)).files.find((f) => f.name === 'anaplan-connect.sh')).toMatchObject({ status: 'changed', existing: '# edited by hand\n' });
    expect(await call('writeExport', { ...request, overwrite: false })).toMatchObject({ ok: false, error: { code: 'file_exists' } });
    expect(await readFile(join(dir, 'anaplan-connect.sh'), 'utf8')).toBe('# edited by hand\n');
  });

  test('a password is refused unless it is to be written inline', async () => {
    const { handlers, call } = await assistant();
    const profile = await newProfile(handlers);
    const outcome = await call('previewExport', { profileId: profile.id, dir: '/tmp/x', platforms: ['linux'], passwordSource: 'env', password: 'oops' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  test('openExternal only for https links on known hosts', async () => {
    const { call } = await assistant();
    expect(await call('openExternal', { url: 'https://help.anaplan.com/' })).toEqual({ ok: true, value: { opened: true } });
    expect(await call('openExternal', { url: 'https://evil.example.com/' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
