import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkJob, type JobCheckResult } from '../../core/job-check.js';
import { addJsonOption } from '../options.js';
import type { Run } from '../run.js';

/** The exit code when the job folder was read but a check failed. */
export const CHECK_FAILED_EXIT = 1;

export function registerCheckJob(program: Command, run: Run): void {
  addJsonOption(
    program
      .command('check-job')
      .description('check an exported job on this machine: its files, modes, Java and credentials, then its sign-in with the real Anaplan Connect (anaplan-connect.sh --check)')
      .argument('<dir>', 'the job folder the export wrote (holding anaplan-connect.sh)')
      .addHelpText(
        'after',
        [
          '',
          'Run it on the integration server as the account that runs the job, with the environment the job has',
          '(the password variables, for example). Nothing of the Operation runs: Anaplan Connect lists the workspaces.',
          '',
          'Exit codes: 0 every check holds;  1 a check failed;  2 DIR is not a job folder.',
          '',
          'Example:',
          '  sudo -u svc-anaplan -H anaplan-setup check-job /opt/anaplan/jobs/nightly --json',
        ].join('\n'),
      ),
  ).action((dir: string, options: Record<string, unknown>) =>
    run(options, async (out) => {
      const result = await checkJob(resolve(dir));
      out.result(result, () => describe(result));
      if (!result.ok) process.exitCode = CHECK_FAILED_EXIT;
    }),
  );
}

function describe(result: JobCheckResult): string {
  const lines = result.checks.map((check) => `${check.ok ? 'ok    ' : 'FAILED'} ${check.name.padEnd(16)} ${check.message}`);
  if (result.workspaces.length > 0) {
    lines.push('', 'Workspaces the job can reach:');
    for (const workspace of result.workspaces) lines.push(`  ${workspace.id}  ${workspace.name}`);
  }
  lines.push('', result.ok ? 'Every check holds: the job can run.' : 'Some checks failed: fix them, then run check-job again.');
  return lines.join('\n');
}
