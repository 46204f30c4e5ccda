import { isAbsolute, join } from 'node:path';
import type { MethodOutput, MethodParsedInput } from '../contract.js';
import { composeOperation, type CertificateCredentials } from '../export/index.js';
import { keyPassphraseKey, keystorePasswordKey, passwordKey, type SecretStore } from '../store/secrets.js';
import type { Profile } from '../store/settings-schema.js';
import { requireEndpoint, resolveEndpoints } from '../anaplan/endpoints.js';
import { equivalentCommands } from './equivalent-commands.js';
import { AppError } from '../errors.js';
import { bundleOf, keystoreAccessFile, planBasicExport, planCertificateExport, planOAuthExport, previewFiles, secretBackupNotices, type ExportPlan, type ExportTarget, type HomeFile } from './export-job.js';
import { jobAccount, type JobAccount } from './job-account.js';
import { handOverSteps, writeJobFiles } from './job-placement.js';
import type { ProfileAccess } from './profile-access.js';

type ExportRequest = MethodParsedInput<'previewExport'>;

interface FullPlan extends ExportPlan {
  homeFile: HomeFile | null;
  /** The account that runs the job, read once from the password database for the plan and the write. */
  account: JobAccount;
}

export interface ExportDeps {
  access: ProfileAccess;
  secrets: SecretStore;
  generatedBy: string;
  now(): Date;
  homeDir: string;
}

/** The schedule runs as the account that runs the job unless the person named another. */
function withScheduleAccount(job: ExportRequest['job'], account: JobAccount): ExportRequest['job'] {
  if (!job?.schedule || job.schedule.account || account.current) return job;
  return { ...job, schedule: { ...job.schedule, account: account.name } };
}

function operationOf(request: ExportRequest): string[] {
  return request.operationPreset ? composeOperation(request.operationPreset) : (request.operation ?? []);
}

