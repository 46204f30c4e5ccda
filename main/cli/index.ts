import { Command, CommanderError } from 'commander';
import { AppError } from '../errors.js';
import { APP_VERSION } from '../core/version.js';
import { reportError } from './output.js';
import { run, type Run } from './run.js';

type Register = (program: Command, run: Run) => void;

/**
 * Each command's module is loaded only when that command runs (or for the full help): a start
 * then costs what its own work needs, not every library the assistant can use.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  regions: async () => (await import('./commands/regions.js')).registerRegions,
  login: async () => (await import('./commands/login.js')).registerLogin,
  keygen: async () => (await import('./commands/keygen.js')).registerKeygen,
  'import-cert': async () => (await import('./commands/import-cert.js')).registerImportCert,
  oauth: async () => (await import('./commands/oauth.js')).registerOAuth,
  export: async () => (await import('./commands/export.js')).registerExport,
  status: async () => (await import('./commands/status.js')).registerStatus,
  'check-job': async () => (await import('./commands/check-job.js')).registerCheckJob,
  'admin-checklist': async () => (await import('./commands/admin-checklist.js')).registerAdminChecklist,
  ui: async () => (await import('./commands/ui.js')).registerUi,
};

/** The commands to define for these arguments: the one named, none for the version, else all (help, typos). */
function commandsFor(argv: readonly string[]): string[] {
  const named = argv.find((arg) => !arg.startsWith('-'));
  if (named !== undefined && Object.hasOwn(COMMANDS, named)) return [named];
  if (named === undefined && (argv.includes('-V') || argv.includes('--version'))) return [];
  return Object.keys(COMMANDS);
}

/** `anaplan-setup`: the command-line front door (scripts, cron, CI, headless servers). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('anaplan-setup')
    .description('Anaplan Connect Setup Assistant: from "we are starting an Anaplan project" to unattended Anaplan Connect jobs.')
    .version(APP_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const json = argv.includes('--json');
  // Commander's own error lines are left out: the error is reported once, below, in our words.
  program.configureOutput({ writeErr: () => undefined });
  for (const name of commandsFor(argv)) (await COMMANDS[name]!())(program, run);
  program.commands.forEach((command) => {
    command.exitOverride();
    command.configureOutput({ writeErr: () => undefined });
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return reportError(new AppError('bad_input', `${error.message.replace(/^error: /, '')} (run with --help for usage)`), json);
    }
    return reportError(error, json);
  }
}
