import type { Command } from 'commander';
import * as z from 'zod';
import { DEFAULT_PASSWORD_MAX_AGE_DAYS, DEFAULT_WARN_DAYS, expiriesOf, type Expiry } from '../../core/expiry.js';
import { openNodeSettings } from '../../store/node-settings.js';
import { addJsonOption, parseFlags } from '../options.js';
import type { Run } from '../run.js';

/** The exit code when something expires within the warning window or has expired. */
export const STATUS_WARNING_EXIT = 3;

const StatusFlags = z.object({
  warnDays: z.coerce.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(1).max(365).default(DEFAULT_WARN_DAYS),
  passwordMaxAgeDays: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(1)
    .max(3650)
    .default(DEFAULT_PASSWORD_MAX_AGE_DAYS),
});

const KIND_LABEL: Record<Expiry['kind'], string> = { certificate: 'certificate', 'refresh-token': 'refresh token', password: 'password' };

function levelText(expiry: Expiry): string {
  if (expiry.level === 'expired') return 'EXPIRED';
  if (expiry.level === 'warn') return expiry.threshold ? `WARN (${expiry.threshold}-day step)` : 'WARN';
  return expiry.expiresAt === null ? 'unknown' : 'ok';
}

function daysText(expiry: Expiry): string {
  if (expiry.daysLeft === null) return '–';
  if (expiry.daysLeft > 0) return `in ${expiry.daysLeft} d`;
  return expiry.daysLeft === 0 ? 'today' : `${-expiry.daysLeft} d ago`;
}

function table(expiries: Expiry[], warnings: number, warnDays: number): string {
  const byProfile = new Map<string, Expiry[]>();
  for (const expiry of expiries) byProfile.set(expiry.profileName, [...(byProfile.get(expiry.profileName) ?? []), expiry]);
  const lines: string[] = [];
  for (const [name, entries] of byProfile) {
    lines.push(name);
    for (const e of entries) {
      lines.push(`  ${KIND_LABEL[e.kind].padEnd(14)} ${(e.expiresAt?.slice(0, 10) ?? 'unknown').padEnd(11)} ${daysText(e).padEnd(11)} ${levelText(e)}`);
      lines.push(`      ${e.message}`);
    }
    lines.push('');
  }
  lines.push(
    warnings === 0
      ? `Nothing expires within ${warnDays} days.`
      : `${warnings} ${warnings === 1 ? 'entry needs' : 'entries need'} attention: expiring within ${warnDays} days or expired (exit code ${STATUS_WARNING_EXIT}).`,
  );
  return lines.join('\n');
}

export function registerStatus(program: Command, run: Run): void {
  addJsonOption(
    program
      .command('status')
      .description('what expires, per connection: certificates, rotatable refresh tokens and (estimated) exception-user passwords')
      .option('--warn-days <n>', `warn when something expires within this many days (default ${DEFAULT_WARN_DAYS})`)
      .option(
        '--password-max-age-days <n>',
        `your tenant's password lifetime for exception users; Basic passwords are estimated to expire this many days after the login last worked here (default ${DEFAULT_PASSWORD_MAX_AGE_DAYS})`,
      )
      .addHelpText(
        'after',
        [
          '',
          'Exit codes:',
          '  0  nothing expires within the warning window (or no connections are set up)',
          `  ${STATUS_WARNING_EXIT}  something expires within the warning window or has expired`,
          '  1  the settings could not be read;  2  bad flags',
          '',
          'Reads the settings of the assistant (ANAPLAN_SETUP_HOME overrides the folder). For cron or monitoring, e.g.:',
          '  anaplan-setup status --json --warn-days 14 || mail -s "Anaplan Connect: something expires" admin@example.com',
        ].join('\n'),
      ),
  ).action((options: Record<string, unknown>) =>
    run(options, async (out) => {
      const flags = parseFlags(StatusFlags, options);
      const store = openNodeSettings();
      const settings = store.read();
      const expiries = expiriesOf(settings, new Date(), { warnDays: flags.warnDays, passwordMaxAgeDays: flags.passwordMaxAgeDays });
      const warnings = expiries.filter((e) => e.level !== 'ok').length;
      out.result({ expiries, warnings }, () => {
        if (settings.profiles.length === 0) {
          return `No connections are set up yet (settings: ${store.path}), so nothing can expire. Set one up with \`anaplan-setup ui\` or the desktop app.`;
        }
        if (expiries.length === 0) {
          return `None of your connections has anything that expires (no certificate, rotatable refresh token or Basic password yet).`;
        }
        return table(expiries, warnings, flags.warnDays);
      });
      if (warnings > 0) process.exitCode = STATUS_WARNING_EXIT;
    }),
  );
}
