import { describeTarget, type ExportSettings } from './generated-file.js';
import { inlineSecretHeaderNotes } from './inline-secret.js';
import type { AnaplanConnectExportInput, BasicExportInput, CertificateCredentials, KeyPassphraseSource, OAuthExportInput } from './input.js';
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
import { renderScript, type ScriptDialectRenderer } from './script-sections.js';
import { shArrayWord, shComment, shQuote } from './shell-quote.js';
import { CHECK_MARKER, SILENT_FAILURE_MARKERS, checkDiagnoses } from './check-diagnoses.js';
import { MODEL_ACTION_OPTIONS, MODEL_OPTIONS, WORKSPACE_OPTIONS } from './operation-rules.js';

/**
 * anaplan-connect.sh, modelled on Anaplan Connect's example.sh (anaplan-facts §5): settings at
 * the top, a "do not edit below" marker, then checks and the AnaplanClient.sh call. LF only.
 */
export function buildShScript(settings: ExportSettings): string {
  return renderScript(SH_SCRIPT, settings);
}

/** The .sh's rendering of each part of the job (script-sections.ts). */
const SH_SCRIPT: ScriptDialectRenderer = {
  lineEnd: '\n',
  sections: {
    header,
    settings: (settings) => [...credentialSettingLines(settings, SH), ...connectionSettingLines(settings, SH)].map(renderSh),
    operation: operationSettings,
    marker: () => ['#________________ Do not edit below this line ________________', '', 'set -u'],
    argument: checkArgument,
    log: startLog,
    folder: enterAnaplanConnectDir,
    java: javaHomeSetup,
    credentials: credentialChecks,
    proxy: proxyPasswordChecks,
    operationCheck,
    modelCheck,
    run: runAnaplanConnect,
    labels: () => [],
  },
};

function header(settings: ExportSettings): string[] {
  return [
    '#!/bin/bash',
    shComment(`Anaplan Connect job: ${scriptMethodTitle(settings)}.`),
    ...describeTarget(settings).map((line) => shComment(line, 'The header')),
    ...credentialHeaderNotes(settings).map((line) => shComment(line, 'The header')),
    ...inlineSecretHeaderNotes(settings).map((line) => shComment(line, 'The header')),
    shComment('Next steps: see README.md, written next to this script.'),
    '#',
    shComment('Settings: edit the values between the single quotes.'),
  ];
}

const SH: Dialect = {
  client: 'AnaplanClient.sh',
  privateFileAdvice: 'keep this file readable by you only (chmod 700)',
  keystoreAccessLocation: [`~/${KEYSTORE_ACCESS_RELATIVE_PATH},`, 'where ~ is the home folder'],
  privateFolderAdvice: 'the account that runs this job (owned by it, chmod 700)',
};

function renderSh(line: SettingLine): string {
  return line.kind === 'comment' ? shComment(line.text) : `${line.name}=${shQuote(line.value, line.field)}`;
}

function operationSettings(settings: ExportSettings): string[] {
  const words = settings.operation.map((word, index) => shArrayWord(word, `Operation word ${index + 1}`));
  return [
    '# What Anaplan Connect should do: a bash array, one option or value per word, values in',
    '# single quotes. Actions run in the order written. Examples (remove the # of one line):',
    '#   List the workspaces the user can reach (tests the connection and login, changes nothing):',
    '# Operation=(-W)',
    '#   Upload a file and run an import:',
    "# Operation=(-file 'Sales.csv' -put '/data/Sales.csv' -import 'Sales from Sales.csv' -execute)",
    '#   Run a process:',
    "# Operation=(-process 'Nightly Load' -execute)",
    '#   Run an export and download the result:',
    "# Operation=(-export 'Actuals.csv' -execute -get '/data/Actuals.csv')",
    `Operation=(${words.join(' ')})`,
  ];
}

