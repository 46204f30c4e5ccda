import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * CLI, UI and Electron tests run the built app. `npm test` builds first; a direct `vitest` run
 * rebuilds here when a source file is newer than the build.
 */
export default function setup(): void {
  const root = join(import.meta.dirname, '../..');
  const built = builtAt(join(root, 'out/cli/index.js'), join(root, 'out/renderer/index.html'));
  if (built > newestSource(root)) return;
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}

function builtAt(...files: string[]): number {
  try {
    return Math.min(...files.map((file) => statSync(file).mtimeMs));
  } catch {
    return 0;
  }
}

function newestSource(root: string): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['main', 'renderer', 'assets']) walk(join(root, dir));
  return newest;
}
