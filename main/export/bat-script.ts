import { batCommandSetLine, batOperationWord, batRem, batSetLine } from './batch-quote.js';
import { CHECK_MARKER, SILENT_FAILURE_MARKERS, checkDiagnoses } from './check-diagnoses.js';
import { operationActsInModel, operationNamesModel } from './operation-rules.js';
import { describeTarget, type ExportSettings } from './generated-file.js';
import { inlineSecretHeaderNotes } from './inline-secret.js';
import type { CertificateCredentials, OAuthExportInput } from './input.js';
import { KEYSTORE_ACCESS_RELATIVE_PATH } from './keystore-access.js';
import { renderScript, type ScriptDialectRenderer } from './script-sections.js';
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
  return renderScript(BAT_SCRIPT, settings);
}

/** The .bat's rendering of each part of the job (script-sections.ts): its checks jump to labels at the end. */
const BAT_SCRIPT: ScriptDialectRenderer = {
  lineEnd: '\r\n',
  sections: {
    header,
    settings: (settings) => [...credentialSettingLines(settings, BAT), ...connectionSettingLines(settings, BAT)].map(renderBat),
    operation: operationSettings,
    marker: () => ['rem ___ Do not edit below this line ___'],
    argument: checkArgument,
    log: startLog,
    folder: enterAnaplanConnectDir,
    java: javaCheck,
    credentials: credentialChecks,
    proxy: proxyUserChecks,
    operationCheck: () => ['if not defined Operation goto :no_operation'],
    modelCheck,
    run: runAnaplanConnect,
    labels: (settings) => [...errorLabels(settings), '', ...checkLabels(settings), '', ...jobLabels(settings)],
  },
};

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
    'rem Write a percent sign in a value twice (%%). A value must be plain ASCII and must not contain ! or',
    'rem a double quote, OnFailure excepted, which may hold double quotes.',
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
  if (line.kind === 'comment') return batRem(line.text);
  return line.command ? batCommandSetLine(line.name, line.value, line.field) : batSetLine(line.name, line.value, line.field, { javaArgument: line.javaArgument });
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
        ? ['if not defined PasswordVariable goto :no_password', 'if not defined %PasswordVariable% goto :no_password', ...secretCheck('PasswordVariable')]
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
          ? ['if not defined KeyPassphraseVariable goto :no_passphrase', 'if not defined %KeyPassphraseVariable% goto :no_passphrase', ...secretCheck('KeyPassphraseVariable')]
          : []),
      ];
  }
}

// A dated log per run (the date from PowerShell: %DATE% and %TIME% depend on the locale, and so
// does Get-Date -Format, whose calendar gives the year 2569 under a Thai locale: the invariant
// culture's Gregorian calendar, whatever the account's locale). cmd.exe
// has no tee: Anaplan Connect's output goes to the log and is shown when it ends. When the log
// folder cannot be written, the log goes to %TEMP% instead, so the job still runs.
function startLog(): string[] {
  return [
    'rem A dated log of this run: Anaplan Connect writes into it, and it is shown here when Anaplan Connect ends.',
    'if not defined LogDir set "LogDir=%~dp0logs"',
    'set "RunStamp="',
    `for /f "delims=" %%T in ('powershell -NoProfile -NonInteractive -Command "[DateTime]::Now.ToString('yyyyMMdd-HHmmss', [Globalization.CultureInfo]::InvariantCulture)"') do set "RunStamp=%%T"`,
    'if not defined RunStamp set "RunStamp=%RANDOM%"',
    'if not exist "%LogDir%\\" mkdir "%LogDir%" 2>nul',
    'set "LogFile=%LogDir%\\anaplan-connect-%RunStamp%.log"',
    'type nul 2>nul >>"%LogFile%" || goto :log_in_temp',
    ':log_ready',
  ];
}

