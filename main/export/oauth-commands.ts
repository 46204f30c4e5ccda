import type { OAuthExportInput } from './input.js';
import { TOKEN_STORE_DIR_ENV } from './oauth-token-store.js';
import { shQuote } from './shell-quote.js';

/**
 * The command lines README.md gives for an OAuth job: the assistant's device sign-in, and Anaplan
 * Connect's own re-registration with --forceRegister. One line each, values quoted for the shell
 * they are typed into.
 */

type Shell = 'sh' | 'cmd';

/** A word for a Windows command line: double quotes, trailing backslashes doubled (the C runtime reads `\"` as a quote). */
function cmdWord(value: string): string {
  const trailing = /\\*$/.exec(value)?.[0] ?? '';
  return `"${value}${trailing}"`;
}

function word(value: string, shell: Shell): string {
  return shell === 'sh' ? shQuote(value, 'A README command') : cmdWord(value);
}

/** `anaplan-setup oauth ...`: the assistant's device sign-in, writing the token store into the job's folder. */
export function assistantSignInCommand(settings: OAuthExportInput, shell: Shell): string {
  return [
    'anaplan-setup oauth --client-id',
    word(settings.clientId, shell),
    ...(settings.rotatable ? ['--rotatable'] : []),
    '--token-store-dir',
    word(settings.tokenStoreDir, shell),
    '--oauth-url',
    word(settings.authUrl, shell),
  ].join(' ');
}

/**
 * The job's own auth and connection options, then `--forceRegister`, then `-W` (anaplan-facts §5:
 * arguments are read left to right and --forceRegister acts at once, so it must follow every auth
 * option; -W, an action, lists the workspaces with the new token and gives Anaplan Connect
 * something to do). Options paired with their value, if any.
 */
function forceRegisterOptions(settings: OAuthExportInput): Array<[string, string?]> {
  return [
    ['-service', settings.serviceUrl],
    ['-auth', settings.authUrl],
    ['-oauth-client-id', settings.clientId],
    ...(settings.rotatable ? [['--rotatable'] as [string]] : []),
    ...(settings.workspaceId ? [['-workspace_id', settings.workspaceId] as [string, string]] : []),
    ...(settings.modelId ? [['-model_id', settings.modelId] as [string, string]] : []),
    ['--forceRegister'],
    ['-W'],
  ];
}

/** The argv Anaplan Connect receives from the re-registration command. */
export function forceRegisterArguments(settings: OAuthExportInput): string[] {
  return forceRegisterOptions(settings).flatMap(([option, value]) => (value === undefined ? [option] : [option, value]));
}

function commandArguments(settings: OAuthExportInput, shell: Shell): string {
  return forceRegisterOptions(settings)
    .map(([option, value]) => (value === undefined ? option : `${option} ${word(value, shell)}`))
    .join(' ');
}

/** Linux, in the Anaplan Connect folder: one line, the token store folder given for this command only. */
export function forceRegisterShCommand(settings: OAuthExportInput): string {
  return `${TOKEN_STORE_DIR_ENV}=${shQuote(settings.tokenStoreDir, 'The token store folder')} ./AnaplanClient.sh ${commandArguments(settings, 'sh')}`;
}

/** Windows command prompt, in the Anaplan Connect folder: two lines. */
export function forceRegisterCmdCommands(settings: OAuthExportInput): [string, string] {
  return [`set "${TOKEN_STORE_DIR_ENV}=${settings.tokenStoreDir}"`, `.\\AnaplanClient.bat ${commandArguments(settings, 'cmd')}`];
}

/** The token store's full path as the job sees it, for reading (Anaplan Connect joins folder, separator and name). */
export function tokenStorePath(dir: string, name: string): string {
  const separator = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}${separator}${name}`;
}
