import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { MethodOutput, MethodParsedInput } from '../contract.js';
import { CA_PROFILES, caProfile, unsupportedCa } from '../pki/ca-profiles.js';
import { opensslEquivalent } from '../pki/equivalent-commands.js';
import { createKeyAndCsr, type KeygenResult } from '../pki/keygen.js';
import type { CsrSubject } from '../pki/subject.js';
import type { CertificateRequest, Profile } from '../store/settings-schema.js';
import type { ProfileAccess } from './profile-access.js';

/**
 * Certificate preparation for a profile: a key pair and a CSR, remembered as a pending request
 * until the CA's certificate arrives. The private key never leaves its file: callers get paths
 * and the fingerprint.
 */
/** The pending request a profile remembers (desktop, browser and `anaplan-setup keygen --profile`). */
export function toCertificateRequest(result: KeygenResult, subject: CsrSubject): CertificateRequest {
  return {
    id: randomUUID(),
    createdAt: result.createdAt,
    caProfileId: result.caProfileId,
    privateKeyPath: result.privateKeyPath,
    csrPath: result.csrPath,
    csrPem: result.csrPem,
    subject: result.subject,
    email: result.email,
    bits: result.bits,
    fingerprint: result.fingerprint,
    keyEncrypted: result.keyEncrypted,
    hash: result.hash,
    status: 'pending',
    subjectFields: Object.fromEntries(Object.entries(subject).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')),
    equivalentCommands: opensslEquivalent({
      subject,
      profile: caProfile(result.caProfileId),
      bits: result.bits,
      encrypted: result.keyEncrypted,
      keyFile: basename(result.privateKeyPath),
      csrFile: basename(result.csrPath),
    }),
  };
}

export function certificateRequestHandlers(access: ProfileAccess) {
  return {
    async listCaProfiles(): Promise<MethodOutput<'listCaProfiles'>> {
      return { profiles: CA_PROFILES.map((profile) => ({ ...profile, fields: { ...profile.fields }, keySizes: [...profile.keySizes] })) };
    },

    async checkCaName({ name }: MethodParsedInput<'checkCaName'>): Promise<MethodOutput<'checkCaName'>> {
      const found = unsupportedCa(name);
      return { unsupported: found ? { name: found.name, message: found.message } : null };
    },

    async generateCertificateRequest(input: MethodParsedInput<'generateCertificateRequest'>): Promise<MethodOutput<'generateCertificateRequest'>> {
      access.profileById(input.profileId);
      const result = await createKeyAndCsr({
        subject: input.subject,
        caProfileId: input.caProfileId,
        bits: input.bits,
        passphrase: input.passphrase,
        dir: input.dir,
        forceBackup: input.forceBackup,
        onProgress: (message) => access.emit('progress', { task: 'keygen', message }),
      });
      const request = toCertificateRequest(result, input.subject);
      access.touchProfile(input.profileId, (profile: Profile) => ({ ...profile, certificateRequests: [...profile.certificateRequests, request] }));
      return { request, warnings: result.warnings };
    },

    async deleteCertificateRequest({ profileId, requestId }: MethodParsedInput<'deleteCertificateRequest'>) {
      access.touchProfile(profileId, (profile) => ({ ...profile, certificateRequests: profile.certificateRequests.filter((r) => r.id !== requestId) }));
      return access.publicSettings();
    },
  };
}