/**
 * Java, found by AnaplanClient.bat's own rule (4.x, anaplan-facts §8): JAVA_HOME\bin\java.exe, or,
 * without JAVA_HOME, the JavaHome of the CurrentVersion under the registry keys Java 8 installers
 * write (it does not look at the PATH); then `java -fullversion`, whose major.minor it accepts
 * when the major is 1 or more but not 9 and the minor is 0 or 8 (1.8, 11.0, 17.0, 21.0). Its error
 * paths end with a bare `exit`, which ends the whole cmd.exe: no log shown, no OnFailure, and
 * maybe exit code 0 for the scheduler. So the job applies the same rule first and reports a
 * failure itself (exit code 1, through OnFailure), and hands AnaplanClient.bat the JAVA_HOME it
 * checked. A JAVA_HOME with ( ) & ^ @ ! (C:\Program Files (x86)\...) breaks AnaplanClient.bat's
 * version check (cmd /c drops the quotes around a path holding them): its 8.3 short name, which
 * has none of them, is passed instead; a drive without 8.3 names stops the job with a message.
 */
function javaCheck(): string[] {
  const plain = [
    'set "JavaHomePlain=%JAVA_HOME:(=%"',
    ...[')', '&', '^', '@', '!'].map((character) => `set "JavaHomePlain=%JavaHomePlain:${character}=%"`),
  ];
  return [
    'rem Java, found as AnaplanClient.bat finds it and checked with its rules before it runs: its own',
    'rem error paths end the whole cmd.exe, with no log shown and no OnFailure. See README.md.',
    'if defined JavaHome set "JAVA_HOME=%JavaHome%"',
    'if defined JAVA_HOME set "JAVA_HOME=%JAVA_HOME:"=%"',
    'if not defined JAVA_HOME call :java_home_from_registry',
    'if not defined JAVA_HOME goto :no_java_home',
    'if not exist "%JAVA_HOME%\\bin\\java.exe" goto :no_java',
    'rem A JAVA_HOME holding characters AnaplanClient.bat cannot take, such as the parentheses of',
    'rem C:\\Program Files (x86), is passed by its 8.3 short name, such as C:\\PROGRA~2.',
    'set "JavaHomeGiven=%JAVA_HOME%"',
    'set "JavaHomeShortened="',
    ':java_home_plain',
    ...plain,
    'if "%JavaHomePlain%"=="%JAVA_HOME%" goto :java_home_ready',
    'if defined JavaHomeShortened goto :java_home_characters',
    'set "JavaHomeShortened=yes"',
    'for %%I in ("%JAVA_HOME%") do set "JAVA_HOME=%%~sI"',
    'goto :java_home_plain',
    ':java_home_ready',
    // AnaplanClient.bat splits each line of the output at . - _ and " and keeps major.minor: the
    // same here, with each " made a . first (Wine's cmd cannot read its tokens^=... delims^=" form).
    'rem As AnaplanClient.bat does: java -fullversion gives major.minor, accepted when the major is 1 or more',
    'rem but not 9 and the minor is 0 or 8, as in 1.8, 11.0, 17.0 or 21.0.',
    'set "JavaFullVersion="',
    'set "JavaVersion="',
    'set "JavaMajor="',
    'set "JavaMinor="',
    `for /f "delims=" %%v in ('"%JAVA_HOME%\\bin\\java.exe" -fullversion 2^>^&1') do set "JavaFullVersion=%%v"`,
    'if defined JavaFullVersion set "JavaFullVersion=%JavaFullVersion:"=.%"',
    'for /f "tokens=2,3 delims=.-_" %%j in ("%JavaFullVersion%") do set "JavaVersion=%%j.%%k"',
    'for /f "tokens=1 delims=." %%a in ("%JavaVersion%") do set "JavaMajor=%%a"',
    'for /f "tokens=2 delims=." %%a in ("%JavaVersion%") do set "JavaMinor=%%a"',
    'if not defined JavaMajor goto :bad_java',
    'if not defined JavaMinor goto :bad_java',
    'for /f "delims=0123456789" %%a in ("%JavaMajor%") do goto :bad_java',
    'if %JavaMajor% lss 1 goto :bad_java',
    'if %JavaMajor% equ 9 goto :bad_java',
    'if not "%JavaMinor%"=="0" if not "%JavaMinor%"=="8" goto :bad_java',
  ];
}

