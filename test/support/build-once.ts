import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** UI and Electron tests run the built app. `npm test` builds first; a direct `vitest` run builds here if needed. */
export default function setup(): void {
  const root = join(import.meta.dirname, '../..');
  if (existsSync(join(root, 'out/cli/index.js')) && existsSync(join(root, 'out/renderer/index.html'))) return;
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}
