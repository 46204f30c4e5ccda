import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { requireEndpoint, resolveEndpoints } from '../anaplan/endpoints.js';
import { findRegion } from '../anaplan/regions.js';
import {
  buildAnaplanConnectFiles,
  anaplanConnectExportWarnings as exportWarnings,
  anaplanConnectNextSteps,
  type NextStep,
  type AnaplanConnectExportInput,
  type BasicExportInput,
  type CertificateCredentials,
  type ConnectionOptions,
  type GeneratedFile,
  type JobSchedule,
} from '../export/index.js';
import { secretHeldIn } from '../export/inline-secret.js';
import { encodeKeystoreAccess, keystoreAccessPath } from '../export/keystore-access.js';
import { tokenStoreFileName } from '../anaplan/token-store.js';
import { writeFilesSafelyReporting, type FileToWrite, type WithheldBackup, type WrittenFile } from '../fs/atomic.js';
import { buildZip } from '../fs/zip.js';
import type { Platform, Profile } from '../store/settings-schema.js';
import { currentAccountName } from './account.js';
import { AppError } from '../errors.js';

export interface BasicExportChoice {
  platforms: Platform[];
  passwordSource: 'env' | 'prompt' | 'inline';
  passwordEnvVar: string;
  password?: string | undefined;
}

export interface ExportTarget {
  email: string;
  endpoints: Profile['endpoints'];
  workspaceId?: string | undefined;
  modelId?: string | undefined;
  profileName?: string | undefined;
  /** The Anaplan Connect actions, in order; empty leaves Operation for the person to fill in. */
  operation?: string[] | undefined;
  /** Where and how the job runs on the server: proxy and retries, folders, log, failure hook, schedule. */
  job?: JobOptions | undefined;
  /** The folder the files are written to (absolute): the schedule names the script there. */
  jobDir?: string | undefined;
}

export interface JobOptions {
  connection?: ConnectionOptions | undefined;
  anaplanConnectDir?: string | undefined;
  javaHome?: string | undefined;
  logDir?: string | undefined;
  onFailure?: string | undefined;
  schedule?: JobSchedule | undefined;
}

export interface ExportPlan {
  files: GeneratedFile[];
  warnings: string[];
  /** Before tonight's run: what is left to do, for this method, with the real paths. */
  nextSteps: NextStep[];
}

/**
 * What every method's export shares: where Anaplan Connect connects to, and for which model.
 * For the device grant `-auth` is the OAuth host: Anaplan Connect calls {auth}/oauth/... (anaplan-facts §5).
 */
