import { Command, CommanderError } from 'commander';
import { AppError } from '../core/errors.js';
import { APP_VERSION } from '../core/version.js';
import { registerExport } from './commands/export.js';
import { registerImportCert } from './commands/import-cert.js';
import { registerKeygen } from './commands/keygen.js';
import { registerLogin } from './commands/login.js';
import { registerOAuth } from './commands/oauth.js';
import { registerRegions } from './commands/regions.js';
import { registerStatus } from './commands/status.js';
import { registerUi } from './commands/ui.js';
import { reportError } from './output.js';
import { run } from './run.js';

/** `anaplan-setup`: the command-line front door (scripts, cron, CI, headless servers). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('anaplan-setup')
    .description('Anaplan Connect Setup Assistant: from "we are starting an Anaplan project" to unattended Anaplan Connect jobs.')
    .version(APP_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const json = argv.includes('--json');
  if (json) program.configureOutput({ writeErr: () => undefined });
  for (const register of [registerRegions, registerLogin, registerKeygen, registerImportCert, registerOAuth, registerExport, registerStatus, registerUi]) register(program, run);
  program.commands.forEach((command) => {
    command.exitOverride();
    if (json) command.configureOutput({ writeErr: () => undefined });
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return reportError(new AppError('bad_input', error.message.replace(/^error: /, '')), json);
    }
    return reportError(error, json);
  }
}
