import type { ExportSettings } from './generated-file.js';
import type { BasicExportInput } from './input.js';

/** Human-readable warnings for the chosen export: shown before writing and repeated in README.md. */
export function exportWarnings(settings: ExportSettings): string[] {
  switch (settings.method) {
    case 'basic':
      return basicWarnings(settings);
  }
}

function basicWarnings(settings: BasicExportInput & { platforms: ExportSettings['platforms'] }): string[] {
  const warnings: string[] = [];
  const { password } = settings;
  if (password.source !== 'prompt') {
    // anaplan-facts §5: Basic credentials travel as `-user user:password` on the command line.
    warnings.push(
      'Anaplan Connect takes the password on its own command line (-user user:password), so while the job runs anyone who can list processes on this machine (ps on Linux, Task Manager or wmic on Windows) can see it. Run the job on a machine or account that others cannot inspect, or use a certificate instead of a password.',
    );
  }
  switch (password.source) {
    case 'env':
      warnings.push(
        `The password must be in the environment variable ${password.envVar} of the account that runs the job. Jobs started by cron or Task Scheduler do not read your login settings: set it where that account's job will see it.`,
      );
      if (settings.platforms.includes('windows')) {
        warnings.push(
          `On Windows, a password containing " or ! or ending with \\ cannot pass through AnaplanClient.bat unchanged, and the sign-in will fail. Choose a password without them for this user.`,
        );
      }
      break;
    case 'prompt':
      warnings.push(
        'Anaplan Connect will ask for the password each time the script runs, so it only works with someone at the keyboard: it cannot run from cron or Task Scheduler.',
      );
      break;
    case 'inline':
      warnings.push(
        `The password is stored in clear text in the script. Anyone who can read the file can sign in to Anaplan as ${settings.user}. The script is written readable by you only; keep it that way, and keep it out of shared folders, version control and e-mail.`,
      );
      break;
  }
  // anaplan-facts §7: exception users' passwords expire.
  warnings.push(
    'If this user\'s password expires (many tenants make exception users change it every 90 days), the job fails at sign-in until the new password is set where the job reads it.',
  );
  return warnings;
}