/** AnaplanClient.bat's registry lookup, a subroutine after the job's labels. */
function javaSubroutines(): string[] {
  const registry = (key: string, value: string, variable: string, condition = '') =>
    `${condition}for /f "skip=2 tokens=2*" %%a in ('reg query "HKEY_LOCAL_MACHINE\\Software\\${key}" /v ${value} 2^>nul') do set "${variable}=%%b"`;
  const keys = ['JavaSoft\\Java Runtime Environment', 'Wow6432Node\\JavaSoft\\Java Runtime Environment', 'JavaSoft\\Java Development Kit', 'Wow6432Node\\JavaSoft\\Java Development Kit'];
  // AnaplanClient.bat reads the JavaHome of the four keys in this order, the last one found winning.
  const homeKeys = [keys[1], keys[0], keys[3], keys[2]] as string[];
  return [
    ':java_home_from_registry',
    'rem As AnaplanClient.bat does: the CurrentVersion of the first of its four registry keys that has one, then the JavaHome under it.',
    'set "JavaRegistryVersion="',
    ...keys.map((key, index) => registry(key, 'CurrentVersion', 'JavaRegistryVersion', index === 0 ? '' : 'if not defined JavaRegistryVersion ')),
    'if not defined JavaRegistryVersion exit /b 0',
    ...homeKeys.map((key) => registry(`${key}\\%JavaRegistryVersion%`, 'JavaHome', 'JAVA_HOME')),
    'exit /b 0',
  ];
}

/** Where a Java check failed: the message goes to the log and to the console, then the run fails. */
function javaLabels(): string[] {
  const label = (name: string, message: string) => [
    '',
    `:${name}`,
    `>>"%LogFile%" echo ERROR: ${JAVA_PROBLEM}: ${message}`,
    `>&2 echo ERROR: ${JAVA_PROBLEM}: ${message}`,
    'goto :java_failed',
  ];
  const setJavaHome = 'Set JavaHome at the top of this script to a Java installation folder, the one holding bin\\java.exe.';
  return [
    ...label(
      'no_java_home',
      `JAVA_HOME is not set, and the registry has no Java where AnaplanClient.bat looks, the keys Java 8 installers write. AnaplanClient.bat does not look at the PATH. ${setJavaHome}`,
    ),
    ...label('no_java', `"%JAVA_HOME%\\bin\\java.exe" was not found. ${setJavaHome}`),
    ...label(
      'java_home_characters',
      `JAVA_HOME "%JavaHomeGiven%" holds a character AnaplanClient.bat cannot take, one of "( ) & ^ @ !", and has no 8.3 short name without them. Install Java in a folder without them, such as C:\\Java\\jdk-17, and set JavaHome at the top of this script to it.`,
    ),
    ...label(
      'bad_java',
      `"%JAVA_HOME%\\bin\\java.exe" gives the version "%JavaVersion%", which AnaplanClient.bat refuses: it runs Java 8, 1.8, and Java 10 or later whose version starts N.0, such as 11.0, 17.0 or 21.0, not Java 9 or a first release numbered without .0. ${setJavaHome}`,
    ),
    '',
    ':java_failed',
    'set "ExitCode=1"',
    'if defined CheckOnly goto :check_result',
    'goto :on_failure',
  ];
}

/** The words every Java message starts with; the --check diagnosis for Java recognises them (check-diagnoses.ts). */
const JAVA_PROBLEM = 'no Java for Anaplan Connect';

// anaplan-facts §5: -viauser user:password. The password is read from the environment when the job runs.
function proxyUserChecks(settings: ExportSettings): string[] {
  if (settings.connection?.proxyUser === undefined) return [];
  return [
    'if not defined ProxyUser goto :no_proxy_user',
    'if not defined ProxyPasswordVariable goto :no_proxy_password',
    'if not defined %ProxyPasswordVariable% goto :no_proxy_password',
    ...secretCheck('ProxyPasswordVariable'),
  ];
}

