import { describeTarget, type ExportSettings } from './generated-file.js';
import type { BasicExportInput } from './input.js';
import { connectionSettingLines, credentialSettingLines, type Dialect, type SettingLine } from './script-settings.js';
import { shArrayWord, shComment, shQuote } from './shell-quote.js';

/**
 * anaplan-connect.sh, modelled on Anaplan Connect's example.sh (anaplan-facts §5): settings at
 * the top, a "do not edit below" marker, then checks and the AnaplanClient.sh call. LF only.
 */
export function buildShScript(settings: ExportSettings): string {
  const lines = [
    ...header(settings),
    '',
    ...[...credentialSettingLines(settings, SH), ...connectionSettingLines(settings, SH)].map(renderSh),
    '',
    ...operationSettings(settings),
    '',
    '#________________ Do not edit below this line ________________',
    '',
    'set -u',
    '',
    ...enterAnaplanConnectDir(),
    '',
    ...credentialChecks(settings),
    ...operationCheck(),
    '',
    ...runAnaplanConnect(settings),
  ];
  return `${lines.join('\n')}\n`;
}

function header(settings: ExportSettings): string[] {
  return [
    '#!/bin/bash',
    shComment(`Anaplan Connect job: ${methodTitle(settings)}.`),
    ...describeTarget(settings).map((line) => shComment(line, 'The header')),
    shComment('Next steps: see README.md, written next to this script.'),
    '#',
    shComment('Settings: edit the values between the single quotes.'),
  ];
}

const SH: Dialect = { client: 'AnaplanClient.sh', privateFileAdvice: 'keep this file readable by you only (chmod 700)' };

function renderSh(line: SettingLine): string {
  return line.kind === 'comment' ? shComment(line.text) : `${line.name}=${shQuote(line.value, line.field)}`;
}

function methodTitle(settings: ExportSettings): string {
  switch (settings.method) {
    case 'basic':
      return 'Basic authentication (user name and password)';
  }
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

function enterAnaplanConnectDir(): string[] {
  return [
    'if [ -z "$AnaplanConnectDir" ]; then',
    '  # The folder this script is in, wherever it is started from (cron starts jobs in $HOME).',
    '  AnaplanConnectDir=$(cd -- "$(dirname -- "$0")" && pwd -P) || exit 1',
    'fi',
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
  }
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

function operationCheck(): string[] {
  return [
    'if [ "${#Operation[@]}" -eq 0 ]; then',
    '  echo "ERROR: Operation is empty, so Anaplan Connect would have nothing to do. Fill in Operation at the top of this script (see the examples there), then run it again." >&2',
    '  exit 2',
    'fi',
  ];
}

// anaplan-facts §5: arguments are read left to right and actions run as they are read, so the
// credentials and every connection option come before the Operation.
function runAnaplanConnect(settings: ExportSettings): string[] {
  return [
    '# Anaplan Connect runs actions as soon as it reads them, left to right, so every connection',
    '# and auth option goes before the Operation.',
    'Connection=(-service "$ServiceUrl" -auth "$AuthUrl")',
    'if [ -n "$WorkspaceId" ]; then Connection+=(-workspace_id "$WorkspaceId"); fi',
    'if [ -n "$ModelId" ]; then Connection+=(-model_id "$ModelId"); fi',
    '',
    `./AnaplanClient.sh ${credentialArguments(settings)} "\${Connection[@]}" "\${Operation[@]}"`,
    'exit $?',
  ];
}

function credentialArguments(settings: ExportSettings): string {
  switch (settings.method) {
    case 'basic':
      // anaplan-facts §5: -user user[:password], split at the first ":"; without one it prompts.
      return settings.password.source === 'prompt' ? '-user "$AnaplanUser"' : '-user "$AnaplanUser:$AnaplanPassword"';
  }
}
