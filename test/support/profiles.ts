// Settings and profile fixtures shared by the tests that read saved profiles.
import type { Profile } from '../../main/store/settings-schema.js';

export const DAY = 24 * 60 * 60 * 1000;

/** A profile's imported-certificate record, imported and valid from stamp until notAfter. */
export function certificateRecord(notAfter: string, stamp: string): NonNullable<Profile['certificate']> {
  return {
    importedAt: stamp,
    alias: 'anaplan-connect',
    certificatePath: '/certs/certificate.pem',
    chainPath: null,
    keystorePath: '/certs/keystore.p12',
    privateKeyPath: '/certs/private-key.pem',
    keyEncrypted: true,
    subject: 'CN=Ada Lovelace, emailAddress=ada@example.com',
    email: 'ada@example.com',
    issuer: 'CN=Test CA',
    fingerprint: 'AA',
    notBefore: stamp,
    notAfter,
    requestId: null,
  };
}