// A dated log per run. Everything the job prints goes to the terminal and to the log (tee), its
// errors to stderr as before. With a password prompt only errors are logged: Java reads the
// password from the console, which it has only while the output is the terminal.
function startLog(settings: ExportSettings): string[] {
  const prompt = settings.method === 'basic' && settings.password.source === 'prompt';
  return [
    '# The folder this script is in, wherever it is started from (cron starts jobs in $HOME).',
    'ScriptDir=$(cd -- "$(dirname -- "$0")" && pwd -P) || exit 1',
    prompt
      ? '# A dated log of this run: error output goes to the terminal and to the log (Anaplan Connect asks for the password at the terminal).'
      : '# A dated log of this run: all output goes to the terminal and to the log.',
    'if [ -z "$LogDir" ]; then LogDir="$ScriptDir/logs"; fi',
    'LogFile="$LogDir/anaplan-connect-$(date +%Y%m%d-%H%M%S).log"',
    'if mkdir -p -- "$LogDir" 2>/dev/null && (umask 077 && : >>"$LogFile") 2>/dev/null; then',
    prompt ? '  exec 2> >(tee -a -- "$LogFile" >&2)' : '  exec > >(tee -a -- "$LogFile") 2> >(tee -a -- "$LogFile" >&2)',
    'else',
    '  echo "WARNING: cannot write the log file \\"$LogFile\\" as $(id -un), so this run has no log. Set LogDir at the top of this script to a folder that account can write." >&2',
    "  LogFile=''",
    'fi',
  ];
}

function javaHomeSetup(): string[] {
  return [
    'if [ -n "$JavaHome" ]; then',
    '  if [ ! -x "$JavaHome/bin/java" ]; then',
    '    echo "ERROR: JavaHome \\"$JavaHome\\" holds no bin/java that $(id -un) can run. Set JavaHome at the top of this script to a Java installation folder (the one holding bin/java), or empty it to let AnaplanClient.sh find Java." >&2',
    '    exit 2',
    '  fi',
    '  # AnaplanClient.sh finds Java through JAVA_HOME (else `which java`).',
    '  export JAVA_HOME="$JavaHome"',
    'fi',
  ];
}

// anaplan-facts §5: -viauser user:password. The password is read when the job runs, never stored.
function proxyPasswordChecks(settings: ExportSettings): string[] {
  if (settings.connection?.proxyUser === undefined) return [];
  return [
    'ProxyPassword=\'\'',
    'if [ -n "$ProxyUser" ]; then',
    '  case "$ProxyPasswordVariable" in',
    "    '' | [0-9]* | *[!A-Za-z0-9_]*)",
    '      echo "ERROR: ProxyPasswordVariable \\"$ProxyPasswordVariable\\" is not a valid environment variable name. Set it at the top of this script (for example ANAPLAN_PROXY_PASSWORD)." >&2',
    '      exit 2',
    '      ;;',
    '  esac',
    '  ProxyPassword=${!ProxyPasswordVariable-}',
    '  if [ -z "$ProxyPassword" ]; then',
    '    echo "ERROR: the environment variable $ProxyPasswordVariable is not set or is empty, so there is no password for the proxy user $ProxyUser. Set it in the environment of the account that runs this job (see README.md), then run this script again." >&2',
    '    exit 2',
    '  fi',
    ...latin1Check('ProxyPassword', 'the proxy password in $ProxyPasswordVariable', "Change the proxy user's password to one without such characters").map((line) => `  ${line}`),
    'fi',
  ];
}

// anaplan-facts §8: Anaplan Connect sends Basic and proxy credentials as ISO-8859-1, so a character
// beyond it (the euro sign, Polish or CJK letters) arrives as "?" and the sign-in fails. (iconv is
// part of glibc; where it is missing the check is skipped.)
function latin1Check(variable: string, what: string, fix: string): string[] {
  return [
    `if command -v iconv >/dev/null 2>&1 && ! printf '%s' "$${variable}" | iconv -f UTF-8 -t ISO-8859-1 >/dev/null 2>&1; then`,
    `  echo "ERROR: ${what} holds a character that ISO-8859-1 (Latin-1) does not have, such as the euro sign. Anaplan Connect sends it in ISO-8859-1, so the sign-in would fail. ${fix}." >&2`,
    '  exit 2',
    'fi',
  ];
}

