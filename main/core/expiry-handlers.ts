import type { MethodOutput } from '../contract.js';
import type { SettingsStore } from '../store/settings-store.js';
import { expiriesOf } from './expiry.js';

/** What expires, for the start page and the desktop notification: the same list as `anaplan-setup status`. */
export function expiryHandlers({ settings, now }: { settings: SettingsStore; now: () => Date }) {
  return {
    async getExpiries(): Promise<MethodOutput<'getExpiries'>> {
      return { expiries: expiriesOf(settings.read(), now()) };
    },
  };
}
