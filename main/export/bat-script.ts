import { batOperationWord, batRem, batSetLine } from './batch-quote.js';
import { CHECK_MARKER, SILENT_FAILURE_MARKERS, checkDiagnoses } from './check-diagnoses.js';
import { operationActsInModel, operationNamesModel } from './operation-rules.js';
import { describeTarget, type ExportSettings } from './generated-file.js';
import { inlineSecretHeaderNotes } from './inline-secret.js';
import type { CertificateCredentials, OAuthExportInput } from './input.js';
import { KEYSTORE_ACCESS_RELATIVE_PATH } from './keystore-access.js';
import { TOKEN_STORE_DIR_ENV, tokenStoreFileName } from './oauth-token-store.js';
import {
  CONNECTION_OPTION_SETTINGS,
  connectionSettingLines,
  hasConnectionOptions,
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
    ...checkArgument(),
    '',
    ...startLog(),
    '',
    ...enterAnaplanConnectDir(),
    ...javaHomeSetup(),
    ...credentialChecks(settings),
    ...proxyUserChecks(settings),
    'if not defined Operation goto :no_operation',
    ...modelCheck(settings),
    '',
    ...runAnaplanConnect(settings),
    '',
    ...errorLabels(settings),
    '',
    ...checkLabels(settings),
    '',
    ...jobLabels(settings),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** `anaplan-connect.bat --check`: the job's sign-in, tested with -W in place of the Operation. */
function checkArgument(): string[] {
  return [
    'rem --check: sign in with this job\'s connection and credentials and list the workspaces, -W, instead',
    'rem of running the Operation, to know before the scheduled run that it can sign in.',
    'set "CheckOnly="',
    'if "%~1"=="--check" set "CheckOnly=yes"',
    'if not defined CheckOnly if not "%~1"=="" goto :bad_argument',
    'if defined CheckOnly set "Operation=-W"',
  ];
}

// anaplan-facts §8: an action without a workspace and a model makes Anaplan Connect run nothing and
// exit 0. Checked at export; again here, for the exported Operation, in case the IDs were emptied
// later (the .sh reads the Operation itself; here its words would need a parenthesised loop).
function modelCheck(settings: ExportSettings): string[] {
  if (!operationActsInModel(settings.operation) || operationNamesModel(settings.operation)) return [];
  return ['if not defined CheckOnly if not defined WorkspaceId goto :no_model', 'if not defined CheckOnly if not defined ModelId goto :no_model'];
}

/**
 * The --check result: on success the workspaces are in the log shown above, and whether the job's
 * is among them; otherwise the client's message explained (check-diagnoses.ts). Marker lines as in
 * the .sh. OnFailure is not run. One line each, no parenthesised blocks.
 */
function checkLabels(settings: ExportSettings): string[] {
  const diagnoses = checkDiagnoses(settings);
  // Our own lines run with delayed expansion off, so only what cmd.exe reads as syntax here is refused.
  const echo = (text: string) => {
    if (/["%^&|<>()\r\n]/.test(text)) throw new Error(`A check text cannot be written into the .bat as it is: ${text}`);
    return text;
  };
  return [
    ':check_result',
    'if not "%ExitCode%"=="0" goto :check_failed',
    'findstr /c:"WS_ID" "%LogFile%" >nul 2>nul || goto :check_failed',
    `echo ${CHECK_MARKER.ok} Anaplan Connect signed in as this job will and listed the workspaces above.`,
    `if not defined WorkspaceId echo ${CHECK_MARKER.warning} the job names no workspace, WorkspaceId is empty.`,
    'if not defined WorkspaceId exit /b 0',
    'findstr /i /c:"%WorkspaceId%" "%LogFile%" >nul 2>nul || goto :check_no_workspace',
    `echo ${CHECK_MARKER.ok} the job's workspace %WorkspaceId% is among them.`,
    'exit /b 0',
    '',
    ':check_no_workspace',
    `>&2 echo ${CHECK_MARKER.failed} the job's workspace %WorkspaceId% is not among the workspaces this user can reach. Check WorkspaceId, or ask a workspace administrator to add the user to that workspace.`,
    'exit /b 1',
    '',
    ':check_failed',
    ...diagnoses.map((diagnosis) => `findstr ${diagnosis.seen.map((seen) => `/c:"${echo(seen)}"`).join(' ')} "%LogFile%" >nul 2>nul && goto :check_${diagnosis.id}`),
    `>&2 echo ${CHECK_MARKER.failed} Anaplan Connect could not sign in or list the workspaces, exit code %ExitCode%. Its messages are above.`,
    'goto :check_exit',
    ...diagnoses.flatMap((diagnosis) => ['', `:check_${diagnosis.id}`, `>&2 echo ${echo(`${CHECK_MARKER.failed} ${diagnosis.meaning}`)}`, 'goto :check_exit']),
    '',
    ':check_exit',
    'if "%ExitCode%"=="0" exit /b 1',
    'exit /b %ExitCode%',
  ];
}

function header(settings: ExportSettings): string[] {
  return [
    '@echo off',
    batRem(`Anaplan Connect job: ${scriptMethodTitle(settings)}.`),
    ...describeTarget(settings).map((line) => batRem(line, 'The header')),
    ...credentialHeaderNotes(settings).map((line) => batRem(line, 'The header')),
    ...inlineSecretHeaderNotes(settings).map((line) => batRem(line, 'The header')),
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

// A dated log per run (the date from PowerShell: %DATE% and %TIME% depend on the locale). cmd.exe
// has no tee: Anaplan Connect's output goes to the log and is shown when it ends. When the log
// folder cannot be written, the log goes to %TEMP% instead, so the job still runs.
function startLog(): string[] {
  return [
    'rem A dated log of this run: Anaplan Connect writes into it, and it is shown here when Anaplan Connect ends.',
    'if not defined LogDir set "LogDir=%~dp0logs"',
    'set "RunStamp="',
    `for /f "delims=" %%T in ('powershell -NoProfile -NonInteractive -Command "Get-Date -Format yyyyMMdd-HHmmss"') do set "RunStamp=%%T"`,
    'if not defined RunStamp set "RunStamp=%RANDOM%"',
    'if not exist "%LogDir%\\" mkdir "%LogDir%" 2>nul',
    'set "LogFile=%LogDir%\\anaplan-connect-%RunStamp%.log"',
    'type nul 2>nul >>"%LogFile%" || goto :log_in_temp',
    ':log_ready',
  ];
}

function javaHomeSetup(): string[] {
  return [
    'if defined JavaHome if not exist "%JavaHome%\\bin\\java.exe" goto :no_java',
    'if defined JavaHome set "JAVA_HOME=%JavaHome%"',
  ];
}

// anaplan-facts §5: -viauser user:password. The password is read from the environment when the job runs.
function proxyUserChecks(settings: ExportSettings): string[] {
  if (settings.connection?.proxyUser === undefined) return [];
  return [
    'if not defined ProxyUser goto :no_proxy_user',
    'if not defined ProxyPasswordVariable goto :no_proxy_password',
    'if not defined %ProxyPasswordVariable% goto :no_proxy_password',
  ];
}

// anaplan-facts §5: -via, -maxretrycount, -retrytimeout, -httptimeout, -chunksize are connection
// options, gathered here and passed before the Operation. Only the chosen ones have a setting.
function connectionOptionLines(settings: ExportSettings): string[] {
  const connection = settings.connection;
  if (!connection || !hasConnectionOptions(settings)) return [];
  const lines: string[] = [];
  if (connection.proxyUrl !== undefined) lines.push('if defined ProxyUrl set ConnectionOptions=%ConnectionOptions% -via "%ProxyUrl%"');
  for (const option of CONNECTION_OPTION_SETTINGS) {
    if (connection[option.key] !== undefined) lines.push(`if defined ${option.name} set ConnectionOptions=%ConnectionOptions% ${option.option} "%${option.name}%"`);
  }
  return lines.length === 0 ? [] : ['set "ConnectionOptions="', ...lines];
}

/** The call-line words after -model_id: the gathered options, then -viauser with the password from its variable. */
function connectionArguments(settings: ExportSettings): string {
  const connection = settings.connection;
  if (!connection) return '';
  const hasGathered = connection.proxyUrl !== undefined || CONNECTION_OPTION_SETTINGS.some((option) => connection[option.key] !== undefined);
  return [
    hasGathered ? ' %%ConnectionOptions%%' : '',
    // %%%ProxyPasswordVariable%%% -> %ANAPLAN_PROXY_PASSWORD% on the first pass -> the password in CALL's.
    connection.proxyUser !== undefined ? ' -viauser "%%ProxyUser%%:%%%ProxyPasswordVariable%%%"' : '',
  ].join('');
}

// anaplan-facts §5: arguments are read left to right and actions run as they are read, so the
// credentials and every connection option come before the Operation.
function runAnaplanConnect(settings: ExportSettings): string[] {
  const oauth = settings.method === 'oauth';
  return [
    'set "WorkspaceOption="',
    'if defined WorkspaceId set WorkspaceOption=-workspace_id "%WorkspaceId%"',
    'set "ModelOption="',
    'if defined ModelId set ModelOption=-model_id "%ModelId%"',
    ...connectionOptionLines(settings),
    ...(oauth
      ? [
          '',
          `rem Anaplan Connect reads the refresh token from ${TOKEN_STORE_DIR_ENV}\\TokenStoreName, not from the profile folder.`,
          `set "${TOKEN_STORE_DIR_ENV}=%TokenStoreDir%"`,
        ]
      : []),
    '',
    ...runWithLog(settings),
  ];
}

/**
 * Runs Anaplan Connect (the :run_anaplan_connect subroutine) with its output in the log, shows
 * the log, and exits with Anaplan Connect's exit code, through :failed (and OnFailure) when not 0.
 * With a password prompt only errors are logged: Java needs the console to ask for the password.
 */
function runWithLog(settings: ExportSettings): string[] {
  const prompt = settings.method === 'basic' && settings.password.source === 'prompt';
  return prompt
    ? [
        'rem Anaplan Connect asks for the password in this window, so only its error output goes to the log.',
        '2>>"%LogFile%" call :run_anaplan_connect',
        'set "ExitCode=%ERRORLEVEL%"',
        'if defined CheckOnly goto :check_result',
        'if not "%ExitCode%"=="0" goto :failed',
        'exit /b 0',
      ]
    : [
        '>>"%LogFile%" 2>&1 call :run_anaplan_connect',
        'set "ExitCode=%ERRORLEVEL%"',
        'type "%LogFile%"',
        'if defined CheckOnly goto :check_result',
        'if not "%ExitCode%"=="0" goto :failed',
        // anaplan-facts §8: Anaplan Connect exits 0 when a task failed or nothing ran; its output says so.
        `findstr ${SILENT_FAILURE_MARKERS.map((marker) => `/c:"${marker}"`).join(' ')} "%LogFile%" >nul 2>nul && goto :silent_failure`,
        'exit /b 0',
      ];
}

function runAnaplanConnectSubroutine(settings: ExportSettings): string[] {
  if (settings.method === 'oauth') {
    // anaplan-facts §5: -auth is the OAuth host; -oauth-client-id and --rotatable are auth options, so
    // they too come before the Operation. --forceRegister never: it would delete the stored token and
    // wait for a device sign-in on every run. AC_OAUTH_KEYSTORE_DIR is set inside setlocal.
    return [
      ':run_anaplan_connect',
      'rem Anaplan Connect runs actions as soon as it reads them, left to right, so every connection',
      'rem and auth option goes before the Operation. Never --forceRegister here, see README.md.',
      `call .\\AnaplanClient.bat -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" -oauth-client-id "%%ClientId%%" %%RotatableOption%% %%WorkspaceOption%% %%ModelOption%%${connectionArguments(settings)} %%Operation%%`,
      'exit /b %ERRORLEVEL%',
    ];
  }
  return [
    ':run_anaplan_connect',
    'rem Anaplan Connect runs actions as soon as it reads them, left to right, so every connection',
    'rem and auth option goes before the Operation.',
    // %%Name%% becomes %Name% when this line is read and is expanded by CALL's own second pass,
    // after carets were doubled and the line was split: a value's % and ^ arrive unchanged.
    `call .\\AnaplanClient.bat ${credentialArguments(settings)} -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" %%WorkspaceOption%% %%ModelOption%%${connectionArguments(settings)} %%Operation%%`,
    'exit /b %ERRORLEVEL%',
  ];
}

// No ( ) < > | & outside double quotes: cmd.exe would read them as syntax in an echo line.
function jobLabels(settings: ExportSettings): string[] {
  const label = (name: string, message: string) => ['', `:${name}`, `>&2 echo ERROR: ${message}`, 'exit /b 2'];
  const lines = [
    ':silent_failure',
    '>&2 echo ERROR: Anaplan Connect exited with code 0, but its output above says that the operation failed or that nothing ran, so this job exits with code 1 for the scheduler to see.',
    'set "ExitCode=1"',
    '',
    ':failed',
    '>&2 echo ERROR: Anaplan Connect exited with code %ExitCode%. Log: "%LogFile%"',
    'if not defined OnFailure exit /b %ExitCode%',
    'set "ANAPLAN_JOB_EXIT_CODE=%ExitCode%"',
    'set "ANAPLAN_JOB_LOG=%LogFile%"',
    'cmd /d /c %OnFailure%',
    'if errorlevel 1 >&2 echo WARNING: the OnFailure command failed.',
    'exit /b %ExitCode%',
    '',
    ':log_in_temp',
    '>&2 echo WARNING: cannot write the log file "%LogFile%", so this run logs into "%TEMP%" instead. Set LogDir at the top of this script to a folder the account "%USERNAME%" can write.',
    'set "LogFile=%TEMP%\\anaplan-connect-%RunStamp%.log"',
    'goto :log_ready',
    ...label('no_java', 'JavaHome "%JavaHome%" holds no bin\\java.exe. Set JavaHome at the top of this script to a Java installation folder, the one holding bin\\java.exe, or empty it to let AnaplanClient.bat find Java.'),
  ];
  if (settings.connection?.proxyUser !== undefined) {
    lines.push(
      ...label('no_proxy_user', 'ProxyUser is empty. This script was exported with a proxy user: set ProxyUser at the top of this script, or export the job again without one.'),
      ...label(
        'no_proxy_password',
        'the environment variable "%ProxyPasswordVariable%" is not set, so there is no password for the proxy user "%ProxyUser%". Set it for the account that runs this job, see README.md, then run this script again.',
      ),
    );
  }
  lines.push('', ...runAnaplanConnectSubroutine(settings));
  return lines;
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
    ':bad_argument',
    '>&2 echo ERROR: unknown argument "%~1". Run this script without arguments to run the job, or with --check to test its sign-in without running the Operation.',
    'exit /b 2',
    '',
    ':no_model',
    '>&2 echo ERROR: the Operation runs an action in a model, but WorkspaceId or ModelId is empty. Anaplan Connect would log "A workspace ID must be provided", run nothing and still exit 0. Set WorkspaceId and ModelId at the top of this script.',
    'exit /b 2',
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