function enterAnaplanConnectDir(): string[] {
  return [
    'if [ -z "$AnaplanConnectDir" ]; then AnaplanConnectDir=$ScriptDir; fi',
    'if ! cd -- "$AnaplanConnectDir"; then',
    '  echo "ERROR: cannot open the folder \\"$AnaplanConnectDir\\". Set AnaplanConnectDir at the top of this script to the Anaplan Connect folder (the one holding AnaplanClient.sh)." >&2',
    '  exit 1',
    'fi',
    'if [ ! -f ./AnaplanClient.sh ]; then',
    '  echo "ERROR: AnaplanClient.sh was not found in \\"$AnaplanConnectDir\\". Copy this script into the Anaplan Connect folder, or set AnaplanConnectDir at the top of this script to that folder." >&2',
    '  exit 1',
    'fi',
    'if [ ! -x ./AnaplanClient.sh ]; then',
    '  echo "ERROR: AnaplanClient.sh in \\"$AnaplanConnectDir\\" is not executable. Run: chmod +x \\"$AnaplanConnectDir/AnaplanClient.sh\\"" >&2',
    '  exit 1',
    'fi',
  ];
}

function credentialChecks(settings: ExportSettings): string[] {
  switch (settings.method) {
    case 'basic':
      return basicCredentialChecks(settings);
    case 'certificate':
      return certificateCredentialChecks(settings.credentials);
    case 'oauth':
      return oauthCredentialChecks(settings);
  }
}

// anaplan-facts §5: without a refresh token in its store Anaplan Connect starts a console device
// registration (about 90 s of polling) that nobody approves in an unattended job, so the script
// stops first. With --rotatable it rewrites the store on every run, so it must be writable too.
function oauthCredentialChecks(settings: OAuthExportInput): string[] {
  const exportedClientId = shQuote(settings.clientId, 'The OAuth client ID');
  return [
    'case "$Rotatable" in',
    "  yes) RotatableFlag=' --rotatable' ;;",
    "  no) RotatableFlag='' ;;",
    '  *)',
    `    echo "ERROR: Rotatable is \\"$Rotatable\\". Set it at the top of this script to yes (the OAuth client's refresh tokens rotate) or no (they do not), as set on the client in Anaplan." >&2`,
    '    exit 2',
    '    ;;',
    'esac',
    '# Anaplan Connect names the token store after the client ID (ks_ + SHA-512/256 of it in hex + .jks).',
    `TokenStoreName=${shQuote(tokenStoreFileName(settings.clientId), 'The token store file')}`,
    `if [ "$ClientId" != ${exportedClientId} ]; then`,
    `  echo "ERROR: ClientId was changed to \\"$ClientId\\" after this script was generated for ${settings.clientId}. Anaplan Connect keeps each client's refresh token in a file named after the client ID, which this script was written for: sign in with the new client (anaplan-setup oauth --client-id <id> --token-store-dir <folder>) and export the job again." >&2`,
    '  exit 2',
    'fi',
    'if [ -z "$TokenStoreDir" ]; then',
    '  echo "ERROR: TokenStoreDir is empty. Set it at the top of this script to the full path of the folder holding $TokenStoreName (Anaplan Connect\'s token store for this client)." >&2',
    '  exit 2',
    'fi',
    'TokenStoreFile="$TokenStoreDir/$TokenStoreName"',
    'if [ ! -f "$TokenStoreFile" ]; then',
    '  echo "ERROR: the OAuth token store \\"$TokenStoreFile\\" was not found (or its folder cannot be opened by the account running this job, $(id -un)). Without it Anaplan Connect would start a device sign-in that nobody approves in an unattended job. Create it once: run the assistant\'s device sign-in again (anaplan-setup oauth --client-id $ClientId$RotatableFlag --token-store-dir \\"$TokenStoreDir\\" --oauth-url $AuthUrl) and let $(id -un) own the file, or from a terminal on this machine, as $(id -un), run Anaplan Connect with this job\'s options and --forceRegister (the exact command is in README.md)." >&2',
    '  exit 2',
    'elif [ ! -r "$TokenStoreFile" ]; then',
    '  echo "ERROR: the OAuth token store \\"$TokenStoreFile\\" cannot be read by the account running this job ($(id -un)). Let that account own it (chmod 600, its folder chmod 700)." >&2',
    '  exit 2',
    'elif [ ! -s "$TokenStoreFile" ]; then',
    '  echo "ERROR: the OAuth token store \\"$TokenStoreFile\\" is empty, so it holds no refresh token. Sign in again (anaplan-setup oauth --client-id $ClientId$RotatableFlag --token-store-dir \\"$TokenStoreDir\\" --oauth-url $AuthUrl, see README.md)." >&2',
    '  exit 2',
    'elif [ "$Rotatable" = yes ] && [ ! -w "$TokenStoreFile" ]; then',
    '  echo "ERROR: the OAuth token store \\"$TokenStoreFile\\" cannot be written by the account running this job ($(id -un)). The client\'s refresh tokens rotate: Anaplan Connect saves the new one there on every run, and without that the stored one goes stale. Let that account own it (chmod 600, its folder chmod 700)." >&2',
    '  exit 2',
    'fi',
    // The token is only obfuscated in the store: say so when other accounts can open the folder (GNU find).
    'if [ -n "$(find "$TokenStoreDir" -maxdepth 0 -perm /077 2>/dev/null)" ]; then',
    '  echo "WARNING: other accounts can open the token store folder \\"$TokenStoreDir\\", and the refresh token in it is only obfuscated. Run: chmod 700 \\"$TokenStoreDir\\"" >&2',
    'fi',
  ];
}

