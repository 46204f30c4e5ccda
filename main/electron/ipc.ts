import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { METHOD_NAMES, ipcChannel, type CallOutcome } from '../contract.js';
import type { Handlers } from '../core/assistant.js';
import { dispatch } from '../core/dispatch.js';

/**
 * Registers one `ipcMain.handle` per contract method. Each call is checked twice: the sender
 * must be the app's own page in a main frame, and the payload must parse with the method's
 * schema (dispatch does that).
 */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): void {
  for (const name of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event, payload: unknown): Promise<CallOutcome<unknown>> => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { code: 'forbidden', message: 'This request did not come from the assistant\u2019s own window.' } };
      }
      return dispatch(handlers, name, payload);
    });
  }
}

/** The sender is trusted when it is the main frame showing the app's own renderer file. */
export function trustedSenderCheck(rendererUrlPrefix: string): (event: IpcMainInvokeEvent) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    return frame.url.startsWith(rendererUrlPrefix);
  };
}
