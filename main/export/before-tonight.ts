import { BAT_SCRIPT_NAME, CRONTAB_NAME, SH_SCRIPT_NAME, type ExportSettings } from './generated-file.js';
import { secretVariables } from './job-schedule.js';
import { tokenStorePath } from './oauth-commands.js';
import { tokenStoreFileName } from './oauth-token-store.js';
import { shQuote } from './shell-quote.js';

/**
 * "Before tonight's run": what is left to do once the files are written, for this method only,
 * each a sentence and, where there is one, the command to paste with the real paths. The Done
 * step and the CLI's export show it; nothing here repeats what the export already did.
 */
export interface NextStep {
  text: string;
  command?: string;
}

const word = (value: string) => shQuote(value, 'A next-step command');

export function beforeTonight(settings: ExportSettings): NextStep[] {
  const steps: NextStep[] = [];
  const linux = settings.platforms.includes('linux');
  const windows = settings.platforms.includes('windows');
  const dir = settings.jobDir;
  const account = settings.schedule?.account;
  const asAccount = (command: string) => (account ? `sudo -u ${account} -H ${command}` : command);
  const script = dir && linux ? `${dir.replace(/\/+$/, '')}/${SH_SCRIPT_NAME}` : undefined;

  switch (settings.method) {
    case 'certificate':
      steps.push({ text: 'A Tenant Administrator registers the certificate (certificate.pem, the leaf alone) under Administration › Security › Certificates, for the user it names. Until then the sign-in is refused.' });
      break;
    case 'oauth':
      steps.push({
        text: `The refresh token is in ${tokenStorePath(settings.tokenStoreDir, tokenStoreFileName(settings.clientId))}${account ? `: ${account} must own it` : ''}. Nothing else to set: no password is involved.`,
      });
      break;
    case 'basic':
      break;
  }
  for (const variable of secretVariables(settings)) {
    steps.push({
      text: `Put ${variable.what} where the job reads it: ${variable.name}, from ~/${variable.homeFile} of ${account ?? 'the account that runs the job'} (typed, never shown; chmod 600).`,
      command: linux ? asAccount(`bash -c 'umask 077 && IFS= read -rs secret && printf %s "$secret" > "$HOME/${variable.homeFile}"'`) : undefined,
    });
  }
  if (linux) {
    steps.push({
      text: 'Check the job as it will run: Anaplan Connect signs in and lists the workspaces, nothing else runs.',
      command: asAccount(`${script ? word(script) : `./${SH_SCRIPT_NAME}`} --check`),
    });
  }
  if (settings.schedule && linux) {
    const crontab = dir ? word(`${dir.replace(/\/+$/, '')}/${CRONTAB_NAME}`) : CRONTAB_NAME;
    steps.push({
      text: `Install the schedule${account ? ` for ${account}` : ''}: the last line of ${CRONTAB_NAME} is added to ${account ? 'its' : 'your'} crontab (the others stay as they are).`,
      command: `(crontab ${account ? `-u ${account} ` : ''}-l 2>/dev/null; tail -n 1 ${crontab}) | crontab ${account ? `-u ${account} ` : ''}-`,
    });
  }
  if (settings.schedule && windows) steps.push({ text: `On Windows, paste the last line of schtasks.txt into a command prompt; check first with ${BAT_SCRIPT_NAME} --check.` });
  if (!settings.schedule) steps.push({ text: 'Schedule it (cron or Task Scheduler) under the account that runs it: export again with --schedule HH:MM for the lines to paste.' });
  return steps;
}