function basicCredentialChecks(settings: BasicExportInput): string[] {
  switch (settings.password.source) {
    case 'env':
      return [
        'case "$PasswordVariable" in',
        "  '' | [0-9]* | *[!A-Za-z0-9_]*)",
        '    echo "ERROR: PasswordVariable \\"$PasswordVariable\\" is not a valid environment variable name. Set it at the top of this script (for example ANAPLAN_PASSWORD)." >&2',
        '    exit 2',
        '    ;;',
        'esac',
        'AnaplanPassword=${!PasswordVariable-}',
        'if [ -z "$AnaplanPassword" ]; then',
        '  echo "ERROR: the environment variable $PasswordVariable is not set or is empty, so there is no password for $AnaplanUser. Set it in the environment of the account that runs this job (see README.md), then run this script again." >&2',
        '  exit 2',
        'fi',
        ...latin1Check('AnaplanPassword', 'the password in $PasswordVariable', 'Change the Anaplan password of $AnaplanUser to one without such characters'),
      ];
    case 'prompt':
      return [
        'if [ ! -t 0 ]; then',
        '  echo "ERROR: this script lets Anaplan Connect ask for the password of $AnaplanUser, which needs someone at a terminal; it cannot run unattended (cron). Export it again with the password in an environment variable." >&2',
        '  exit 2',
        'fi',
      ];
    case 'inline':
      return [];
  }
}

function certificateCredentialChecks(credentials: CertificateCredentials): string[] {
  switch (credentials.form) {
    case 'keystore':
      return [
        ...readableFileChecks('KeystoreFile', 'the keystore file', 'Set KeystoreFile at the top of this script to the full path of the keystore (.p12 or .jks).'),
        ...(credentials.keystorePassword.source === 'file' ? keystoreAccessChecks() : []),
      ];
    case 'pem':
      return [
        ...readableFileChecks('CertificateFile', 'the certificate file', 'Set CertificateFile at the top of this script to the full path of the certificate registered in Anaplan.'),
        ...readableFileChecks('PrivateKeyFile', 'the private key file', 'Set PrivateKeyFile at the top of this script to the full path of its private key.'),
        ...keyPassphraseChecks(credentials.keyPassphrase.source),
      ];
  }
}

function keyPassphraseChecks(source: KeyPassphraseSource['source']): string[] {
  switch (source) {
    case 'none':
      return [];
    case 'env':
      return keyPassphraseEnvChecks();
    case 'inline':
      return inlinePassphraseColonCheck();
  }
}

/** Exit 2 when the file named by a setting is missing or unreadable for the account running the job. */
function readableFileChecks(name: string, what: string, fix: string): string[] {
  return [
    `if [ ! -f "$${name}" ]; then`,
    `  echo "ERROR: ${what} \\"$${name}\\" was not found. ${fix}" >&2`,
    '  exit 2',
    `elif [ ! -r "$${name}" ]; then`,
    `  echo "ERROR: ${what} \\"$${name}\\" cannot be read by the account running this job ($(id -un)). Let that account read it (for example: owned by it, chmod 600)." >&2`,
    '  exit 2',
    'fi',
  ];
}

