import type { EventName, EventPayload, MethodOutput } from '../contract.js';
import type { Profile } from '../store/settings-schema.js';

/** What handler groups need from the assistant: profiles, events and the UI's view of settings. */
export interface ProfileAccess {
  profileById(id: string): Profile;
  touchProfile(id: string, change: (profile: Profile) => Profile): void;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  publicSettings(): Promise<MethodOutput<'getSettings'>>;
}
