// Builds the three bundles of main/ with esbuild and the renderer with Vite, into out/.
//   out/cli/index.js        the `anaplan-setup` CLI and `ui` host (plain Node, ESM)
//   out/main/index.js       the Electron main process (ESM)
//   out/preload/preload.cjs the sandboxed preload (CommonJS, one file: sandboxed preloads cannot require)
//   out/renderer/           the React wizard (Vite)
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const only = process.argv.includes('--main-only') ? 'main' : null;

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
};

rmSync(join(root, 'out'), { recursive: true, force: true });
await Promise.all([
  esbuild({ ...common, entryPoints: [join(root, 'main/cli/bin.ts')], outfile: join(root, 'out/cli/index.js'), format: 'esm', packages: 'external' }),
  esbuild({ ...common, entryPoints: [join(root, 'main/index.ts')], outfile: join(root, 'out/main/index.js'), format: 'esm', packages: 'external' }),
  esbuild({ ...common, entryPoints: [join(root, 'main/preload.ts')], outfile: join(root, 'out/preload/preload.cjs'), format: 'cjs', external: ['electron'] }),
]);

if (only !== 'main') {
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' });
}
process.stdout.write(`built ${pkg.name} ${pkg.version} into out/\n`);