// anaplan-facts §5: without -keystorepass, Anaplan Connect reads the password from this file under
// Java's user.home (the home folder of the account running the job); if it is missing, it asks at
// the terminal, which a scheduled job does not have.
// anaplan-facts §8: Java's user.home is the home in the password database, not $HOME (they differ
// after `su` without `-`, in some schedulers and containers), so the check looks where Java will.
function keystoreAccessChecks(): string[] {
  return [
    '# Anaplan Connect reads the keystore password from this file under Java\'s user.home: JobHome when set',
    '# (passed as -Duser.home), else the home folder of the account running the job in the password database.',
    'if [ -n "$JobHome" ]; then',
    '  case "$JobHome" in',
    "    *[[:space:]*?[]* | [!/]*)",
    '      echo "ERROR: JobHome \\"$JobHome\\" must be a full path without spaces or * ? [ (AnaplanClient.sh splits JAVA_OPTS at spaces). Set JobHome at the top of this script, or empty it to use the home folder of $(id -un)." >&2',
    '      exit 2',
    '      ;;',
    '  esac',
    '  export JAVA_OPTS="${JAVA_OPTS:+$JAVA_OPTS }-Duser.home=$JobHome"',
    'else',
    '  JobHome=$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6)',
    '  if [ -z "$JobHome" ]; then JobHome=${HOME-}; fi',
    'fi',
    `KeystoreAccessFile="$JobHome/${KEYSTORE_ACCESS_RELATIVE_PATH}"`,
    'if [ ! -f "$KeystoreAccessFile" ]; then',
    `  echo "ERROR: \\"$KeystoreAccessFile\\" was not found. Anaplan Connect reads the keystore password from that file, in the home folder of the account that runs this job ($(id -un)), and cannot sign in without it. Create it as that account: run 'anaplan-setup export ... --keystore-password-file' signed in as that account, or copy the keystore-access.txt the assistant wrote into that folder (chmod 600). See README.md." >&2`,
    '  exit 2',
    'elif [ ! -r "$KeystoreAccessFile" ]; then',
    '  echo "ERROR: \\"$KeystoreAccessFile\\" cannot be read by the account running this job ($(id -un)), so Anaplan Connect has no keystore password. Let that account read it (owned by it, chmod 600)." >&2',
    '  exit 2',
    'fi',
  ];
}

function keyPassphraseEnvChecks(): string[] {
  return [
    'case "$KeyPassphraseVariable" in',
    "  '' | [0-9]* | *[!A-Za-z0-9_]*)",
    '    echo "ERROR: KeyPassphraseVariable \\"$KeyPassphraseVariable\\" is not a valid environment variable name. Set it at the top of this script (for example ANAPLAN_KEY_PASSPHRASE)." >&2',
    '    exit 2',
    '    ;;',
    'esac',
    'KeyPassphrase=${!KeyPassphraseVariable-}',
    'if [ -z "$KeyPassphrase" ]; then',
    '  echo "ERROR: the environment variable $KeyPassphraseVariable is not set or is empty, so there is no passphrase for the private key \\"$PrivateKeyFile\\". Set it in the environment of the account that runs this job (see README.md), then run this script again." >&2',
    '  exit 2',
    'fi',
    // anaplan-facts §5: -privatekey is split at the last ":", so a ":" in the passphrase cuts it.
    'case "$KeyPassphrase" in',
    '  *:*)',
    '    echo "ERROR: the passphrase in $KeyPassphraseVariable contains \\":\\", which Anaplan Connect cannot take: it splits -privatekey <file>:<passphrase> at the last \\":\\". Encrypt the private key again with a passphrase without \\":\\" (see README.md)." >&2',
    '    exit 2',
    '    ;;',
    'esac',
  ];
}

// anaplan-facts §5: -privatekey is split at the last ":". Checked at export; again here in case the setting was edited.
function inlinePassphraseColonCheck(): string[] {
  return [
    'case "$KeyPassphrase" in',
    '  *:*)',
    '    echo "ERROR: KeyPassphrase contains \\":\\", which Anaplan Connect cannot take: it splits -privatekey <file>:<passphrase> at the last \\":\\". Encrypt the private key again with a passphrase without \\":\\" (see README.md)." >&2',
    '    exit 2',
    '    ;;',
    'esac',
  ];
}

