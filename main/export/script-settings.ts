import type { ExportSettings } from './generated-file.js';

/**
 * The settings block at the top of both scripts, as data: the .sh and the .bat render the same
 * list in their own dialect, so a setting added here appears in both.
 */
export type SettingLine =
  | { kind: 'comment'; text: string }
  | { kind: 'set'; name: string; value: string; field: string; javaArgument: boolean };

export interface Dialect {
  /** "AnaplanClient.sh" or "AnaplanClient.bat" */
  client: string;
  /** How the owner keeps a file holding the password private on this platform. */
  privateFileAdvice: string;
}

const comment = (text: string): SettingLine => ({ kind: 'comment', text });
const set = (name: string, value: string, field: string, javaArgument = true): SettingLine => ({ kind: 'set', name, value, field, javaArgument });

export function credentialSettingLines(settings: ExportSettings, dialect: Dialect): SettingLine[] {
  switch (settings.method) {
    case 'basic': {
      const user = [comment('The Anaplan user (email) the job signs in as.'), set('AnaplanUser', settings.user, 'The user')];
      const { password } = settings;
      switch (password.source) {
        case 'env':
          return [
            ...user,
            comment('Name of the environment variable that holds the password when the job runs (not the password).'),
            set('PasswordVariable', password.envVar, 'The password environment variable', false),
          ];
        case 'prompt':
          return [...user, comment('No password here: Anaplan Connect asks for it, so someone must be at the keyboard.')];
        case 'inline':
          return [
            ...user,
            comment(`The password, in clear text as you chose: ${dialect.privateFileAdvice}.`),
            set('AnaplanPassword', password.value, 'The password'),
          ];
      }
    }
  }
}

export function connectionSettingLines(settings: ExportSettings, dialect: Dialect): SettingLine[] {
  return [
    comment('Anaplan integration API (-service) and authentication service (-auth).'),
    set('ServiceUrl', settings.serviceUrl, 'The service URL'),
    set('AuthUrl', settings.authUrl, 'The auth URL'),
    comment('Workspace and model IDs (32 hexadecimal characters). Empty: none is passed.'),
    set('WorkspaceId', settings.workspaceId ?? '', 'The workspace ID'),
    set('ModelId', settings.modelId ?? '', 'The model ID'),
    comment(`Folder holding ${dialect.client}. Empty: the folder this script is in.`),
    set('AnaplanConnectDir', '', 'The Anaplan Connect folder', false),
  ];
}
