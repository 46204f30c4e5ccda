import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { planBasicExport } from '../../core/export-job.js';
import { writeFilesSafely } from '../../fs/atomic.js';
import { APP_VERSION } from '../../core/version.js';
import { PRODUCT_NAME } from '../../core/assistant.js';
import { EmailFlag, HexIdFlag, addEndpointOptions, addJsonOption, parseFlags } from '../options.js';
import type { Run } from '../run.js';
import { readSecret } from '../secret-input.js';

const ExportFlags = z.object({
  method: z.enum(['basic', 'certificate', 'oauth'], { error: 'must be basic, certificate or oauth' }),
  user: EmailFlag,
  platform: z.enum(['linux', 'windows', 'all'], { error: 'must be linux, windows or all' }).default('all'),
  out: z.string({ error: 'is required (the folder to write into)' }).min(1),
  workspaceId: HexIdFlag.optional(),
  modelId: HexIdFlag.optional(),
  passwordSource: z.enum(['env', 'prompt', 'inline'], { error: 'must be env, prompt or inline' }).default('env'),
  passwordVariable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').default('ANAPLAN_PASSWORD'),
  passwordFile: z.string().optional(),
  passwordEnv: z.string().optional(),
  overwrite: z.boolean().default(false),
  region: z.string().optional(),
  authUrl: z.string().optional(),
  apiUrl: z.string().optional(),
  oauthUrl: z.string().optional(),
});

export function registerExport(program: Command, run: Run): void {
  const command = program
    .command('export')
    .description('write a ready Anaplan Connect job (anaplan-connect.sh / .bat and README.md) into a folder')
    .requiredOption('--method <method>', 'basic (certificate and oauth: see later versions)')
    .option('--user <email>', 'the Anaplan user')
    .option('--platform <platform>', 'linux, windows or all', 'all')
    .option('--out <dir>', 'the folder to write into (created if missing)')
    .option('--workspace-id <id>', 'workspace ID (32 hex characters), written as -workspace_id')
    .option('--model-id <id>', 'model ID (32 hex characters), written as -model_id')
    .option('--password-source <source>', 'how the job gets the password: env (default: the job reads an environment variable), prompt (Anaplan Connect asks), inline (written into the script: only if you accept that risk)', 'env')
    .option('--password-variable <name>', 'the environment variable the job reads the password from', 'ANAPLAN_PASSWORD')
    .option('--password-file <path>', 'with --password-source inline: read the password to write from this file')
    .option('--password-env <var>', 'with --password-source inline: read the password to write from this environment variable')
    .option('--overwrite', 'replace files that differ (a numbered .bak copy is kept)');
  addEndpointOptions(command);
  addJsonOption(command)
    .addHelpText('after', '\nExample:\n  anaplan-setup export --method basic --user integration@example.com --platform all --out ./job \\\n    --workspace-id 8A81B08A6E9A2D0A016EA2B7F4C05E21 --model-id 3F2A9C1D5B7E4A6C8D0E1F2A3B4C5D6E --region eu3')
    .action((options: Record<string, unknown>) =>
      run(options, async (out) => {
        const flags = parseFlags(ExportFlags, options);
        if (flags.method !== 'basic') {
          throw new AppError('unsupported', `Export for --method ${flags.method} is not available in this version yet. Use --method basic.`);
        }
        const password =
          flags.passwordSource === 'inline'
            ? await readSecret('password', 'password', { file: flags.passwordFile, env: flags.passwordEnv }, { allowPrompt: !out.json })
            : undefined;
        if (flags.passwordSource !== 'inline' && (flags.passwordFile || flags.passwordEnv)) {
          throw new AppError('bad_input', '--password-file/--password-env are only used with --password-source inline. Nothing was written.');
        }
        const plan = planBasicExport(
          {
            email: flags.user,
            endpoints: { region: flags.region, authUrl: flags.authUrl, apiUrl: flags.apiUrl, oauthUrl: flags.oauthUrl },
            workspaceId: flags.workspaceId,
            modelId: flags.modelId,
          },
          {
            platforms: flags.platform === 'all' ? ['linux', 'windows'] : [flags.platform],
            passwordSource: flags.passwordSource,
            passwordEnvVar: flags.passwordVariable,
            password,
          },
          `${PRODUCT_NAME} ${APP_VERSION}`,
          new Date(),
        );
        const dir = resolve(flags.out);
        const written = await writeFilesSafely(dir, plan.files, { overwrite: flags.overwrite });
        for (const warning of plan.warnings) out.info(`Note: ${warning}`);
        out.result({ files: written.map((f) => f.path), details: written, warnings: plan.warnings }, () =>
          written.map((f) => `${f.status.padEnd(9)} ${f.path}`).join('\n'),
        );
      }),
    );
}
