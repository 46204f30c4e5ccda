import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import * as z from 'zod';
import type { Handlers } from '../../core/assistant.js';
import { AppError } from '../../errors.js';
import { createNodeAssistant } from '../../hosts/node-assistant.js';
import { settingsDir } from '../../store/settings-store.js';
import { startUiServer, type UiServer } from '../../web/server.js';
import { parseFlags } from '../options.js';
import { openSecretUrlInBrowser, type LaunchFile } from '../open-browser.js';
import type { Run } from '../run.js';

const UiFlags = z.object({
  port: z.coerce
    .number({ error: 'must be a port number (0-65535)' })
    .int('must be a port number (0-65535)')
    .min(0, 'must be a port number (0-65535)')
    .max(65535, 'must be a port number (0-65535)')
    .optional(),
  open: z.boolean().default(true),
});

/**
 * The renderer build beside this CLI build: out/renderer next to out/cli, found by walking up
 * from this code's own file (which sits in out/cli or a chunk folder below it).
 */
export function rendererDir(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'cli')) && existsSync(join(dir, 'renderer', 'index.html'))) return join(dir, 'renderer');
  }
  throw new AppError('io', 'The assistant\u2019s web pages were not found next to this command: run `npm run build` in the project folder.');
}

export function registerUi(program: Command, run: Run): void {
  program
    .command('ui')
    .description('serve the assistant in a browser on 127.0.0.1 (headless servers: use an SSH tunnel)')
    .option('--port <n>', 'port to listen on (default: a free one)')
    .option('--no-open', 'do not try to open a browser')
    .addHelpText(
      'after',
      '\nOn a headless server:\n  anaplan-setup ui --port 8765 --no-open\n  # on your desktop: ssh -L 8765:127.0.0.1:8765 user@server, then open the printed URL\nThe URL carries a one-time secret: the first browser that opens it gets the session and the URL stops working.\nThe browser is opened on a private file that leads to it, never with the URL in its arguments.',
    )
    .action((options: Record<string, unknown>) =>
      run(options, async () => {
        const flags = parseFlags(UiFlags, options);
        let server: UiServer | undefined;
        let handlers: Handlers | undefined;
        // The browser is opened on this file, never on the URL: see openSecretUrlInBrowser.
        let launchFile: LaunchFile | null = null;
        const removeLaunchFile = () => launchFile?.remove();
        server = await startUiServer({
          rendererDir: rendererDir(),
          port: flags.port,
          handlers: () => (handlers ??= createNodeAssistant((event, payload) => server?.emit(event, payload))),
          // Once the page has its session the link is dead: its file has done its work.
          onLaunched: removeLaunchFile,
        });
        process.once('exit', removeLaunchFile);
        process.stdout.write(
          `Anaplan Connect Setup Assistant is running at:\n  ${server.url}\nThis link works once, in one browser. Press Ctrl+C to stop.\n`,
        );
        if (flags.open && !server.launched) launchFile = openSecretUrlInBrowser(server.url, settingsDir());
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
        removeLaunchFile();
        // A device-code sign-in may still be polling, waiting out its interval, with no page left
        // to report to: end now rather than when its code expires minutes later.
        process.exit(0);
      }),
    );
}