function operationCheck(): string[] {
  return [
    'if [ "${#Operation[@]}" -eq 0 ]; then',
    '  echo "ERROR: Operation is empty, so Anaplan Connect would have nothing to do. Fill in Operation at the top of this script (see the examples there), then run it again." >&2',
    '  exit 2',
    'fi',
  ];
}

/** `anaplan-connect.sh --check`: the job's sign-in, tested with -W in place of the Operation. */
function checkArgument(): string[] {
  return [
    '# --check: sign in with this job\'s connection and credentials and list the workspaces (-W) instead',
    '# of running the Operation, to know before the scheduled run that it can sign in.',
    'CheckOnly=no',
    'case "${1-}" in',
    "  '') ;;",
    '  --check) CheckOnly=yes; Operation=(-W) ;;',
    '  *)',
    '    echo "ERROR: unknown argument \\"$1\\". Run this script without arguments to run the job, or with --check to test its sign-in without running the Operation." >&2',
    '    exit 2',
    '    ;;',
    'esac',
  ];
}

// anaplan-facts §8: an action without a workspace and a model makes Anaplan Connect log "A workspace
// ID must be provided", run nothing, and exit 0, so a scheduler would see success. Checked at export;
// again here in case the IDs were emptied later.
function modelCheck(): string[] {
  const words = (options: Iterable<string>) => [...options].join(' | ');
  return [
    'NeedsModel=no',
    'HasWorkspace=no; if [ -n "$WorkspaceId" ]; then HasWorkspace=yes; fi',
    'HasModel=no; if [ -n "$ModelId" ]; then HasModel=yes; fi',
    'for Word in "${Operation[@]}"; do',
    '  case "$Word" in',
    `    ${words(MODEL_ACTION_OPTIONS)}) NeedsModel=yes ;;`,
    `    ${words(WORKSPACE_OPTIONS)}) HasWorkspace=yes ;;`,
    `    ${words(MODEL_OPTIONS)}) HasModel=yes ;;`,
    '  esac',
    'done',
    'if [ "$NeedsModel" = yes ] && { [ "$HasWorkspace" = no ] || [ "$HasModel" = no ]; }; then',
    '  echo "ERROR: the Operation runs an action in a model, but WorkspaceId or ModelId is empty. Anaplan Connect would log \\"A workspace ID must be provided\\", run nothing and still exit 0. Set WorkspaceId and ModelId at the top of this script." >&2',
    '  exit 2',
    'fi',
  ];
}

/**
 * The --check run: Anaplan Connect with -W; on success the workspaces and whether the job's is
 * among them, otherwise the client's message explained (check-diagnoses.ts). Marker lines
 * (CHECK OK/FAILED/WARNING) are read back by `anaplan-setup check-job`. OnFailure is not run.
 */
function checkRun(settings: AnaplanConnectExportInput): string[] {
  const diagnoses = checkDiagnoses(settings).flatMap((diagnosis, index) => [
    `  ${index === 0 ? 'if' : 'elif'} grep -qF ${diagnosis.seen.map((seen) => `-e ${shQuote(seen, 'A check pattern')}`).join(' ')} <<<"$CheckOutput"; then`,
    `    echo ${shQuote(`${CHECK_MARKER.failed} ${diagnosis.meaning}`, 'A check message')} >&2`,
  ]);
  return [
    'if [ "$CheckOnly" = yes ]; then',
    '  echo "Checking the sign-in: Anaplan Connect lists the workspaces (-W) instead of running the Operation."',
    '  CheckOutput=$(run_anaplan_connect -W 2>&1)',
    '  ExitCode=$?',
    '  printf \'%s\\n\' "$CheckOutput"',
    '  if [ "$ExitCode" -eq 0 ] && grep -qF -e WS_ID <<<"$CheckOutput"; then',
    `    echo "${CHECK_MARKER.ok} Anaplan Connect signed in as this job will and listed the workspaces above."`,
    '    if [ -z "$WorkspaceId" ]; then',
    `      echo "${CHECK_MARKER.warning} the job names no workspace (WorkspaceId is empty)."`,
    '    elif grep -qiF -e "$WorkspaceId" <<<"$CheckOutput"; then',
    `      echo "${CHECK_MARKER.ok} the job's workspace $WorkspaceId is among them."`,
    '    else',
    `      echo "${CHECK_MARKER.failed} the job's workspace $WorkspaceId is not among the workspaces this user can reach. Check WorkspaceId, or ask a workspace administrator to add the user to that workspace." >&2`,
    '      exit 1',
    '    fi',
    '    exit 0',
    '  fi',
    ...diagnoses,
    '  else',
    `    echo "${CHECK_MARKER.failed} Anaplan Connect could not sign in or list the workspaces (exit code $ExitCode); its messages are above." >&2`,
    '  fi',
    '  if [ "$ExitCode" -eq 0 ]; then ExitCode=1; fi',
    '  exit "$ExitCode"',
    'fi',
  ];
}

