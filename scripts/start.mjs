// `npm start`: the desktop app where an Electron runtime exists, otherwise the same assistant
// in the browser (`anaplan-setup ui`), said in one line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const extra = process.argv.slice(2);
if (!existsSync(join(root, 'out/cli/index.js'))) {
  const build = spawn(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const code = await new Promise((resolve) => build.on('exit', resolve));
  if (code !== 0) process.exit(code ?? 1);
}

const electron = process.env.ANAPLAN_SETUP_BROWSER === '1' ? null : electronBinary();
const [command, args] = electron
  ? [electron, [root, ...extra]]
  : [process.execPath, [join(root, 'bin/anaplan-setup.js'), 'ui', ...extra]];
if (!electron) process.stderr.write('No Electron runtime is available here: starting the assistant in your browser instead (anaplan-setup ui).\n');
const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
