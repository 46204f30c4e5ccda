import { createAssistant, type Handlers, type HostCapabilities } from '../core/assistant.js';
import { APP_VERSION } from '../core/version.js';
import { createHttpClient } from '../net/http.js';
import { openNodeSettings } from '../store/node-settings.js';
import { NO_SECRET_STORE } from '../store/secrets.js';

/**
 * The core as the Node front doors (CLI, `anaplan-setup ui`) run it: conf for settings and no
 * keychain, so secrets are never kept (the UI says so).
 */
export function createNodeAssistant(emit: HostCapabilities['emit']): Handlers {
  return createAssistant({
    settings: openNodeSettings(),
    secrets: NO_SECRET_STORE,
    host: {
      frontDoor: 'browser',
      chooseFolder: null,
      chooseFile: null,
      // The browser page opens links itself: this process may run on a server without a display.
      openExternal: async () => false,
      emit,
    },
    httpClient: createHttpClient,
    version: APP_VERSION,
  });
}
