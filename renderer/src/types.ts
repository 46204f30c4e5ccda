import type { MethodOutput } from '../../main/contract';

export type AppInfo = MethodOutput<'appInfo'>;
export type Region = MethodOutput<'listRegions'>['regions'][number];
export type PublicSettings = MethodOutput<'getSettings'>;
export type Profile = PublicSettings['profiles'][number];
export type LoginResult = MethodOutput<'loginBasic'>;
export type ExportPreview = MethodOutput<'previewExport'>;
export type ExportWritten = MethodOutput<'writeExport'>;
export type StepId = Profile['step'];

export const STEPS: ReadonlyArray<{ id: StepId; label: string }> = [
  { id: 'account', label: 'Account and region' },
  { id: 'method', label: 'Sign-in method' },
  { id: 'credentials', label: 'Credentials' },
  { id: 'login', label: 'Test login' },
  { id: 'target', label: 'Workspace and model' },
  { id: 'export', label: 'Export' },
  { id: 'done', label: 'Done' },
];

export function stepIndex(step: StepId): number {
  return STEPS.findIndex((s) => s.id === step);
}
