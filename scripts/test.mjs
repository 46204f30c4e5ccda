// `npm test`: build once, then every Vitest project (unit, renderer, ui, interop, windows, e2e) in one run.
// The windows suite finds the calibrated cmd.exe itself (WINE_CMD_ROOT, default /opt/wine-cmd: see
// scripts/wine-cmd-setup.sh) and says in one line why it skips where there is none.
// Extra arguments go to Vitest, e.g. `npm test -- --project unit`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(build.status ?? 1);
}
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=./test/support/summary-reporter.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ...anaplanConnect() },
});

/**
 * The interop suite runs the exported jobs with the real Anaplan Connect in ANAPLAN_CONNECT_DIR
 * (a folder holding AnaplanClient.sh: Anaplan's own zip, or the one built from its public source).
 * When it is not set and ../shared/anaplan-connect is beside this checkout, build that once; when
 * the build cannot run here, the suite says it skips and why.
 */
function anaplanConnect() {
  if (process.env.ANAPLAN_CONNECT_DIR) return {};
  const build = join(root, '..', 'shared', 'anaplan-connect', 'build.sh');
  if (!existsSync(build)) return {};
  const built = spawnSync('bash', [build], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const dir = built.stdout.trim().split('\n').at(-1) ?? '';
  if (built.status !== 0 || !dir) {
    process.stdout.write(`Anaplan Connect could not be built from ${build} (exit ${built.status}): ${built.stderr.trim().split('\n').at(-1) ?? ''}\n`);
    return { ANAPLAN_CONNECT_SKIP_REASON: `building it with ${build} failed (exit ${built.status})` };
  }
  return { ANAPLAN_CONNECT_DIR: dir };
}
process.exit(result.status ?? 1);
