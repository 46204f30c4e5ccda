import { batOperationWord, batRem, batSetLine } from './batch-quote.js';
import { describeTarget, type ExportSettings } from './generated-file.js';
import type { CertificateCredentials, OAuthExportInput } from './input.js';
import { KEYSTORE_ACCESS_RELATIVE_PATH } from './keystore-access.js';
import { TOKEN_STORE_DIR_ENV, tokenStoreFileName } from './oauth-token-store.js';
import {
  connectionSettingLines,
  credentialHeaderNotes,
  credentialSettingLines,
  scriptMethodTitle,
  type Dialect,
  type SettingLine,
} from './script-settings.js';

/**
 * anaplan-connect.bat, the twin of anaplan-connect.sh, modelled on Anaplan Connect's example.bat
 * (anaplan-facts §5). CRLF throughout. No parenthesised blocks: a ")" in a value would end them.
 */
export function buildBatScript(settings: ExportSettings): string {
  const lines = [
    ...header(settings),
    '',
    ...[...credentialSettingLines(settings, BAT), ...connectionSettingLines(settings, BAT)].map(renderBat),
    '',
    ...operationSettings(settings),
    '',
    'rem ___ Do not edit below this line ___',
    '',
    ...enterAnaplanConnectDir(),
    ...credentialChecks(settings),
    'if not defined Operation goto :no_operation',
    '',
    ...runAnaplanConnect(settings),
    '',
    ...errorLabels(settings),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

function header(settings: ExportSettings): string[] {
  return [
    '@echo off',
    batRem(`Anaplan Connect job: ${scriptMethodTitle(settings)}.`),
    ...describeTarget(settings).map((line) => batRem(line, 'The header')),
    ...credentialHeaderNotes(settings).map((line) => batRem(line, 'The header')),
    batRem('Next steps: see README.md, written next to this script.'),
    'rem',
    'rem Settings: edit the values after "=", keeping the double quotes around the whole setting.',
    'rem Write a percent sign in a value twice (%%). A value must not contain " or !.',
    // Settings are read literally: "!" must not be special here, whatever the machine's default.
    'setlocal EnableExtensions DisableDelayedExpansion',
  ];
}

const BAT: Dialect = {
  client: 'AnaplanClient.bat',
  privateFileAdvice: 'keep this file readable by you only',
  // Not %USERPROFILE%: batRem would have to write it %%USERPROFILE%%.
  keystoreAccessLocation: [KEYSTORE_ACCESS_RELATIVE_PATH.replaceAll('/', '\\'), 'in the profile folder (USERPROFILE)'],
  privateFolderAdvice: 'the account that runs this job (no other account in its permissions)',
};

function renderBat(line: SettingLine): string {
  return line.kind === 'comment' ? batRem(line.text) : batSetLine(line.name, line.value, line.field, { javaArgument: line.javaArgument });
}

function operationSettings(settings: ExportSettings): string[] {
  const words = settings.operation.map((word, index) => batOperationWord(word, `Operation word ${index + 1}`));
  return [
    'rem What Anaplan Connect should do. Values with spaces go in double quotes; actions run in the',
    'rem order written. Examples (remove "rem " from one line):',
    'rem   List the workspaces the user can reach (tests the connection and login, changes nothing):',
    'rem set Operation=-W',
    'rem   Upload a file and run an import:',
    'rem set Operation=-file "Sales.csv" -put "C:\\data\\Sales.csv" -import "Sales from Sales.csv" -execute',
    'rem   Run a process:',
    'rem set Operation=-process "Nightly Load" -execute',
    'rem   Run an export and download the result:',
    'rem set Operation=-export "Actuals.csv" -execute -get "C:\\data\\Actuals.csv"',
    words.length === 0 ? 'set Operation=' : `set Operation=${words.join(' ')}`,
  ];
}

function enterAnaplanConnectDir(): string[] {
  return [
    'if not defined AnaplanConnectDir set "AnaplanConnectDir=%~dp0"',
    'cd /d "%AnaplanConnectDir%" || goto :no_folder',
    'if not exist ".\\AnaplanClient.bat" goto :no_client',
  ];
}

function credentialChecks(settings: ExportSettings): string[] {
  switch (settings.method) {
    case 'basic':
      return settings.password.source === 'env'
        ? ['if not defined PasswordVariable goto :no_password', 'if not defined %PasswordVariable% goto :no_password']
        : [];
    case 'certificate':
      return certificateCredentialChecks(settings.credentials);
    case 'oauth':
      return oauthCredentialChecks(settings);
  }
}

// anaplan-facts §5: without a refresh token in its store Anaplan Connect starts a console device
// registration that nobody approves in a scheduled task, so the script stops first. The file's
// name comes from the client ID (ks_ + hex SHA-512/256 + .jks), computed here for this one.
// One line each, no parenthesised blocks: a ")" in a path would end them.
function oauthCredentialChecks(settings: OAuthExportInput): string[] {
  return [
    'set "RotatableOption="',
    'if /i "%Rotatable%"=="yes" set "RotatableOption=--rotatable"',
    'if /i not "%Rotatable%"=="yes" if /i not "%Rotatable%"=="no" goto :bad_rotatable',
    `if not "%ClientId%"=="${settings.clientId}" goto :client_changed`,
    `set "TokenStoreName=${tokenStoreFileName(settings.clientId)}"`,
    'if not defined TokenStoreDir goto :no_token_store_dir',
    'if not exist "%TokenStoreDir%\\%TokenStoreName%" goto :no_token_store',
  ];
}

/** Java's user.home on Windows is the profile folder, %USERPROFILE%. */
const KEYSTORE_ACCESS_FILE = `%USERPROFILE%\\${KEYSTORE_ACCESS_RELATIVE_PATH.replaceAll('/', '\\')}`;

// One line each, no parenthesised blocks: a ")" in a path would end them.
function certificateCredentialChecks(credentials: CertificateCredentials): string[] {
  switch (credentials.form) {
    case 'keystore':
      return [
        'if not exist "%KeystoreFile%" goto :no_keystore',
        ...(credentials.keystorePassword.source === 'file' ? [`if not exist "${KEYSTORE_ACCESS_FILE}" goto :no_keystore_access`] : []),
      ];
    case 'pem':
      return [
        'if not exist "%CertificateFile%" goto :no_certificate',
        'if not exist "%PrivateKeyFile%" goto :no_private_key',
        ...(credentials.keyPassphrase.source === 'env'
          ? ['if not defined KeyPassphraseVariable goto :no_passphrase', 'if not defined %KeyPassphraseVariable% goto :no_passphrase']
          : []),
      ];
  }
}

// anaplan-facts §5: arguments are read left to right and actions run as they are read, so the
// credentials and every connection option come before the Operation.
function runAnaplanConnect(settings: ExportSettings): string[] {
  if (settings.method === 'oauth') return runOAuthAnaplanConnect();
  return [
    'set "WorkspaceOption="',
    'if defined WorkspaceId set WorkspaceOption=-workspace_id "%WorkspaceId%"',
    'set "ModelOption="',
    'if defined ModelId set ModelOption=-model_id "%ModelId%"',
    '',
    'rem Anaplan Connect runs actions as soon as it reads them, left to right, so every connection',
    'rem and auth option goes before the Operation.',
    // %%Name%% becomes %Name% when this line is read and is expanded by CALL's own second pass,
    // after carets were doubled and the line was split: a value's % and ^ arrive unchanged.
    `call .\\AnaplanClient.bat ${credentialArguments(settings)} -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" %%WorkspaceOption%% %%ModelOption%% %%Operation%%`,
    'exit /b %ERRORLEVEL%',
  ];
}

// anaplan-facts §5: -auth is the OAuth host; -oauth-client-id and --rotatable are auth options, so
// they too come before the Operation. --forceRegister never: it would delete the stored token and
// wait for a device sign-in on every run. AC_OAUTH_KEYSTORE_DIR is set inside setlocal.
function runOAuthAnaplanConnect(): string[] {
  return [
    'set "WorkspaceOption="',
    'if defined WorkspaceId set WorkspaceOption=-workspace_id "%WorkspaceId%"',
    'set "ModelOption="',
    'if defined ModelId set ModelOption=-model_id "%ModelId%"',
    '',
    `rem Anaplan Connect reads the refresh token from ${TOKEN_STORE_DIR_ENV}\\TokenStoreName, not from the profile folder.`,
    `set "${TOKEN_STORE_DIR_ENV}=%TokenStoreDir%"`,
    'rem Anaplan Connect runs actions as soon as it reads them, left to right, so every connection',
    'rem and auth option goes before the Operation. Never --forceRegister here, see README.md.',
    'call .\\AnaplanClient.bat -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" -oauth-client-id "%%ClientId%%" %%RotatableOption%% %%WorkspaceOption%% %%ModelOption%% %%Operation%%',
    'exit /b %ERRORLEVEL%',
  ];
}

function credentialArguments(settings: Exclude<ExportSettings, OAuthExportInput>): string {
  switch (settings.method) {
    case 'basic':
      // anaplan-facts §5: -user user[:password], split at the first ":"; without one it prompts.
      switch (settings.password.source) {
        case 'env':
          // %%%PasswordVariable%%% -> %ANAPLAN_PASSWORD% on the first pass -> the password in CALL's.
          return '-user "%%AnaplanUser%%:%%%PasswordVariable%%%"';
        case 'prompt':
          return '-user "%%AnaplanUser%%"';
        case 'inline':
          return '-user "%%AnaplanUser%%:%%AnaplanPassword%%"';
      }
    case 'certificate':
      return certificateArguments(settings.credentials);
  }
}

// anaplan-facts §5: `-keystore <file> -keystorealias <alias> [-keystorepass <password>]`, or
// `-certificate <file> -privatekey <file>:<passphrase>` split at the LAST ":", so a drive colon
// (C:\keys\key.pem:secret) is kept and an unencrypted key still gets the trailing colon.
function certificateArguments(credentials: CertificateCredentials): string {
  switch (credentials.form) {
    case 'keystore': {
      const keystore = '-keystore "%%KeystoreFile%%" -keystorealias "%%KeystoreAlias%%"';
      return credentials.keystorePassword.source === 'inline' ? `${keystore} -keystorepass "%%KeystorePassword%%"` : keystore;
    }
    case 'pem': {
      const passphrase = { none: '', env: '%%%KeyPassphraseVariable%%%', inline: '%%KeyPassphrase%%' }[credentials.keyPassphrase.source];
      return `-certificate "%%CertificateFile%%" -privatekey "%%PrivateKeyFile%%:${passphrase}"`;
    }
  }
}

function errorLabels(settings: ExportSettings): string[] {
  const lines = [
    ':no_folder',
    '>&2 echo ERROR: cannot open the folder "%AnaplanConnectDir%". Set AnaplanConnectDir at the top of this script to the Anaplan Connect folder, the one holding AnaplanClient.bat.',
    'exit /b 1',
    '',
    ':no_client',
    '>&2 echo ERROR: AnaplanClient.bat was not found in "%AnaplanConnectDir%". Copy this script into the Anaplan Connect folder, or set AnaplanConnectDir at the top of this script to that folder.',
    'exit /b 1',
    '',
    ':no_operation',
    '>&2 echo ERROR: Operation is empty, so Anaplan Connect would have nothing to do. Fill in Operation at the top of this script, see the examples there, then run it again.',
    'exit /b 2',
  ];
  if (settings.method === 'basic' && settings.password.source === 'env') {
    lines.push(
      '',
      ':no_password',
      '>&2 echo ERROR: the environment variable "%PasswordVariable%" is not set, so there is no password for "%AnaplanUser%". Set it for the account that runs this job, see README.md, then run this script again.',
      'exit /b 2',
    );
  }
  if (settings.method === 'certificate') lines.push(...certificateErrorLabels(settings.credentials));
  if (settings.method === 'oauth') lines.push(...oauthErrorLabels(settings));
  return lines;
}

// No ( ) < > | & outside double quotes: cmd.exe would read them as syntax in an echo line.
function oauthErrorLabels(settings: OAuthExportInput): string[] {
  const label = (name: string, message: string) => ['', `:${name}`, `>&2 echo ERROR: ${message}`, 'exit /b 2'];
  return [
    ...label('bad_rotatable', 'Rotatable is "%Rotatable%". Set it at the top of this script to yes, the OAuth client\'s refresh tokens rotate, or no, they do not, as set on the client in Anaplan.'),
    ...label(
      'client_changed',
      `ClientId was changed to "%ClientId%" after this script was generated for ${settings.clientId}. Anaplan Connect keeps each client's refresh token in a file named after the client ID, which this script was written for: sign in with the new client, anaplan-setup oauth --client-id ID --token-store-dir FOLDER, and export the job again.`,
    ),
    ...label('no_token_store_dir', 'TokenStoreDir is empty. Set it at the top of this script to the full path of the folder holding "%TokenStoreName%", Anaplan Connect\'s token store for this client.'),
    ...label(
      'no_token_store',
      'the OAuth token store "%TokenStoreDir%\\%TokenStoreName%" was not found. Without it Anaplan Connect would start a device sign-in that nobody approves in a scheduled task. Create it once: run the assistant\'s device sign-in again, anaplan-setup oauth --client-id %ClientId% %RotatableOption% --token-store-dir "%TokenStoreDir%" --oauth-url "%AuthUrl%", so that the account "%USERNAME%" can read and write the file, or from a command prompt on this machine, as "%USERNAME%", run Anaplan Connect with this job\'s options and --forceRegister. The exact command is in README.md.',
    ),
  ];
}

function certificateErrorLabels(credentials: CertificateCredentials): string[] {
  const label = (name: string, message: string) => ['', `:${name}`, `>&2 echo ERROR: ${message}`, 'exit /b 2'];
  switch (credentials.form) {
    case 'keystore':
      return [
        ...label('no_keystore', 'the keystore file "%KeystoreFile%" was not found. Set KeystoreFile at the top of this script to the full path of the keystore, .p12 or .jks.'),
        ...(credentials.keystorePassword.source === 'file'
          ? label(
              'no_keystore_access',
              `"${KEYSTORE_ACCESS_FILE}" was not found. Anaplan Connect reads the keystore password from that file, in the profile folder of the account that runs this job, "%USERNAME%", and cannot sign in without it. Create it as that account: run anaplan-setup export ... --keystore-password-file signed in as that account, or copy the keystore-access.txt the assistant wrote into that folder. See README.md.`,
            )
          : []),
      ];
    case 'pem':
      return [
        ...label('no_certificate', 'the certificate file "%CertificateFile%" was not found. Set CertificateFile at the top of this script to the full path of the certificate registered in Anaplan.'),
        ...label('no_private_key', 'the private key file "%PrivateKeyFile%" was not found. Set PrivateKeyFile at the top of this script to the full path of its private key.'),
        ...(credentials.keyPassphrase.source === 'env'
          ? label(
              'no_passphrase',
              'the environment variable "%KeyPassphraseVariable%" is not set, so there is no passphrase for the private key "%PrivateKeyFile%". Set it for the account that runs this job, see README.md, then run this script again.',
            )
          : []),
      ];
  }
}
