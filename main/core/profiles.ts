import { randomUUID } from 'node:crypto';
import { ProfileSchema, type CertificateRequest } from '../store/settings-schema.js';
import type { SettingsStore } from '../store/settings-store.js';

/**
 * Records a pending certificate request in the profile NAME (created when missing), so the
 * assistant and `anaplan-setup status` find it when the certificate arrives weeks later.
 */
export function recordCertificateRequest(settings: SettingsStore, profileName: string, request: CertificateRequest, now: Date = new Date()): void {
  settings.update((current) => {
    const stamp = now.toISOString();
    const existing = current.profiles.find((p) => p.name.toLowerCase() === profileName.toLowerCase());
    const profile = existing ?? ProfileSchema.parse({ id: randomUUID(), name: profileName, email: request.email, createdAt: stamp, updatedAt: stamp });
    const updated = {
      ...profile,
      email: profile.email || request.email,
      authMethod: profile.authMethod ?? 'certificate',
      step: profile.step === 'account' || profile.step === 'method' || profile.step === 'credentials' ? ('import' as const) : profile.step,
      certificateRequests: [...profile.certificateRequests, request],
      updatedAt: stamp,
    };
    const profiles = existing ? current.profiles.map((p) => (p.id === existing.id ? updated : p)) : [...current.profiles, updated];
    return { ...current, profiles };
  });
}
