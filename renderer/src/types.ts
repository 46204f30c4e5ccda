import type { MethodOutput } from '../../main/contract';

export type AppInfo = MethodOutput<'appInfo'>;
export type Region = MethodOutput<'listRegions'>['regions'][number];
export type PublicSettings = MethodOutput<'getSettings'>;
export type Profile = PublicSettings['profiles'][number];
/** What a login shows (`passwordStored` only from a Basic login). */
export type LoginResult = MethodOutput<'loginCertificate'> & { passwordStored?: boolean };
export type ExportPreview = MethodOutput<'previewExport'>;
export type ExportWritten = MethodOutput<'writeExport'>;
export type StepId = Profile['step'];

export type CaProfile = MethodOutput<'listCaProfiles'>['profiles'][number];
export type CertificateRequest = Profile['certificateRequests'][number];
export type AuthMethod = NonNullable<Profile['authMethod']>;

export interface Step {
  id: StepId;
  label: string;
}

const ALL_STEPS: readonly StepId[] = ['account', 'method', 'credentials', 'import', 'login', 'target', 'export', 'done'];

/** Each auth method walks its own steps; before a method is chosen the Basic path is shown. */
export function stepsFor(method: AuthMethod | null): Step[] {
  const common = (credentials: string): Step[] => [
    { id: 'account', label: 'Account and region' },
    { id: 'method', label: 'Sign-in method' },
    { id: 'credentials', label: credentials },
  ];
  const tail: Step[] = [
    { id: 'login', label: 'Test login' },
    { id: 'target', label: 'Workspace and model' },
    { id: 'export', label: 'Export' },
    { id: 'done', label: 'Done' },
  ];
  if (method === 'certificate') return [...common('Key and request (CSR)'), { id: 'import', label: 'Import certificate' }, ...tail];
  if (method === 'oauth') return [...common('Device sign-in'), ...tail];
  return [...common('Credentials'), ...tail];
}

/** Position in the overall order: every method's steps are a subsequence of it. */
export function stepIndex(step: StepId): number {
  return ALL_STEPS.indexOf(step);
}

export function stepLabel(step: StepId, method: AuthMethod | null): string {
  return stepsFor(method).find((s) => s.id === step)?.label ?? step;
}
