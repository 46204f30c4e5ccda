// Finds the Electron runtime, fetching it once through the electron package's own installer
// when it is missing (npm 11 does not run that installer unless allowed). Where the download
// cannot happen (offline build machines), says so and returns null.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const DOWNLOAD_TIMEOUT_MS = 10_000;

export function electronBinary({ fetch = true } = {}) {
  const found = locate();
  if (found || !fetch || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return found;
  let installer;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return null;
  }
  process.stderr.write('Fetching the Electron runtime (once)…\n');
  // Bounded: where a firewall drops packets the installer would wait minutes before giving up.
  const result = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], timeout: DOWNLOAD_TIMEOUT_MS });
  if (result.status !== 0) return null;
  return locate();
}

function locate() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}
