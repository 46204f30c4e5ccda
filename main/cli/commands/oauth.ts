import { resolve } from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import type { PollStatus } from '../../anaplan/device-grant.js';
import { runDeviceFlow, tokenStoreOfFailure, type DeviceCodeView } from '../../core/device-flow.js';
import { toErrorPayload } from '../../errors.js';
import { createHttpClient } from '../../net/http.js';
import { exitCodeFor, jsonLine, terminalSafe } from '../output.js';
import { addEndpointOptions, addJsonOption, addNetworkOptions, endpointFlagsOf, endpointsFrom, httpSettingsFrom, parseFlags } from '../options.js';
import { defaultTokenStoreDir, jobAccount } from '../../core/job-account.js';
import { tokenStorePlacement } from '../../core/job-placement.js';
import { shellWord } from '../../pki/posix-shell.js';
import type { Run } from '../run.js';
import { openInBrowser } from '../open-browser.js';

const OAuthFlags = z.object({
  clientId: z.string({ error: 'is required (the Device grant OAuth client\u2019s ID)' }).trim().min(1, 'is required'),
  rotatable: z.boolean().default(false),
  tokenStoreDir: z.string().optional(),
  open: z.boolean().default(false),
  encoding: z.enum(['form', 'json'], { error: 'must be form or json' }).default('form'),
  runAs: z.string().optional(),
  json: z.boolean().default(false),
});

/** One JSON object per line in --json mode: code, status…, then done or error. */
function line(value: unknown): void {
  process.stdout.write(jsonLine(value));
}

export function registerOAuth(program: Command, run: Run): void {
  const command = program
    .command('oauth')
    .description('sign in with the OAuth 2.0 device grant and write Anaplan Connect\u2019s refresh-token store for unattended jobs')
    .option('--client-id <id>', 'the Device grant OAuth client\u2019s ID (from the Tenant security administrator)')
    .option('--rotatable', 'the client\u2019s refresh tokens rotate (the exported job then passes --rotatable)')
    .option('--token-store-dir <dir>', 'where to write ks_<…>.jks: the folder the job sets as AC_OAUTH_KEYSTORE_DIR (default: $AC_OAUTH_KEYSTORE_DIR, else your home)')
    .option('--run-as <account>', 'the account that runs the job (default: yours): the token store goes into its home (unless --token-store-dir) and, as root, is made its own')
    .option('--open', 'open the sign-in page in a browser (only when it is on the OAuth host in use)')
    .option('--encoding <encoding>', 'request bodies: form (RFC 8628, default) or json (as Anaplan\u2019s Postman collection)', 'form');
  addEndpointOptions(command);
  addNetworkOptions(command);
  addJsonOption(command)
    .addHelpText(
      'after',
      '\nThe integration user must be an SSO exception user: the device grant is disabled for SSO users.\n--json prints one JSON object per line: {"event":"code",…}, {"event":"status",…}, then {"event":"done","tokenStore","user"} or {"event":"error","code","message"} (with "tokenStore" when the refresh token was saved before the failure: retry with login --method oauth, no new code needed).\nExample:\n  anaplan-setup oauth --client-id 3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e --region eu3 --token-store-dir /home/integration/.anaplan/oauth --json',
    )
    .action((options: Record<string, unknown>) =>
      run(options, async (out) => {
        const flags = parseFlags(OAuthFlags, options);
        const endpoints = endpointsFrom(options);
        const http = createHttpClient(httpSettingsFrom(options));
        const controller = new AbortController();
        const cancel = () => controller.abort();
        process.once('SIGINT', cancel);
        process.once('SIGTERM', cancel);
        const status = statusPrinter(flags.json);
        const account = jobAccount(flags.runAs);
        const storeDir = resolve(flags.tokenStoreDir ?? defaultTokenStoreDir(account));
        // For another account, where this process cannot give it files: the store is staged, then placed by the commands shown.
        const placement = tokenStorePlacement(account, storeDir);
        try {
          const result = await runDeviceFlow({
            http,
            endpoints,
            clientId: flags.clientId,
            tokenStoreDir: placement.writeDir,
            encoding: flags.encoding,
            signal: controller.signal,
            onCode: (code) => {
              showCode(code, flags.json);
              if (flags.open) openInBrowser(code.verificationUriComplete ?? code.verificationUri);
            },
            onStatus: status.update,
          });
          status.end();
          const user = result.login.user;
          const { tokenStore, handOverCommands } = await placement.place(result.tokenStore);
          const exportHint = `anaplan-setup export --method oauth --client-id ${shellWord(flags.clientId)}${flags.rotatable ? ' --rotatable' : ''} --token-store-dir ${shellWord(storeDir)}${account.current ? '' : ` --run-as ${account.name}`}${endpointFlagsOf(options)} --out DIR`;
          if (flags.json) line({ event: 'done', tokenStore, user, workspaces: result.login.workspaces, rotatable: flags.rotatable, runAs: account.name, handOverCommands, next: exportHint });
          else
            out.result(null, () =>
              [
                `Signed in as ${user.email}.`,
                `Anaplan Connect's token store: ${tokenStore}${account.current ? '' : ` (for ${account.name})`}`,
                ...(handOverCommands.length > 0 ? [`It was saved in ${result.tokenStore}: this account cannot give ${account.name} files. Place it with:`, ...handOverCommands.map((command) => `  ${command}`)] : []),
                `Next, export the job with (add --workspace-id and --model-id): ${exportHint}`,
              ].join('\n'),
            );
        } catch (error) {
          status.end();
          if (!flags.json) throw error;
          const payload = toErrorPayload(error);
          // Failed after the token store was written: a script can tell that no new code is needed.
          const tokenStore = tokenStoreOfFailure(error);
          line({ event: 'error', code: payload.code, message: payload.message, ...(tokenStore ? { tokenStore } : {}) });
          process.exitCode = exitCodeFor(error);
        } finally {
          process.off('SIGINT', cancel);
          process.off('SIGTERM', cancel);
          await http.close();
        }
      }),
    );
}