// anaplan-facts §5: arguments are read left to right and actions run as they are read, so the
// credentials and every connection option come before the Operation.
function runAnaplanConnect(settings: ExportSettings): string[] {
  if (settings.method === 'oauth') return runOAuthAnaplanConnect(settings);
  return [
    '# Anaplan Connect runs actions as soon as it reads them, left to right, so every connection',
    '# and auth option goes before the Operation.',
    'Connection=(-service "$ServiceUrl" -auth "$AuthUrl")',
    'if [ -n "$WorkspaceId" ]; then Connection+=(-workspace_id "$WorkspaceId"); fi',
    'if [ -n "$ModelId" ]; then Connection+=(-model_id "$ModelId"); fi',
    ...connectionOptionLines(settings),
    '',
    'run_anaplan_connect() {',
    `  ./AnaplanClient.sh ${credentialArguments(settings)} "\${Connection[@]}" "$@"`,
    '}',
    ...checkRun(settings),
    ...runOperation(settings),
    ...finish(),
  ];
}

// anaplan-facts §5: -via, -viauser, -maxretrycount, -retrytimeout, -httptimeout, -chunksize are
// connection options: with the others, before the Operation. Only those chosen have a setting.
function connectionOptionLines(settings: Pick<ExportSettings, 'connection'>): string[] {
  const connection = settings.connection;
  if (!connection || !hasConnectionOptions(settings)) return [];
  const lines: string[] = [];
  if (connection.proxyUrl !== undefined) lines.push('if [ -n "$ProxyUrl" ]; then Connection+=(-via "$ProxyUrl"); fi');
  for (const option of CONNECTION_OPTION_SETTINGS) {
    if (connection[option.key] !== undefined) lines.push(`if [ -n "$${option.name}" ]; then Connection+=(${option.option} "$${option.name}"); fi`);
  }
  // Last, as the .bat passes it (its password cannot travel through a variable there): both scripts give the same arguments.
  if (connection.proxyUser !== undefined) lines.push('if [ -n "$ProxyUser" ]; then Connection+=(-viauser "$ProxyUser:$ProxyPassword"); fi');
  return lines;
}

/**
 * Exit with Anaplan Connect's exit code; when it failed, say so and run OnFailure first with the
 * exit code and the log in its environment and as its last two arguments.
 */
/**
 * The Operation's run. Anaplan Connect exits 0 when a task it ran failed or when an action had
 * nothing to act on (anaplan-facts §8), so its output is watched as it passes and such a run
 * exits 1. With a password prompt the output stays on the terminal, unwatched: Java asks there.
 */
