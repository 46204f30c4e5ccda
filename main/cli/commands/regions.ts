import type { Command } from 'commander';
import { REGIONS } from '../../anaplan/regions.js';
import { addJsonOption } from '../options.js';
import type { Run } from '../run.js';

export function registerRegions(program: Command, run: Run): void {
  addJsonOption(
    program
      .command('regions')
      .description('list the Anaplan regions and their API, auth and OAuth hosts')
      .addHelpText('after', '\nExample:\n  anaplan-setup regions --json | jq -r \'.regions[] | select(.id=="eu3") | .authUrl\''),
  ).action((options: Record<string, unknown>) =>
    run(options, async (out) => {
      const regions = REGIONS.map(({ id, name, apiUrl, authUrl, oauthUrl }) => ({ id, name, apiUrl, authUrl, oauthUrl }));
      out.result({ regions }, () =>
        regions.map((r) => `${r.id.padEnd(5)} ${r.name.padEnd(30)} api ${r.apiUrl}  auth ${r.authUrl}  oauth ${r.oauthUrl}`).join('\n'),
      );
    }),
  );
}
