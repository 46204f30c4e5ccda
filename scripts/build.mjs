// Builds the three bundles of main/ with esbuild and the renderer with Vite, into out/.
//   out/cli/index.js        the `anaplan-setup` CLI and `ui` host (plain Node, ESM, libraries bundled, split per command)
//   out/main/index.js       the Electron main process (ESM)
//   out/preload/preload.cjs the sandboxed preload (CommonJS, one file: sandboxed preloads cannot require)
//   out/renderer/           the React wizard (Vite)
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
};

/**
 * zod's `z` namespace re-exports its messages in some 50 languages; the assistant speaks English
 * only, and parsing the rest costs every CLI start about 20 ms. Its English messages stay.
 */
const zodInEnglishOnly = {
  name: 'zod-in-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path) }));
  },
};

// Built into a staging folder, then swapped in: a test or `anaplan-setup ui` running from out/
// during a rebuild never sees it half-written or empty.
const out = join(root, 'out');
const staging = join(root, `.out-building-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
await Promise.all([
  // The CLI carries its libraries (no module lookups at start) and is split so that each command
  // loads only its own code: `anaplan-setup --version` starts close to a bare `node`.
  esbuild({
    ...common,
    entryPoints: { index: join(root, 'main/cli/bin.ts') },
    outdir: join(staging, 'cli'),
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    splitting: true,
    plugins: [zodInEnglishOnly],
    // Bundled CommonJS libraries (commander, node-forge, undici) call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  }),
  esbuild({ ...common, entryPoints: [join(root, 'main/index.ts')], outfile: join(staging, 'main/index.js'), format: 'esm', packages: 'external' }),
  esbuild({ ...common, entryPoints: [join(root, 'main/preload.ts')], outfile: join(staging, 'preload/preload.cjs'), format: 'cjs', external: ['electron'] }),
]);

const { build } = await import('vite');
await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: join(staging, 'renderer') } });

const retired = join(root, `.out-old-${process.pid}`);
if (existsSync(out)) {
  try {
    renameSync(out, retired);
  } catch {
    rmSync(out, { recursive: true, force: true }); // Windows will not rename a folder in use
  }
}
renameSync(staging, out);
rmSync(retired, { recursive: true, force: true });
process.stdout.write(`built ${pkg.name} ${pkg.version} into out/\n`);
