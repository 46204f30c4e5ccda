// `npm start`: the desktop app where an Electron runtime exists, otherwise the same assistant
// in the browser (`anaplan-setup ui`), said in one line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HEADLESS_PORT = 8765;
const extra = process.argv.slice(2);
if (!existsSync(join(root, 'out/cli/index.js'))) {
  const build = spawn(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const code = await new Promise((resolve) => build.on('exit', resolve));
  if (code !== 0) process.exit(code ?? 1);
}

// A Linux server without a display (the integration server, over SSH): the browser assistant at
// once, with the tunnel to reach it from a desktop; never a wait on an Electron download.
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const electron = process.env.ANAPLAN_SETUP_BROWSER === '1' || headless ? null : electronBinary();
const uiArgs = headless && !extra.includes('--port') ? ['--port', String(HEADLESS_PORT), '--no-open', ...extra] : extra;
const [command, args] = electron
  ? [electron, [root, ...extra]]
  : [process.execPath, [join(root, 'bin/anaplan-setup.js'), 'ui', ...uiArgs]];
if (headless) {
  const port = extra.includes('--port') ? extra[extra.indexOf('--port') + 1] : HEADLESS_PORT;
  process.stderr.write(
    `No display here (a headless server): starting the assistant for a browser (anaplan-setup ui).\nOn your desktop, run:  ssh -L ${port}:127.0.0.1:${port} ${userInfo().username}@${hostname()}\nthen open the URL printed below there.\n`,
  );
} else if (!electron) {
  process.stderr.write('No Electron runtime is available here: starting the assistant in your browser instead (anaplan-setup ui).\n');
}
const child = spawn(command, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