function runOperation(settings: AnaplanConnectExportInput): string[] {
  if (settings.method === 'basic' && settings.password.source === 'prompt') return ['run_anaplan_connect "${Operation[@]}"', 'ExitCode=$?'];
  const markers = SILENT_FAILURE_MARKERS.map((marker) => `*${shQuote(marker, 'A failure marker')}*`).join(' | ');
  return [
    '# Anaplan Connect exits 0 even when a task failed or nothing ran: its output says so.',
    'watch_for_silent_failure() {',
    '  local failed=0 line',
    "  while IFS= read -r line || [ -n \"$line\" ]; do",
    "    printf '%s\\n' \"$line\"",
    `    case "$line" in ${markers}) failed=1 ;; esac`,
    '  done',
    '  return "$failed"',
    '}',
    'run_anaplan_connect "${Operation[@]}" | watch_for_silent_failure',
    'Statuses=("${PIPESTATUS[@]}")',
    'ExitCode=${Statuses[0]}',
    'if [ "$ExitCode" -eq 0 ] && [ "${Statuses[1]}" -ne 0 ]; then',
    '  echo "ERROR: Anaplan Connect exited with code 0, but its output above says that the operation failed or that nothing ran, so this job exits with code 1 for the scheduler to see." >&2',
    '  ExitCode=1',
    'fi',
  ];
}

function finish(): string[] {
  return [
    'if [ "$ExitCode" -ne 0 ]; then',
    '  echo "ERROR: Anaplan Connect exited with code $ExitCode.${LogFile:+ Log: $LogFile}" >&2',
    '  if [ -n "$OnFailure" ]; then',
    '    ANAPLAN_JOB_EXIT_CODE=$ExitCode ANAPLAN_JOB_LOG=$LogFile bash -c "$OnFailure \\"\\$@\\"" on-failure "$ExitCode" "$LogFile" ||',
    '      echo "WARNING: the OnFailure command failed (exit code $?)." >&2',
    '  fi',
    'fi',
    'exit "$ExitCode"',
  ];
}

// anaplan-facts §5: -auth is the OAuth host; -oauth-client-id and --rotatable are auth options,
// so they too come before the Operation. --forceRegister never: it would delete the stored token
// and wait for a device sign-in on every run.
function runOAuthAnaplanConnect(settings: OAuthExportInput): string[] {
  return [
    '# Anaplan Connect runs actions as soon as it reads them, left to right, so every connection',
    '# and auth option goes before the Operation. Never --forceRegister here (see README.md).',
    'Connection=(-service "$ServiceUrl" -auth "$AuthUrl" -oauth-client-id "$ClientId")',
    'if [ "$Rotatable" = yes ]; then Connection+=(--rotatable); fi',
    'if [ -n "$WorkspaceId" ]; then Connection+=(-workspace_id "$WorkspaceId"); fi',
    'if [ -n "$ModelId" ]; then Connection+=(-model_id "$ModelId"); fi',
    ...connectionOptionLines(settings),
    '',
    `# Anaplan Connect reads the refresh token from ${TOKEN_STORE_DIR_ENV}/TokenStoreName, not from the home folder.`,
    `export ${TOKEN_STORE_DIR_ENV}="$TokenStoreDir"`,
    'run_anaplan_connect() {',
    '  ./AnaplanClient.sh "${Connection[@]}" "$@"',
    '}',
    ...checkRun(settings),
    ...runOperation(settings),
    ...finish(),
  ];
}

function credentialArguments(settings: Exclude<ExportSettings, OAuthExportInput>): string {
  switch (settings.method) {
    case 'basic':
      // anaplan-facts §5: -user user[:password], split at the first ":"; without one it prompts.
      return settings.password.source === 'prompt' ? '-user "$AnaplanUser"' : '-user "$AnaplanUser:$AnaplanPassword"';
    case 'certificate':
      return certificateArguments(settings.credentials);
  }
}

// anaplan-facts §5: `-keystore <file> -keystorealias <alias> [-keystorepass <password>]`, or
// `-certificate <file> -privatekey <file>:<passphrase>` split at the LAST ":" (so an unencrypted
// key still gets the trailing colon). One form only: -keystore is refused after -privatekey.
function certificateArguments(credentials: CertificateCredentials): string {
  switch (credentials.form) {
    case 'keystore': {
      const keystore = '-keystore "$KeystoreFile" -keystorealias "$KeystoreAlias"';
      return credentials.keystorePassword.source === 'inline' ? `${keystore} -keystorepass "$KeystorePassword"` : keystore;
    }
    case 'pem': {
      const privateKey = credentials.keyPassphrase.source === 'none' ? '"$PrivateKeyFile:"' : '"$PrivateKeyFile:$KeyPassphrase"';
      return `-certificate "$CertificateFile" -privatekey ${privateKey}`;
    }
  }
}
