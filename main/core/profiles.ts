import { randomUUID } from 'node:crypto';
import type { ImportResult } from '../pki/certificate-import.js';
import { ProfileSchema, type CertificateRequest, type ImportedCertificate, type Profile } from '../store/settings-schema.js';
import type { SettingsStore } from '../store/settings-store.js';

/**
 * Records a pending certificate request in the profile NAME (created when missing), so the
 * assistant and `anaplan-setup status` find it when the certificate arrives weeks later.
 */
export function recordCertificateRequest(settings: SettingsStore, profileName: string, request: CertificateRequest, now: Date = new Date()): void {
  upsertCertificateProfile(settings, profileName, request.email, now, (profile) => ({
    ...profile,
    step: profile.step === 'account' || profile.step === 'method' || profile.step === 'credentials' ? 'import' : profile.step,
    certificateRequests: [...profile.certificateRequests, request],
  }));
}

/** Records an imported certificate (`anaplan-setup import-cert --profile NAME`): paths and facts, never a password. */
export function recordImportedCertificate(settings: SettingsStore, profileName: string, result: ImportResult, privateKeyPath: string | null, keyEncrypted: boolean, now: Date = new Date()): void {
  const certificate = toImportedCertificate(result, { privateKeyPath, keyEncrypted, requestId: null, now });
  upsertCertificateProfile(settings, profileName, result.email, now, (profile) => {
    const request = profile.certificateRequests.find((r) => r.privateKeyPath === privateKeyPath);
    return {
      ...profile,
      certificate: { ...certificate, requestId: request?.id ?? null },
      certificateRequests: profile.certificateRequests.map((r) => (r === request ? { ...r, status: 'issued' as const } : r)),
      step: profile.step === 'import' || profile.step === 'credentials' ? 'login' : profile.step,
    };
  });
}

/** What a profile remembers of an imported certificate. */
export function toImportedCertificate(
  result: ImportResult,
  origin: { privateKeyPath: string | null; keyEncrypted: boolean; requestId: string | null; now: Date },
): ImportedCertificate {
  return {
    importedAt: origin.now.toISOString(),
    alias: result.alias,
    certificatePath: result.certificatePath,
    chainPath: result.chainPath,
    keystorePath: result.keystorePath,
    privateKeyPath: origin.privateKeyPath,
    keyEncrypted: origin.keyEncrypted,
    subject: result.subject,
    email: result.email,
    issuer: result.issuer,
    fingerprint: result.fingerprint,
    notBefore: result.notBefore,
    notAfter: result.notAfter,
    requestId: origin.requestId,
  };
}

function upsertCertificateProfile(settings: SettingsStore, profileName: string, email: string, now: Date, change: (profile: Profile) => Profile): void {
  settings.update((current) => {
    const stamp = now.toISOString();
    const existing = current.profiles.find((p) => p.name.toLowerCase() === profileName.toLowerCase());
    const profile = existing ?? ProfileSchema.parse({ id: randomUUID(), name: profileName, email, createdAt: stamp, updatedAt: stamp });
    const updated = change({ ...profile, email: profile.email || email, authMethod: profile.authMethod ?? 'certificate', updatedAt: stamp });
    const profiles = existing ? current.profiles.map((p) => (p.id === existing.id ? updated : p)) : [...current.profiles, updated];
    return { ...current, profiles };
  });
}
