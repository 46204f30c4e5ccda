import { spawn } from 'node:child_process';
import { closeSync, fchmodSync, lstatSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensurePrivateDirSync } from '../fs/atomic.js';

/**
 * Opens a URL in the person's browser; on a machine without one it says so and goes on.
 * The URL becomes an argument of the opener and the browser, which every account on the machine
 * can read (/proc/<pid>/cmdline, `ps`): only for URLs that open nothing by themselves (a sign-in
 * page at Anaplan). A URL carrying a secret goes through openSecretUrlInBrowser.
 */
export function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : process.platform === 'darwin' ? ['open', [url]] : ['xdg-open', [url]];
  const noBrowser = () => process.stderr.write('(No browser could be opened here: open the URL above yourself.)\n');
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', noBrowser);
    child.unref();
  } catch {
    noBrowser();
  }
}

/** A launch file on disk, to remove once its secret has been used or will never be. */
export interface LaunchFile {
  path: string;
  remove(): void;
}

export const LAUNCH_FILE_NAME = 'open-assistant.html';

/**
 * Opens a URL that carries a secret (the `ui` link) without putting it in any process's
 * arguments, as Jupyter does: the URL goes into an HTML file readable by this account only (0600,
 * in a fresh 0700 folder under `base`, else under the temp folder) that redirects to it, and the
 * browser is opened on that file's file: URL. Returns the file, or null when none could be written
 * (then nothing is opened and the person is told to open the printed URL).
 */
export function openSecretUrlInBrowser(url: string, base: string): LaunchFile | null {
  const launch = writeLaunchFile(url, base) ?? writeLaunchFile(url, tmpdir());
  if (!launch) {
    process.stderr.write('(No browser was opened: no private file for the link could be written here. Open the URL above yourself.)\n');
    return null;
  }
  openInBrowser(pathToFileURL(launch.path).href);
  return launch;
}

/** The launch file for url in a new private folder under base, or null when it cannot be made safely. */
export function writeLaunchFile(url: string, base: string): LaunchFile | null {
  let folder: string | undefined;
  try {
    ensurePrivateDirSync(base);
    folder = mkdtempSync(join(base, 'ui-launch-'));
    // mkdtemp makes it 0700 and ours; said again here, since the secret's safety rests on it.
    const stats = lstatSync(folder);
    const uid = process.getuid?.();
    if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid) || (process.platform !== 'win32' && (stats.mode & 0o077) !== 0)) {
      throw new Error('the launch folder is not private');
    }
    const path = join(folder, LAUNCH_FILE_NAME);
    // 'wx': a file (or link) already there is an error, never followed or reused.
    const fd = openSync(path, 'wx', 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, launchPage(url));
    } finally {
      closeSync(fd);
    }
    const made = folder;
    let removed = false;
    return {
      path,
      remove() {
        if (removed) return;
        removed = true;
        rmSync(made, { recursive: true, force: true });
      },
    };
  } catch {
    if (folder) rmSync(folder, { recursive: true, force: true });
    return null;
  }
}

/** A page that goes straight on to url (a link too, should the browser not follow the refresh). */
export function launchPage(url: string): string {
  const href = escapeHtml(url);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="referrer" content="no-referrer">',
    `<meta http-equiv="refresh" content="0;url=${href}">`,
    '<title>Anaplan Connect Setup Assistant</title>',
    '</head>',
    `<body><p>Opening the Anaplan Connect Setup Assistant\u2026 If nothing happens, <a href="${href}">open it here</a>.</p></body>`,
    '</html>',
    '',
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