function showCode(code: DeviceCodeView, json: boolean): void {
  if (json) {
    line({ event: 'code', userCode: code.userCode, verificationUri: code.verificationUri, verificationUriComplete: code.verificationUriComplete, expiresIn: code.expiresIn, interval: code.interval });
    return;
  }
  const minutes = Math.round(code.expiresIn / 60);
  // What the server said, made safe for the terminal (the URIs were checked against the OAuth host already).
  const [uri, userCode, complete] = [code.verificationUri, code.userCode, code.verificationUriComplete].map((text) => (text === null ? null : terminalSafe(text)));
  process.stderr.write(
    [
      '',
      `  Open ${uri}`,
      `  and enter the code:  ${userCode}`,
      complete ? `  (or open ${complete} directly${process.stderr.isTTY ? ', or scan:' : ''})` : '',
      '',
      // The QR code is drawn with terminal colours: only where a terminal shows them.
      process.stderr.isTTY ? code.qrTerminal : '',
      `  The code is valid for about ${minutes} minute${minutes === 1 ? '' : 's'}. Sign in as the integration user (an SSO exception user).`,
      '',
    ].join('\n'),
  );
}

/** Human mode: one live status line (rewritten in place on a terminal); --json: status events. */
function statusPrinter(json: boolean) {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update(status: PollStatus): void {
      if (json) {
        line({ event: 'status', ...status });
        return;
      }
      const text =
        status.state === 'pending'
          ? `Waiting for the sign-in… (code valid for ${Math.max(0, Math.round(status.expiresInMs / 1000))} s more)`
          : status.state === 'slow_down'
            ? `Anaplan asked to poll less often: every ${status.interval} s now.`
            : `Connection problem (${status.reason}); trying again…`;
      process.stderr.write(tty ? `\r\x1b[2K${terminalSafe(text)}` : `${terminalSafe(text)}\n`);
      shown = true;
    },
    end(): void {
      if (!json && tty && shown) process.stderr.write('\n');
    },
  };
}
