import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { loginBasic } from '../../core/login.js';
import { createHttpClient } from '../../net/http.js';
import { EmailFlag, addEndpointOptions, addJsonOption, addNetworkOptions, endpointsFrom, httpSettingsFrom, parseFlags } from '../options.js';
import type { Run } from '../run.js';
import { readSecret } from '../secret-input.js';

const LoginFlags = z.object({
  method: z.enum(['basic', 'certificate', 'oauth'], { error: 'must be basic, certificate or oauth' }),
  user: EmailFlag.optional(),
  passwordFile: z.string().optional(),
  passwordEnv: z.string().optional(),
});

export function registerLogin(program: Command, run: Run): void {
  const command = program
    .command('login')
    .description('test a login and list the workspaces and models the user can reach')
    .requiredOption('--method <method>', 'basic (certificate and oauth: see later versions)')
    .option('--user <email>', 'the Anaplan user (Basic)')
    .option('--password-file <path>', 'read the password from this file (one trailing newline is ignored)')
    .option('--password-env <var>', 'read the password from this environment variable');
  addEndpointOptions(command);
  addNetworkOptions(command);
  addJsonOption(command)
    .addHelpText('after', '\nWithout --password-file/--password-env the password is asked for on the terminal.\nExample:\n  anaplan-setup login --method basic --user integration@example.com --password-env ANAPLAN_PASSWORD --region eu3 --json')
    .action((options: Record<string, unknown>) =>
      run(options, async (out) => {
        const flags = parseFlags(LoginFlags, options);
        if (flags.method !== 'basic') {
          throw new AppError('unsupported', `Login with --method ${flags.method} is not available in this version yet. Use --method basic.`);
        }
        if (!flags.user) throw new AppError('bad_input', '--user is required for --method basic (the Anaplan user\u2019s email).');
        const endpoints = endpointsFrom(options);
        const http = createHttpClient(httpSettingsFrom(options));
        try {
          const password = await readSecret('password', 'password', { file: flags.passwordFile, env: flags.passwordEnv }, { allowPrompt: !out.json });
          out.info(`Signing in as ${flags.user} at ${endpoints.authUrl} …`);
          const result = await loginBasic(http, endpoints, flags.user, password);
          out.result(result, () => describeLogin(result));
        } finally {
          await http.close();
        }
      }),
    );
}

function describeLogin(result: Awaited<ReturnType<typeof loginBasic>>): string {
  const name = [result.user.firstName, result.user.lastName].filter(Boolean).join(' ');
  const lines = [`Login OK: ${result.user.email}${name ? ` (${name})` : ''}`];
  if (result.workspaces.length === 0) lines.push('No workspaces are visible to this user: ask a workspace administrator to add the user.');
  for (const workspace of result.workspaces) {
    lines.push(`  workspace ${workspace.id}  ${workspace.name}`);
    for (const model of workspace.models) lines.push(`      model ${model.id}  ${model.name}`);
  }
  return lines.join('\n');
}