function commonInput(target: ExportTarget, platforms: Platform[], generatedBy: string, now: Date, auth: 'authUrl' | 'oauthUrl' = 'authUrl') {
  const endpoints = resolveEndpoints(target.endpoints);
  return {
    serviceUrl: requireEndpoint(endpoints, 'apiUrl'),
    authUrl: requireEndpoint(endpoints, auth),
    workspaceId: target.workspaceId,
    modelId: target.modelId,
    platforms,
    profileName: target.profileName,
    regionName: endpoints.regionId ? findRegion(endpoints.regionId)?.name : undefined,
    operation: target.operation ?? [],
    ...definedOnly(target.job ?? {}),
    ...(target.jobDir ? { jobDir: target.jobDir } : {}),
    ...(currentAccountName() ? { currentAccount: currentAccountName() } : {}),
    // Boomi and Informatica use the same credentials: every export says what they need (anaplan-facts §6).
    integrationGuides: ['boomi', 'informatica'] as Array<'boomi' | 'informatica'>,
    generatedBy,
    generatedAt: now,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}


function plan(input: AnaplanConnectExportInput): ExportPlan {
  return { files: buildAnaplanConnectFiles(input), warnings: exportWarnings(input), nextSteps: anaplanConnectNextSteps(input) };
}

/** Turns a profile (or CLI flags) and the user's choices into the files of an Anaplan Connect job. */
export function planBasicExport(target: ExportTarget, choice: BasicExportChoice, generatedBy: string, now: Date): ExportPlan {
  if (!target.email) throw new AppError('bad_input', 'The profile has no Anaplan user email yet. Enter it on the Account step (CLI: --user).');
  return plan({ method: 'basic', user: target.email, password: passwordChoice(choice), ...commonInput(target, choice.platforms, generatedBy, now) });
}

export interface CertificateExportChoice {
  platforms: Platform[];
  credentials: CertificateCredentials;
  certificateNotAfter?: string | undefined;
}

/** The certificate job: a keystore, or the certificate and key files (anaplan-facts §5). */
export function planCertificateExport(target: ExportTarget, choice: CertificateExportChoice, generatedBy: string, now: Date): ExportPlan {
  return plan({
    method: 'certificate',
    ...(target.email ? { user: target.email } : {}),
    ...(choice.certificateNotAfter ? { certificateNotAfter: choice.certificateNotAfter } : {}),
    credentials: choice.credentials,
    ...commonInput(target, choice.platforms, generatedBy, now),
  });
}

export interface OAuthExportChoice {
  platforms: Platform[];
  clientId: string;
  rotatable: boolean;
  tokenStoreDir: string;
  refreshTokenExpiresAt?: string | undefined;
}

/** The device-grant job: Anaplan Connect finds the refresh token through AC_OAUTH_KEYSTORE_DIR. */
export function planOAuthExport(target: ExportTarget, choice: OAuthExportChoice, generatedBy: string, now: Date): ExportPlan {
  return plan({
    method: 'oauth',
    ...(target.email ? { user: target.email } : {}),
    clientId: choice.clientId,
    rotatable: choice.rotatable,
    tokenStoreDir: choice.tokenStoreDir,
    tokenStoreFile: tokenStoreFileName(choice.clientId),
    ...(choice.refreshTokenExpiresAt ? { refreshTokenExpiresAt: choice.refreshTokenExpiresAt } : {}),
    ...commonInput(target, choice.platforms, generatedBy, now, 'oauthUrl'),
  });
}

/** A file written outside the export folder: keystore-access.txt in the job account's home. */
export interface HomeFile {
  dir: string;
  file: GeneratedFile;
}

export interface ExportWriteResult {
  files: WrittenFile[];
  /** What the person must know about the write itself: backups of secrets that were not kept. */
  warnings: string[];
}

/**
 * Writes the job's files, and keystore-access.txt into the job account's home when there is one.
 * Both destinations are checked before either is written, so a refusal leaves everything as it was.
 * A replaced file that held a secret (a script with one written inline, or a bundle carrying
 * one) is not kept as a .bak: a forgotten copy of a password is worse than no copy.
 */
export async function writeExportFiles(dir: string, files: readonly FileToWrite[], homeFile: HomeFile | null, overwrite: boolean): Promise<ExportWriteResult> {
  if (homeFile && !overwrite) {
    const [existing] = await previewFiles(homeFile.dir, [homeFile.file]);
    if (existing?.status === 'changed') {
      throw new AppError(
        'file_exists',
        `${join(homeFile.dir, homeFile.file.name)} already holds another keystore password. Confirm replacing it (CLI: --overwrite; a numbered .bak copy is kept), or choose the home folder of another account (CLI: --job-home). Nothing was written.`,
      );
    }
  }
  const report = await writeFilesSafelyReporting(dir, files, { overwrite, reasonNotToKeepBackup: secretHeldIn });
  const written = report.files;
  const warnings = [...report.warnings, ...report.withheldBackups.map(withheldBackupWarning)];
  // keystore-access.txt keeps its backup: it is where Anaplan Connect looks, for every job of that account.
  if (homeFile) {
    const home = await writeFilesSafelyReporting(homeFile.dir, [homeFile.file], { overwrite });
    written.push(...home.files);
    warnings.push(...home.warnings);
  }
  return { files: written, warnings };
}

function withheldBackupWarning({ path, reason }: WithheldBackup): string {
  return `The previous ${basename(path)} held ${reason}; it was replaced and not kept as a backup.`;
}

/**
 * For the review, before anything is written: the files that will be replaced without a backup
 * because they hold a secret.
 */
export async function secretBackupNotices(dir: string, files: readonly FileToWrite[]): Promise<string[]> {
  const notices: string[] = [];
  for (const file of files) {
    const existing = await readBytesIfPresent(join(dir, file.name));
    if (existing === null || existing.equals(typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content)) continue;
    const held = secretHeldIn(file.name, existing);
    if (held !== null) notices.push(`${file.name} in ${dir} holds ${held}: if you replace it, no backup of it is kept.`);
  }
  return notices;
}

export const BUNDLE_NAME = 'anaplan-connect-job.zip';

/**
 * The whole job as one file to copy to the integration server. keystore-access.txt travels under
 * home/.anaplan/api-client/, to be placed in the home of the account that runs the job.
 */
export function bundleOf(files: GeneratedFile[], homeFile: HomeFile | null, now: Date): FileToWrite {
  const entries = files.map((file) => ({ name: file.name, content: file.content, mode: file.mode }));
  if (homeFile) entries.push({ name: `home/.anaplan/api-client/${homeFile.file.name}`, content: homeFile.file.content, mode: homeFile.file.mode });
  const holdsSecret = entries.some((entry) => (entry.mode & 0o077) === 0 && entry.name !== 'README.md');
  // Dated to the day, like the generated headers, so re-exporting the same job compares as unchanged.
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return { name: BUNDLE_NAME, content: buildZip(entries, day), mode: holdsSecret ? 0o600 : 0o644 };
}

/**
 * Anaplan Connect reads the keystore password from ~/.anaplan/api-client/keystore-access.txt of
 * the account that runs the job (anaplan-facts §5): this is that file, for that account's home.
 */
export function keystoreAccessFile(jobHome: string, keystorePassword: string): HomeFile {
  const path = keystoreAccessPath(jobHome);
  return { dir: dirname(path), file: { name: basename(path), content: `${encodeKeystoreAccess(keystorePassword)}\n`, mode: 0o600 } };
}

function passwordChoice(choice: BasicExportChoice): BasicExportInput['password'] {
  if (choice.passwordSource === 'inline') {
    if (!choice.password) throw new AppError('bad_input', 'You chose to write the password into the script, but no password was given.');
    return { source: 'inline', value: choice.password };
  }
  if (choice.passwordSource === 'prompt') return { source: 'prompt' };
  return { source: 'env', envVar: choice.passwordEnvVar };
}

export type PreviewStatus = 'new' | 'same' | 'changed';

/** What writing would do to each file, read from disk; nothing is written. */
export async function previewFiles(dir: string, files: readonly FileToWrite[]) {
  return Promise.all(
    files.map(async (file) => {
      const existing = await readIfPresent(join(dir, file.name));
      const content = typeof file.content === 'string' ? file.content : Buffer.from(file.content).toString('utf8');
      const status: PreviewStatus = existing === null ? 'new' : existing === content ? 'same' : 'changed';
      return { name: file.name, content, mode: file.mode, status, existing };
    }),
  );
}

async function readIfPresent(path: string): Promise<string | null> {
  return (await readBytesIfPresent(path))?.toString('utf8') ?? null;
}

/**
 * The bytes of the file at path, null when there is none. Anything but a regular file is refused
 * as the writer (main/fs/atomic.ts) refuses it: a link is never followed, so a folder holding
 * `README.md -> /root/secret` shows nobody that secret, and a FIFO or device is never opened for
 * reading (it could block the preview, or be endless).
 */
async function readBytesIfPresent(path: string): Promise<Buffer | null> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw cannotRead(path, error);
  }
  if (!stats.isFile()) throw notARegularFile(path);
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a link swapped in after the lstat is refused too (ELOOP), not followed.
    // O_NONBLOCK: so is a FIFO swapped in, without waiting for a writer. (Both 0 on Windows.)
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP' || code === 'EMLINK') throw notARegularFile(path);
    throw cannotRead(path, error);
  }
  try {
    if (!(await handle.stat()).isFile()) throw notARegularFile(path);
    return await handle.readFile();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw cannotRead(path, error);
  } finally {
    await handle.close();
  }
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function cannotRead(path: string, error: unknown): AppError {
  return new AppError('io', `Cannot read ${path} (${errnoOf(error) ?? 'error'}). Check the folder's permissions.`);
}

function notARegularFile(path: string): AppError {
  return new AppError(
    'file_exists',
    `${path} already exists and is not a regular file (it is a folder, link or device), so it is neither shown nor replaced: its content is not read. Choose another folder, or move it away first.`,
    { path },
  );
}
