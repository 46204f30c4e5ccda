import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_NAMES, METHOD_NAMES, ipcChannel, ipcEventChannel, type EventName } from './contract-names.js';

/**
 * The only bridge between the sandboxed page and the main process: one function per contract
 * method, and `on` for the contract's events. No generic ipcRenderer is exposed, and listeners
 * never see the IPC event object.
 */
const methods = Object.fromEntries(METHOD_NAMES.map((name) => [name, (input: unknown) => ipcRenderer.invoke(ipcChannel(name), input)]));

contextBridge.exposeInMainWorld('anaplanSetup', {
  ...methods,
  on(event: EventName, listener: (payload: unknown) => void): () => void {
    if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event ${String(event)}`);
    const channel = ipcEventChannel(event);
    const forward = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => ipcRenderer.removeListener(channel, forward);
  },
});