/** The settings naming an environment variable that holds a secret the job passes to AnaplanClient.bat. */
function secretVariableSettings(settings: ExportSettings): string[] {
  const names: string[] = [];
  if (settings.method === 'basic' && settings.password.source === 'env') names.push('PasswordVariable');
  if (settings.method === 'certificate' && settings.credentials.form === 'pem' && settings.credentials.keyPassphrase.source === 'env') names.push('KeyPassphraseVariable');
  if (settings.connection?.proxyUser !== undefined) names.push('ProxyPasswordVariable');
  return names;
}

/**
 * A secret from the environment reaches AnaplanClient.bat, which turns delayed expansion on
 * before it reads its arguments: each "!" goes (with the text up to the next one), and a line
 * holding one loses every "^", in the other arguments too. A double quote would end the quoted
 * argument, and a "\" at its end escapes the closing quote for Java. Values written into the
 * script are refused at export; these are read when the job runs, so the job checks them then,
 * before anything is sent: a mangled password would count as a failed sign-in.
 */
function secretCheck(setting: string): string[] {
  return [
    `rem The secret named by ${setting}: read by for /f, so that nothing in it is read as syntax here.`,
    `set "SecretVariable=%${setting}%"`,
    'set "SecretValue="',
    `for /f "tokens=1* delims==" %%a in ('set %SecretVariable%') do if /i "%%a"=="%SecretVariable%" set "SecretValue=%%b"`,
    'set "SecretBare=%SecretValue:"=%"',
    'set "SecretMarked=%SecretValue:"=Q%"',
    'set "SecretValue="',
    'if not "%SecretBare%"=="%SecretMarked%" goto :bad_secret',
    'set "SecretMarked=%SecretBare:!=%"',
    'if not "%SecretBare%"=="%SecretMarked%" goto :bad_secret',
    'if "%SecretBare:~-1%"=="\\" goto :bad_secret',
    'set "SecretBare="',
    'set "SecretMarked="',
  ];
}

function secretLabels(): string[] {
  return [
    '',
    ':bad_secret',
    'set "SecretBare="',
    'set "SecretMarked="',
    '>&2 echo ERROR: the environment variable "%SecretVariable%" holds a double quote or "!", or ends with "\\", which cannot pass through AnaplanClient.bat unchanged: it runs with delayed expansion, which deletes each "!" and then every "^" in the other arguments, a double quote would end the argument, and Java reads a "\\" before the closing quote as a quote. Nothing was sent to Anaplan, so no failed sign-in counts. Set a secret without them, see README.md.',
    'exit /b 2',
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
    ':on_failure',
    'if not defined OnFailure exit /b %ExitCode%',
    'set "ANAPLAN_JOB_EXIT_CODE=%ExitCode%"',
    'set "ANAPLAN_JOB_LOG=%LogFile%"',
    // The command may hold double quotes ("%ANAPLAN_JOB_LOG%"): put on the line by delayed expansion,
    // after this line was read, it is not read as this script's syntax; cmd /s takes it as written.
    'rem OnFailure runs as written: delayed expansion puts it on the line after cmd.exe has read the line.',
    'setlocal EnableDelayedExpansion',
    'cmd /d /v:off /s /c "!OnFailure!"',
    'if errorlevel 1 >&2 echo WARNING: the OnFailure command failed.',
    'exit /b %ExitCode%',
    '',
    ':log_in_temp',
    '>&2 echo WARNING: cannot write the log file "%LogFile%", so this run logs into "%TEMP%" instead. Set LogDir at the top of this script to a folder the account "%USERNAME%" can write.',
    'set "LogFile=%TEMP%\\anaplan-connect-%RunStamp%.log"',
    'goto :log_ready',
    ...javaLabels(),
    ...(secretVariableSettings(settings).length > 0 ? secretLabels() : []),
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
  lines.push('', ...runAnaplanConnectSubroutine(settings), '', ...javaSubroutines());
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
