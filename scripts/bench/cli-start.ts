// CLI start-up: `anaplan-setup --version` against `node -e 0`, the floor any Node CLI stands
// on. Alternating runs, medians. Also one light command that reads no network: `regions --json`.
import { spawnSync } from 'node:child_process';
import { CLI } from '../../test/support/cli.js';
import { median, ratio, type Table } from './table.js';

const RUNS = 25;

export async function run(progress: (message: string) => void): Promise<Table> {
  const cases: Array<{ label: string; args: string[] }> = [
    { label: 'anaplan-setup --version', args: [CLI, '--version'] },
    { label: 'anaplan-setup regions --json', args: [CLI, 'regions', '--json'] },
  ];
  const baseline: number[] = [];
  const timings = cases.map(() => [] as number[]);
  for (const args of [['-e', '0'], ...cases.map((c) => c.args)]) spawnOnce(args); // warm the file cache
  for (let index = 0; index < RUNS; index++) {
    progress(`CLI start-up, run ${index + 1} of ${RUNS}`);
    baseline.push(spawnOnce(['-e', '0']));
    cases.forEach((c, i) => timings[i]!.push(spawnOnce(c.args)));
  }
  const base = median(baseline);
  return {
    title: 'CLI start-up, median wall time of a whole process',
    columns: ['command', 'runs', 'ms', 'node -e 0 ms', 'ratio'],
    rows: cases.map((c, i) => {
      const ours = median(timings[i]!);
      return [c.label, RUNS, ours.toFixed(0), base.toFixed(0), ratio(ours, base)];
    }),
    notes: ['Each command loads only its own modules (main/cli/index.ts) from a bundle split per command (scripts/build.mjs).'],
  };
}

function spawnOnce(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return elapsed;
}
