import { existsSync } from 'node:fs';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveEndpoints } from '../anaplan/endpoints.js';
import type { MethodOutput, MethodParsedInput } from '../contract.js';
import type { HttpClient } from '../net/http.js';
import { importCertificate, previewImport, type ImportInput } from '../pki/certificate-import.js';
import { readPkcs12Entry } from '../pki/keystore.js';
import { readPrivateKeyFile } from '../pki/keys.js';
import { keyPassphraseKey, keystorePasswordKey, type SecretStore } from '../store/secrets.js';
import type { ImportedCertificate, NetworkSettings, Profile } from '../store/settings-schema.js';
import { AppError } from '../errors.js';
import { jobAccount } from './job-account.js';
import { importedPaths, placeImportedFiles } from './job-placement.js';
import { loginCertificate } from './login.js';
import { toImportedCertificate } from './profiles.js';
import type { ProfileAccess } from './profile-access.js';

/**
 * The issued certificate: preview its checks, import it into certificate.pem, chain.pem and
 * keystore.p12, and sign in with it. The private key is read here and never returned.
 */
export interface CertificateDeps {
  access: ProfileAccess;
  secrets: SecretStore;
  withHttp<T>(network: NetworkSettings, work: (http: HttpClient) => Promise<T>): Promise<T>;
  now(): Date;
}

type PreviewInput = MethodParsedInput<'previewCertificateImport'>;

export function certificateHandlers(deps: CertificateDeps) {
  const { access } = deps;

  /** The key choice of the UI, as the importer takes it: a request's key, a key file, or the PKCS#12's own key. */
  const keyFor = (profile: Profile, key: PreviewInput['key']): ImportInput['key'] => {
    if ('fromBundle' in key) return null;
    if ('path' in key) return { path: key.path, passphrase: key.passphrase };
    const request = profile.certificateRequests.find((r) => r.id === key.requestId);
    if (!request) throw new AppError('not_found', 'That certificate request is no longer in this connection. Choose its key file instead.');
    return { path: request.privateKeyPath, passphrase: request.keyEncrypted ? key.passphrase : null };
  };

  const importInputFor = (input: PreviewInput) => {
    const profile = access.profileById(input.profileId);
    return {
      profile,
      base: {
        source: input.source,
        key: keyFor(profile, input.key),
        filePassword: input.filePassword,
        expectedEmail: profile.email || null,
        now: deps.now(),
      },
    };
  };

  return {
    async previewCertificateImport(input: PreviewInput): Promise<MethodOutput<'previewCertificateImport'>> {
      const { base } = importInputFor(input);
      return previewImport(base);
    },

    async importCertificate(input: MethodParsedInput<'importCertificate'>): Promise<MethodOutput<'importCertificate'>> {
      const { profile, base } = importInputFor(input);
      // Known before anything is written: an account that no longer exists stops the import.
      const account = jobAccount(profile.runAs);
      const outDirExisted = existsSync(input.outDir);
      const result = await importCertificate({ ...base, outDir: input.outDir, alias: input.alias, keystorePassword: input.keystorePassword, overwrite: input.overwrite });
      const requestId = 'requestId' in input.key ? input.key.requestId : null;
      const keyPath = base.key?.path ?? null;
      const certificate = toImportedCertificate(result, { privateKeyPath: keyPath, keyEncrypted: Boolean(base.key?.passphrase), requestId, now: deps.now() });
      let secretsStored = false;
      if (input.rememberSecrets && deps.secrets.status().available) {
        await deps.secrets.set(keystorePasswordKey(profile.id), input.keystorePassword);
        if (base.key?.passphrase) await deps.secrets.set(keyPassphraseKey(profile.id), base.key.passphrase);
        secretsStored = true;
      }
      access.touchProfile(profile.id, (p) => ({
        ...p,
        certificate,
        certificateRequests: p.certificateRequests.map((r) => (r.id === requestId ? { ...r, status: 'issued' as const } : r)),
      }));
      const { handOverCommands } = await placeImportedFiles(account, input.outDir, outDirExisted, importedPaths(result));
      const { certificatePath, chainPath, keystorePath, alias, subject, email, issuer, notBefore, notAfter, fingerprint, chainLength, findings } = result;
      return { certificatePath, chainPath, keystorePath, alias, facts: { subject, email, issuer, notBefore, notAfter, fingerprint, chainLength, findings }, secretsStored, handOverCommands };
    },

    async loginCertificate({ profileId, form, secret }: MethodParsedInput<'loginCertificate'>): Promise<MethodOutput<'loginCertificate'>> {
      const profile = access.profileById(profileId);
      const certificate = profile.certificate;
      if (!certificate) throw new AppError('bad_input', 'Import the issued certificate first (the Import certificate step).');
      const { leafPem, privateKey } =
        form === 'keystore'
          ? await fromKeystore(certificate, secret || (await deps.secrets.get(keystorePasswordKey(profileId))))
          : await fromPemFiles(certificate, secret ?? (await deps.secrets.get(keyPassphraseKey(profileId))));
      const endpoints = resolveEndpoints(profile.endpoints);
      access.emit('progress', { task: 'login', message: 'Signing in with the certificate…' });
      const result = await deps.withHttp(profile.network, (http) => loginCertificate(http, endpoints, leafPem, privateKey));
      const at = deps.now().toISOString();
      access.touchProfile(profileId, (p) => ({ ...p, lastLogin: { at, email: result.user.email } }));
      return result;
    },
  };
}

/** The leaf and its key from the imported keystore, as Anaplan Connect reads them. */
export async function fromKeystore(certificate: ImportedCertificate, password: string | null): Promise<{ leafPem: string; privateKey: KeyObject }> {
  if (!password) throw new AppError('bad_input', 'Enter the keystore password.');
  const entry = readPkcs12Entry(await readFile(certificate.keystorePath), certificate.alias, password);
  return { leafPem: entry.certificate.toString(), privateKey: entry.privateKey };
}

async function fromPemFiles(certificate: ImportedCertificate, passphrase: string | null): Promise<{ leafPem: string; privateKey: KeyObject }> {
  if (!certificate.privateKeyPath) {
    throw new AppError('bad_input', `The key of this certificate came inside the PKCS#12 file: sign in with the keystore (${dirname(certificate.keystorePath)}).`);
  }
  if (certificate.keyEncrypted && !passphrase) throw new AppError('bad_input', 'Enter the passphrase of the private key.');
  const privateKey = await readPrivateKeyFile(certificate.privateKeyPath, certificate.keyEncrypted ? passphrase : null);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(await readFile(certificate.certificatePath));
  } catch {
    throw new AppError('bad_input', `${certificate.certificatePath} cannot be read as a certificate: it may have been moved, damaged or replaced. Import the certificate again (Import certificate step, or anaplan-setup import-cert).`);
  }
  return { leafPem: leaf.toString(), privateKey };
}
