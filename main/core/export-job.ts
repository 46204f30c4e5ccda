import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireEndpoint, resolveEndpoints } from '../anaplan/endpoints.js';
import { findRegion } from '../anaplan/regions.js';
import { buildAnaplanConnectFiles, anaplanConnectExportWarnings as exportWarnings, type AnaplanConnectExportInput, type BasicExportInput, type GeneratedFile } from '../export/index.js';
import type { Platform, Profile } from '../store/settings-schema.js';
import { AppError } from './errors.js';

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
}

/** Turns a profile (or CLI flags) and the user's choices into the files of an Anaplan Connect job. */
export function planBasicExport(target: ExportTarget, choice: BasicExportChoice, generatedBy: string, now: Date): { files: GeneratedFile[]; warnings: string[] } {
  if (!target.email) throw new AppError('bad_input', 'The profile has no Anaplan user email yet. Enter it on the Account step (CLI: --user).');
  const endpoints = resolveEndpoints(target.endpoints);
  const input: AnaplanConnectExportInput = {
    method: 'basic',
    user: target.email,
    password: passwordChoice(choice),
    serviceUrl: requireEndpoint(endpoints, 'apiUrl'),
    authUrl: requireEndpoint(endpoints, 'authUrl'),
    workspaceId: target.workspaceId,
    modelId: target.modelId,
    platforms: choice.platforms,
    profileName: target.profileName,
    regionName: endpoints.regionId ? findRegion(endpoints.regionId)?.name : undefined,
    generatedBy,
    generatedAt: now,
  };
  return { files: buildAnaplanConnectFiles(input), warnings: exportWarnings(input) };
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
export async function previewFiles(dir: string, files: GeneratedFile[]) {
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
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AppError('io', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check the folder's permissions.`);
  }
}
