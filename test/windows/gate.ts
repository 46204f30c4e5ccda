import { spawnSync } from 'node:child_process';
import { cmdVersion, warmUp, wineEnvironment, windowsSkipReason } from './cmd.js';

/** Says once per run, in one line, whether the windows suite runs and under which cmd.exe; starts Wine once when it does. */
export default function gate(): (() => void) | undefined {
  const reason = windowsSkipReason();
  if (reason) {
    console.log(`windows: skipped: ${reason}`);
    return undefined;
  }
  console.log(`windows: running the exported .bat files under ${cmdVersion()} (calibrated)`);
  warmUp();
  // The warmed-up wineserver would stay 10 minutes after the last test: it ends with the run.
  return () => void spawnSync('wineserver', ['-k'], { env: wineEnvironment({}), stdio: 'ignore', timeout: 30_000 });
}
