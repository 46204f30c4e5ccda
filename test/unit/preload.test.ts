import { expect, test, vi } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES, contract, events, ipcChannel, ipcEventChannel } from '../../main/contract.js';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (channel: string, input: unknown) => ({ channel, input }));
const on = vi.fn();
const removeListener = vi.fn();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: { invoke, on, removeListener, send: vi.fn(), sendSync: vi.fn() },
}));

await import('../../main/preload.js');

test('the name lists match the contract exactly', () => {
  expect([...METHOD_NAMES].sort()).toEqual(Object.keys(contract).sort());
  expect([...EVENT_NAMES].sort()).toEqual(Object.keys(events).sort());
});

test('the preload exposes exactly one function per method plus `on`, and no generic ipcRenderer', async () => {
  const api = exposed.anaplanSetup as Record<string, (...args: unknown[]) => unknown>;
  expect(Object.keys(exposed)).toEqual(['anaplanSetup']);
  expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'on'].sort());
  for (const value of Object.values(api)) expect(typeof value).toBe('function');
  expect(await api.listRegions!({})).toEqual({ channel: ipcChannel('listRegions'), input: {} });
});

test('event listeners get the payload only, never the IPC event, and can unsubscribe', () => {
  const api = exposed.anaplanSetup as { on: (event: string, listener: (payload: unknown) => void) => () => void };
  const listener = vi.fn();
  const off = api.on('progress', listener);
  const [channel, forward] = on.mock.calls[0] as [string, (event: unknown, payload: unknown) => void];
  expect(channel).toBe(ipcEventChannel('progress'));
  forward({ sender: 'secret internals' }, { task: 'login', message: 'hi' });
  expect(listener).toHaveBeenCalledWith({ task: 'login', message: 'hi' });
  off();
  expect(removeListener).toHaveBeenCalledWith(channel, forward);
  expect(() => api.on('anything-else', listener)).toThrow();
});