/** Preview and write the Anaplan Connect job for the profile's auth method; nothing is written by a preview. */
export function exportHandlers(deps: ExportDeps) {
  const plan = async (request: ExportRequest): Promise<FullPlan> => {
    const profile = deps.access.profileById(request.profileId);
    const account = jobAccount(profile.runAs);
    return { ...(await planFor(profile, account, request)), account };
  };

  const planFor = async (profile: Profile, account: JobAccount, request: ExportRequest): Promise<Omit<FullPlan, 'account'>> => {
    const target: ExportTarget = {
      email: profile.email,
      endpoints: profile.endpoints,
      workspaceId: profile.workspace?.id,
      modelId: profile.model?.id,
      profileName: profile.name,
      operation: operationOf(request),
      job: withScheduleAccount(request.job, account),
      jobDir: isAbsolute(request.dir) ? request.dir : undefined,
    };
    if (profile.authMethod === 'certificate') return planCertificate(profile, target, request, account);
    if (profile.authMethod === 'oauth') {
      if (!profile.oauth) throw new AppError('bad_input', 'Sign in with the device grant first (the Device sign-in step).');
      const { clientId, rotatable, tokenStoreDir, refreshTokenExpiresAt } = profile.oauth;
      return { ...planOAuthExport(target, { platforms: request.platforms, clientId, rotatable, tokenStoreDir, refreshTokenExpiresAt: refreshTokenExpiresAt ?? undefined }, deps.generatedBy, deps.now()), homeFile: null };
    }
    return { ...(await planBasic(profile, target, request)), homeFile: null };
  };

  const planBasic = async (profile: Profile, target: ExportTarget, request: ExportRequest): Promise<ExportPlan> => {
    if (request.passwordSource !== 'inline' && request.password) {
      throw new AppError('bad_input', 'A password was given although it is not to be written into the script. Nothing was written.');
    }
    const password = request.passwordSource === 'inline' ? request.password || (await deps.secrets.get(passwordKey(profile.id))) || undefined : undefined;
    return planBasicExport(
      target,
      { platforms: request.platforms, passwordSource: request.passwordSource, passwordEnvVar: request.passwordEnvVar, password },
      deps.generatedBy,
      deps.now(),
    );
  };

  const planCertificate = async (profile: Profile, target: ExportTarget, request: ExportRequest, account: JobAccount): Promise<Omit<FullPlan, 'account'>> => {
    const certificate = profile.certificate;
    if (!certificate) throw new AppError('bad_input', 'Import the issued certificate first (the Import certificate step).');
    const choice = request.certificate ?? { form: 'keystore' as const, keystorePasswordSource: 'file' as const, keyPassphraseSource: 'env' as const, keyPassphraseEnvVar: 'ANAPLAN_KEY_PASSPHRASE' };
    const secret = async (key: string): Promise<string> => {
      const value = request.certificate?.secret || (await deps.secrets.get(key));
      if (!value) throw new AppError('bad_input', key === keystorePasswordKey(profile.id) ? 'Enter the keystore password.' : 'Enter the key passphrase.');
      return value;
    };
    let credentials: CertificateCredentials;
    let homeFile: HomeFile | null = null;
    if (choice.form === 'keystore') {
      const password = await secret(keystorePasswordKey(profile.id));
      // keystore-access.txt is read from the home of the account that runs the job (anaplan-facts §5, §8).
      const jobHome = request.certificate?.jobHome || (account.current ? deps.homeDir : account.home);
      credentials = {
        form: 'keystore',
        keystorePath: certificate.keystorePath,
        alias: certificate.alias,
        keystorePassword: choice.keystorePasswordSource === 'inline' ? { source: 'inline', value: password } : { source: 'file', jobHome },
      };
      if (choice.keystorePasswordSource === 'file') homeFile = keystoreAccessFile(jobHome, password);
    } else {
      if (!certificate.privateKeyPath) throw new AppError('bad_input', 'The key of this certificate came inside the PKCS#12 file: export the keystore form instead.');
      credentials = {
        form: 'pem',
        certificatePath: certificate.certificatePath,
        privateKeyPath: certificate.privateKeyPath,
        keyPassphrase:
          choice.keyPassphraseSource === 'none'
            ? { source: 'none' }
            : choice.keyPassphraseSource === 'inline'
              ? { source: 'inline', value: await secret(keyPassphraseKey(profile.id)) }
              : { source: 'env', envVar: choice.keyPassphraseEnvVar },
      };
    }
    const planned = planCertificateExport(target, { platforms: request.platforms, credentials, certificateNotAfter: certificate.notAfter }, deps.generatedBy, deps.now());
    return { ...planned, homeFile };
  };

  /** The commands a person could run by hand to do what this export does. */
  const commandsFor = (request: ExportRequest) => {
    const profile = deps.access.profileById(request.profileId);
    const endpoints = resolveEndpoints(profile.endpoints);
    const authUrl = requireEndpoint(endpoints, profile.authMethod === 'oauth' ? 'oauthUrl' : 'authUrl');
    return equivalentCommands(profile, { serviceUrl: requireEndpoint(endpoints, 'apiUrl'), authUrl, operation: operationOf(request) });
  };

  return {
    async previewExport(request: ExportRequest): Promise<MethodOutput<'previewExport'>> {
      const { files, warnings, homeFile } = await plan(request);
      const bundleFile = request.bundle ? bundleOf(files, homeFile, deps.now()) : null;
      const previews = await previewFiles(request.dir, files);
      if (bundleFile) {
        const [bundle] = await previewFiles(request.dir, [bundleFile]);
        if (bundle) previews.push({ ...bundle, content: '(a ZIP of the files above, to copy to the integration server)', existing: bundle.existing === null ? null : '(a ZIP)' });
      }
      if (homeFile) {
        const [home] = await previewFiles(homeFile.dir, [homeFile.file]);
        // The file holds the keystore password, only obfuscated: its content is not shown.
        if (home) previews.push({ ...home, name: join(homeFile.dir, homeFile.file.name), content: '(the keystore password in Anaplan Connect\u2019s encoding: not shown)', existing: home.existing === null ? null : '(not shown)' });
      }
      const notices = await secretBackupNotices(request.dir, bundleFile ? [...files, bundleFile] : files);
      return { dir: request.dir, files: previews, warnings: [...warnings, ...notices], equivalentCommands: commandsFor(request) };
    },

    async writeExport(request: MethodParsedInput<'writeExport'>): Promise<MethodOutput<'writeExport'>> {
      const { files, warnings, homeFile, nextSteps, account } = await plan(request);
      const withBundle = request.bundle ? [...files, bundleOf(files, homeFile, deps.now())] : files;
      const written = await writeJobFiles({ account, outDir: request.dir, files: withBundle, homeFile, overwrite: request.overwrite, logDir: request.job?.logDir });
      deps.access.touchProfile(request.profileId, (p) => ({
        ...p,
        step: 'done',
        exportOptions: { dir: request.dir, platforms: request.platforms, passwordSource: request.passwordSource, passwordEnvVar: request.passwordEnvVar },
      }));
      return {
        files: written.files,
        warnings: [...warnings, ...written.warnings],
        equivalentCommands: commandsFor(request),
        nextSteps: [...handOverSteps(account, written.handOverCommands), ...nextSteps],
        runAs: account.name,
        handOverCommands: written.handOverCommands,
      };
    },
  };
}
