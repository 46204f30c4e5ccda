import { describe, expect, test, vi } from 'vitest';
import { METHOD_NAMES, ipcChannel } from '../../main/contract.js';
import type { Handlers } from '../../main/core/assistant.js';
import { registerIpcHandlers, trustedSenderCheck } from '../../main/electron/ipc.js';

type Listener = (event: unknown, payload: unknown) => Promise<unknown>;

function setUp() {
  const registered = new Map<string, Listener>();
  const ipcMain = { handle: (channel: string, listener: Listener) => registered.set(channel, listener) };
  const listRegions = vi.fn(async () => ({ regions: [] }));
  const setTheme = vi.fn(async () => ({ theme: 'dark', activeProfileId: null, profiles: [] }));
  const handlers = { listRegions, setTheme } as unknown as Handlers;
  registerIpcHandlers(ipcMain as never, handlers, trustedSenderCheck('file:///app/out/renderer/'));
  return { registered, listRegions, setTheme };
}

const ownFrame = { senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } };

describe('IPC handlers', () => {
  test('one handler per contract method, on its own channel', () => {
    const { registered } = setUp();
    expect([...registered.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
  });

  test('calls from the app page reach the handler with the parsed payload', async () => {
    const { registered, setTheme } = setUp();
    const outcome = await registered.get(ipcChannel('setTheme'))!(ownFrame, { theme: 'dark' });
    expect(outcome).toMatchObject({ ok: true });
    expect(setTheme).toHaveBeenCalledWith({ theme: 'dark' });
  });

  test('a foreign sender (another URL or a sub-frame) is refused before the handler runs', async () => {
    const { registered, listRegions } = setUp();
    for (const senderFrame of [
      { url: 'https://evil.example.com/', parent: null },
      { url: 'file:///app/out/renderer/index.html', parent: {} },
      { url: 'file:///other/index.html', parent: null },
      null,
    ]) {
      const outcome = await registered.get(ipcChannel('listRegions'))!({ senderFrame }, {});
      expect(outcome).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(listRegions).not.toHaveBeenCalled();
  });

  test('a payload that does not match the schema is refused before the handler runs', async () => {
    const { registered, setTheme } = setUp();
    for (const payload of [{ theme: 'neon' }, { theme: 42 }, 'dark', [1]]) {
      const outcome = (await registered.get(ipcChannel('setTheme'))!(ownFrame, payload)) as { ok: boolean; error?: { code: string } };
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.code).toBe('bad_input');
    }
    expect(setTheme).not.toHaveBeenCalled();
  });
});
