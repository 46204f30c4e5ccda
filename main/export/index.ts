import { writeFilesSafely, type WrittenFile } from '../fs/atomic.js';
import { buildAnaplanConnectFiles } from './anaplan-connect-script.js';
import type { AnaplanConnectExportRequest } from './input.js';

export { anaplanConnectExportWarnings, anaplanConnectNextSteps, buildAnaplanConnectFiles } from './anaplan-connect-script.js';
export type { NextStep } from './before-tonight.js';
export {
  BAT_SCRIPT_NAME,
  BOOMI_GUIDE_NAME,
  CRONTAB_NAME,
  INFORMATICA_GUIDE_NAME,
  README_NAME,
  SCHTASKS_NAME,
  SH_SCRIPT_NAME,
  type GeneratedFile,
} from './generated-file.js';
export {
  AnaplanConnectExportInputSchema,
  DEFAULT_KEY_PASSPHRASE_ENV_VAR,
  DEFAULT_PASSWORD_ENV_VAR,
  parseAnaplanConnectExportInput,
  type AnaplanConnectExportInput,
  type AnaplanConnectExportRequest,
  type BasicExportInput,
  type BasicExportRequest,
  type CertificateCredentials,
  type CertificateExportInput,
  type CertificateExportRequest,
  type ConnectionOptions,
  type ExportPlatform,
  type IntegrationGuide,
  type JobSchedule,
  type KeyPassphraseSource,
  type KeystorePasswordSource,
  type OAuthExportInput,
  type OAuthExportRequest,
  type PasswordSource,
} from './input.js';
export { TOKEN_STORE_DIR_ENV, tokenStoreFileName } from './oauth-token-store.js';
export { composeOperation, type OperationPreset } from './operation.js';

/** Builds the export and writes it into `dir` (created 0700 if missing) with writeFilesSafely. */
export async function writeAnaplanConnectExport(
  dir: string,
  input: AnaplanConnectExportRequest,
  options: { overwrite: boolean },
): Promise<WrittenFile[]> {
  return writeFilesSafely(dir, buildAnaplanConnectFiles(input), options);
}
