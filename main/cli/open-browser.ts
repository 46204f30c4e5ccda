import { spawn } from 'node:child_process';

/** Opens a URL in the person's browser; on a machine without one it says so and goes on. */
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
