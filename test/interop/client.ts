import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The real Anaplan Connect the interop suite runs: a folder holding AnaplanClient.sh (Anaplan's zip, or ../shared/anaplan-connect's build). */
export const ANAPLAN_CONNECT_DIR = process.env.ANAPLAN_CONNECT_DIR ?? '';

/** Why the suite cannot run here, or null when it can. */
export function interopSkipReason(): string | null {
  if (process.env.ANAPLAN_CONNECT_SKIP_REASON) return `no Anaplan Connect: ${process.env.ANAPLAN_CONNECT_SKIP_REASON}`;
  if (!ANAPLAN_CONNECT_DIR) {
    return 'ANAPLAN_CONNECT_DIR is not set (point it at a folder holding AnaplanClient.sh, or run `bash ../shared/anaplan-connect/build.sh`, which prints one)';
  }
  try {
    accessSync(join(ANAPLAN_CONNECT_DIR, 'AnaplanClient.sh'), constants.X_OK);
  } catch {
    return `${ANAPLAN_CONNECT_DIR} holds no executable AnaplanClient.sh`;
  }
  if (spawnSync('java', ['-version']).status !== 0 && !process.env.JAVA_HOME) return 'no Java on the PATH and no JAVA_HOME';
  return null;
}
