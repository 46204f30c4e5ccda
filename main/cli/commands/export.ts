import { X509Certificate } from 'node:crypto';
import { homedir } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tokenStoreFileName } from '../../anaplan/token-store.js';
import type { Command } from 'commander';
import * as z from 'zod';
import { AppError } from '../../errors.js';
import { defaultTokenStoreDir, jobAccount, type JobAccount } from '../../core/job-account.js';
import { handOverSteps, writeJobFiles } from '../../core/job-placement.js';
import { shellWord } from '../../pki/posix-shell.js';
import { bundleOf, keystoreAccessFile, planBasicExport, planCertificateExport, planOAuthExport, type ExportPlan, type ExportTarget, type HomeFile, type JobOptions } from '../../core/export-job.js';
import { APP_VERSION, PRODUCT_NAME } from '../../core/version.js';
import { composeOperation, type CertificateCredentials } from '../../export/index.js';
import { ABSOLUTE_PATH } from '../../export/operation-rules.js';
import { readPkcs12Entry } from '../../pki/keystore.js';
import type { Platform } from '../../store/settings-schema.js';
import { EmailFlag, HexIdFlag, addEndpointOptions, addJsonOption, parseFlags } from '../options.js';
import type { Output } from '../output.js';
import type { Run } from '../run.js';
import { readInput } from '../read-input.js';
import { readSecret } from '../secret-input.js';

const EnvVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const WholeNumber = z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number');

const ExportFlags = z.object({
  method: z.enum(['basic', 'certificate', 'oauth'], { error: 'must be basic, certificate or oauth' }),
  user: EmailFlag.optional(),
  platform: z.enum(['linux', 'windows', 'all'], { error: 'must be linux, windows or all' }).default('all'),
  out: z.string({ error: 'is required (the folder to write into)' }).min(1),
  workspaceId: HexIdFlag.optional(),
  modelId: HexIdFlag.optional(),
  passwordSource: z.enum(['env', 'prompt', 'inline'], { error: 'must be env, prompt or inline' }).default('env'),
  passwordVariable: EnvVarName.default('ANAPLAN_PASSWORD'),
  passwordFile: z.string().optional(),
  passwordEnv: z.string().optional(),
  keystore: z.string().optional(),
  alias: z.string().optional(),
  keystorePasswordSource: z.enum(['file', 'inline'], { error: 'must be file or inline' }).default('file'),
  keystorePasswordFile: z.string().optional(),
  keystorePasswordEnv: z.string().optional(),
  jobHome: z.string().optional(),
  certificate: z.string().optional(),
  key: z.string().optional(),
  keyPassphraseSource: z.enum(['env', 'inline', 'none'], { error: 'must be env, inline or none' }).default('env'),
  keyPassphraseVariable: EnvVarName.default('ANAPLAN_KEY_PASSPHRASE'),
  passphraseFile: z.string().optional(),
  passphraseEnv: z.string().optional(),
  clientId: z.string().optional(),
  rotatable: z.boolean().default(false),
  tokenStoreDir: z.string().optional(),
  overwrite: z.boolean().default(false),
  bundle: z.boolean().default(false),
  proxy: z.string().optional(),
  proxyUser: z.string().optional(),
  proxyPasswordVariable: EnvVarName.optional(),
  maxRetryCount: WholeNumber.optional(),
  retryTimeout: WholeNumber.optional(),
  httpTimeout: WholeNumber.optional(),
  chunkSize: WholeNumber.optional(),
  anaplanConnectDir: z.string().optional(),
  javaHome: z.string().optional(),
  logDir: z.string().optional(),
  onFailure: z.string().optional(),
  schedule: z.string().optional(),
  scheduleAccount: z.string().optional(),
  runAs: z.string().optional(),
  operation: z.enum(['import', 'process', 'export'], { error: 'must be import, process or export' }).optional(),
  file: z.string().optional(),
  localFile: z.string().optional(),
  import: z.string().optional(),
  process: z.string().optional(),
  export: z.string().optional(),
  region: z.string().optional(),
  authUrl: z.string().optional(),
  apiUrl: z.string().optional(),
  oauthUrl: z.string().optional(),
});
type Flags = z.output<typeof ExportFlags>;

export function registerExport(program: Command, run: Run): void {
  const command = program
    .command('export')
    .description('write a ready Anaplan Connect job (anaplan-connect.sh / .bat and README.md) into a folder')
    .requiredOption('--method <method>', 'basic, certificate or oauth')
    .option('--user <email>', 'the Anaplan user (required for basic)')
    .option('--platform <platform>', 'linux, windows or all', 'all')
    .option('--out <dir>', 'the folder to write into (created if missing)')
    .option('--workspace-id <id>', 'workspace ID (32 hex characters), written as -workspace_id')
    .option('--model-id <id>', 'model ID (32 hex characters), written as -model_id')
    .option('--password-source <source>', 'basic: env (default: the job reads an environment variable), prompt (Anaplan Connect asks), inline (written into the script: only if you accept that risk)', 'env')
    .option('--password-variable <name>', 'basic: the environment variable the job reads the password from', 'ANAPLAN_PASSWORD')
    .option('--password-file <path>', 'basic, with --password-source inline: the password to write, from this file')
    .option('--password-env <var>', 'basic, with --password-source inline: the password to write, from this environment variable')
    .option('--keystore <file>', 'certificate: the keystore (keystore.p12) the job uses, with --alias')
    .option('--alias <alias>', 'certificate: the key alias in the keystore')
    .option('--keystore-password-source <source>', 'certificate keystore: file (default: written to ~/.anaplan/api-client/keystore-access.txt of the job account, off the command line) or inline (-keystorepass in the script)', 'file')
    .option('--keystore-password-file <path>', 'certificate keystore: the keystore password, from this file')
    .option('--keystore-password-env <var>', 'certificate keystore: the keystore password, from this environment variable')
    .option('--job-home <dir>', 'certificate keystore: the home folder of the account that runs the job (default: yours)')
    .option('--certificate <file>', 'certificate: the certificate file the job uses, with --key (instead of --keystore)')
    .option('--key <file>', 'certificate: its private key (PKCS#8 PEM)')
    .option('--key-passphrase-source <source>', 'certificate files: env (default), inline (written into the script) or none (unencrypted key)', 'env')
    .option('--key-passphrase-variable <name>', 'certificate files: the environment variable the job reads the key passphrase from', 'ANAPLAN_KEY_PASSPHRASE')
    .option('--passphrase-file <path>', 'certificate files, with --key-passphrase-source inline: the passphrase to write, from this file')
    .option('--passphrase-env <var>', 'certificate files, with --key-passphrase-source inline: the passphrase to write, from this environment variable')
    .option('--client-id <id>', 'oauth: the Device grant OAuth client\u2019s ID')
    .option('--rotatable', 'oauth: the client\u2019s refresh tokens rotate (the job passes --rotatable so each new one is saved)')
    .option('--token-store-dir <dir>', 'oauth: the folder of the token store, set as AC_OAUTH_KEYSTORE_DIR in the script (default: $AC_OAUTH_KEYSTORE_DIR, else your home)')
    .option('--operation <preset>', 'what the job does: import (upload --file from --local-file, run --import), process (run --process) or export (run --export, save to --local-file)')
    .option('--file <name>', 'with --operation import: the Anaplan file the import reads')
    .option('--local-file <path>', 'with --operation import: the file on the server to upload; export: where to save the download')
    .option('--import <name>', 'with --operation import: the import to run')
    .option('--process <name>', 'with --operation process: the process to run')
    .option('--export <name>', 'with --operation export: the export to run')
    .option('--proxy <url>', 'the proxy the job uses (Anaplan Connect -via), with an explicit port: http://proxy.example.com:8080')
    .option('--proxy-user <user>', 'the proxy user (-viauser), [DOMAIN\\[workstation\\]]user for NTLM; its password comes from --proxy-password-variable when the job runs')
    .option('--proxy-password-variable <name>', 'the environment variable the job reads the proxy password from')
    .option('--max-retry-count <n>', 'Anaplan Connect -maxretrycount (3-15)')
    .option('--retry-timeout <seconds>', 'Anaplan Connect -retrytimeout (3-120 s)')
    .option('--http-timeout <seconds>', 'Anaplan Connect -httptimeout (60-300 s)')
    .option('--chunk-size <mb>', 'Anaplan Connect -chunksize (1-50 MB)')
    .option('--anaplan-connect-dir <dir>', 'the Anaplan Connect folder on the server (default: the script\u2019s own folder)')
    .option('--java-home <dir>', 'JAVA_HOME for the job (default: JAVA_HOME or java on the PATH)')
    .option('--log-dir <dir>', 'the folder for the dated logs (default: logs next to the script)')
    .option('--on-failure <command>', 'a command to run when Anaplan Connect fails (gets ANAPLAN_JOB_EXIT_CODE and ANAPLAN_JOB_LOG)')
    .option('--schedule <HH:MM>', 'a daily run at this time: crontab.txt / schtasks.txt and README')
    .option('--schedule-account <account>', 'the account the schedule runs as (default: --run-as, else yours)')
    .option('--run-as <account>', 'the account that runs the job (default: yours): keystore-access.txt and the token store are looked for in its home, and as root the job folder, its logs and keystore-access.txt are made its own')
    .option('--bundle', 'also write anaplan-connect-job.zip: the whole job as one file to copy to the server')
    .option('--overwrite', 'replace files that differ (a numbered .bak copy is kept, except of a script or bundle holding a secret: of that no copy is made)');
  addEndpointOptions(command);
  addJsonOption(command)
    .addHelpText(
      'after',
      '\nExamples:\n  anaplan-setup export --method basic --user integration@example.com --platform all --out ./job \\\n    --workspace-id 8A81B08A6E9A2D0A016EA2B7F4C05E21 --model-id 75A40874E6B64FA3AE0743278996850F --region eu3\n  anaplan-setup export --method certificate --keystore /opt/anaplan/keystore.p12 --alias anaplan-connect \\\n    --keystore-password-env KEYSTORE_PASSWORD --job-home /home/integration --out ./job --region eu3',
    )
    .action((options: Record<string, unknown>) =>
      run(options, async (out) => {
        const flags = parseFlags(ExportFlags, options);
        const account = jobAccount(flags.runAs);
        const outDir = resolve(flags.out);
        const target: ExportTarget = {
          operation: operationOf(flags),
          job: jobOf(flags, account),
          jobDir: outDir,
          email: flags.user ?? '',
          endpoints: { region: flags.region, authUrl: flags.authUrl, apiUrl: flags.apiUrl, oauthUrl: flags.oauthUrl },
          workspaceId: flags.workspaceId,
          modelId: flags.modelId,
        };
        const platforms: Platform[] = flags.platform === 'all' ? ['linux', 'windows'] : [flags.platform];
        const generatedBy = `${PRODUCT_NAME} ${APP_VERSION}`;
        let plan: ExportPlan;
        let homeFile: HomeFile | null = null;
        if (flags.method === 'basic') {
          if (!flags.user) throw new AppError('bad_input', '--user is required for --method basic (the Anaplan user\u2019s email).');
          plan = planBasicExport(target, { platforms, passwordSource: flags.passwordSource, passwordEnvVar: flags.passwordVariable, password: await basicPassword(flags, out) }, generatedBy, new Date());
        } else if (flags.method === 'certificate') {
          const chosen = await certificateCredentials(flags, out, account);
          homeFile = chosen.homeFile;
          plan = planCertificateExport(target, { platforms, credentials: chosen.credentials, certificateNotAfter: chosen.notAfter }, generatedBy, new Date());
        } else {
          if (!flags.clientId) throw new AppError('bad_input', '--client-id is required for --method oauth.');
          const dir = resolve(flags.tokenStoreDir ?? defaultTokenStoreDir(account));
          if (!existsSync(join(dir, tokenStoreFileName(flags.clientId)))) {
            out.info(`Note: there is no token store for this client in ${dir} yet: run anaplan-setup oauth --client-id ${flags.clientId}${flags.rotatable ? ' --rotatable' : ''} --token-store-dir ${shellWord(dir)}${account.current ? '' : ` --run-as ${account.name}`} before the job runs.`);
          }
          plan = planOAuthExport(target, { platforms, clientId: flags.clientId, rotatable: flags.rotatable, tokenStoreDir: dir }, generatedBy, new Date());
        }
        const files = flags.bundle ? [...plan.files, bundleOf(plan.files, homeFile, new Date())] : plan.files;
        const written = await writeJobFiles({ account, outDir, files, homeFile, overwrite: flags.overwrite, logDir: flags.logDir });
        const { handOverCommands } = written;
        const warnings = [...plan.warnings, ...written.warnings];
        const nextSteps = [...handOverSteps(account, handOverCommands), ...plan.nextSteps];
        for (const warning of warnings) out.info(`Note: ${warning}`);
        out.result({ files: written.files.map((f) => f.path), details: written.files, warnings, runAs: account.name, handOverCommands, nextSteps }, () =>
          [
            ...written.files.map((f) => `${f.status.padEnd(9)} ${f.path}`),
            '',
            "Before tonight's run:",
            ...nextSteps.flatMap((step, index) => [`  ${index + 1}. ${step.text}`, ...(step.command ? step.command.split('\n').map((line) => `       ${line}`) : [])]),
          ].join('\n'),
        );
      }),
    );
}

/** Where and how the job runs, from the flags; the export checks each against Anaplan Connect's ranges. */
function jobOf(flags: Flags, account: JobAccount): JobOptions {
  const scheduleAccount = flags.scheduleAccount ?? (account.current ? undefined : account.name);
  return {
    connection: {
      proxyUrl: flags.proxy,
      proxyUser: flags.proxyUser,
      proxyPasswordEnvVar: flags.proxyPasswordVariable,
      maxRetryCount: flags.maxRetryCount,
      retryTimeoutSeconds: flags.retryTimeout,
      httpTimeoutSeconds: flags.httpTimeout,
      chunkSizeMb: flags.chunkSize,
    },
    anaplanConnectDir: flags.anaplanConnectDir,
    javaHome: flags.javaHome,
    logDir: flags.logDir,
    onFailure: flags.onFailure,
    schedule: flags.schedule ? { time: flags.schedule, ...(scheduleAccount ? { account: scheduleAccount } : {}) } : undefined,
  };
}

/** The Operation for a common job, in Anaplan Connect's order and spelling (anaplan-facts §5). */
function operationOf(flags: Flags): string[] {
  const need = (value: string | undefined, flag: string): string => {
    if (!value) throw new AppError('bad_input', `--operation ${flags.operation} needs ${flag}.`);
    return value;
  };
  switch (flags.operation) {
    case undefined:
      return [];
    case 'import':
      return composeOperation({ kind: 'import', file: need(flags.file, '--file'), localFile: localFileOf(flags, need(flags.localFile, '--local-file')), importName: need(flags.import, '--import') });
    case 'process':
      return composeOperation({ kind: 'process', processName: need(flags.process, '--process') });
    case 'export':
      return composeOperation({ kind: 'export', exportName: need(flags.export, '--export'), localFile: localFileOf(flags, need(flags.localFile, '--local-file')) });
  }
}

/**
 * A relative --local-file means the folder the export ran in; the job runs Anaplan Connect from
 * its own folder, which would resolve it there (anaplan-facts §8), so the absolute path is written.
 * A Windows-only job is left as given: this machine's folders mean nothing there (the export refuses it).
 */
function localFileOf(flags: Flags, localFile: string): string {
  if (flags.platform === 'windows' || ABSOLUTE_PATH.test(localFile)) return localFile;
  return resolve(localFile);
}

async function basicPassword(flags: Flags, out: Output): Promise<string | undefined> {
  if (flags.passwordSource !== 'inline') {
    if (flags.passwordFile || flags.passwordEnv) throw new AppError('bad_input', '--password-file/--password-env are only used with --password-source inline. Nothing was written.');
    return undefined;
  }
  return readSecret('password', 'password', { file: flags.passwordFile, env: flags.passwordEnv }, { allowPrompt: !out.json });
}

/** The two forms Anaplan Connect accepts (anaplan-facts §5), from the flags; reads secrets only when they are written somewhere. */
async function certificateCredentials(flags: Flags, out: Output, account: JobAccount): Promise<{ credentials: CertificateCredentials; homeFile: HomeFile | null; notAfter: string | undefined }> {
  if (flags.keystore) {
    if (flags.certificate || flags.key) throw new AppError('bad_input', 'Give either --keystore with --alias, or --certificate with --key, not both (Anaplan Connect refuses -keystore after -privatekey).');
    if (!flags.alias) throw new AppError('bad_input', '--alias is required with --keystore (the key alias, e.g. anaplan-connect).');
    const password = await readSecret('keystore password', 'keystore-password', { file: flags.keystorePasswordFile, env: flags.keystorePasswordEnv }, { allowPrompt: !out.json });
    // Opening the keystore proves alias and password before they are written anywhere.
    const entry = readPkcs12Entry(await readInput(flags.keystore, 'keystore'), flags.alias, password);
    const jobHome = resolve(flags.jobHome ?? (account.current ? homedir() : account.home));
    const credentials: CertificateCredentials = {
      form: 'keystore',
      keystorePath: resolve(flags.keystore),
      alias: flags.alias,
      keystorePassword: flags.keystorePasswordSource === 'inline' ? { source: 'inline', value: password } : { source: 'file', jobHome },
    };
    const homeFile = flags.keystorePasswordSource === 'file' ? keystoreAccessFile(jobHome, password) : null;
    return { credentials, homeFile, notAfter: notAfterOf(entry.certificate) };
  }
  if (!flags.certificate || !flags.key) {
    throw new AppError('bad_input', 'For --method certificate give --keystore FILE --alias A, or --certificate FILE --key FILE.');
  }
  const leaf = await readCertificate(flags.certificate);
  const passphrase =
    flags.keyPassphraseSource === 'inline'
      ? await readSecret('key passphrase', 'passphrase', { file: flags.passphraseFile, env: flags.passphraseEnv }, { allowPrompt: !out.json })
      : null;
  const credentials: CertificateCredentials = {
    form: 'pem',
    certificatePath: resolve(flags.certificate),
    privateKeyPath: resolve(flags.key),
    keyPassphrase:
      flags.keyPassphraseSource === 'none'
        ? { source: 'none' }
        : passphrase !== null
          ? { source: 'inline', value: passphrase }
          : { source: 'env', envVar: flags.keyPassphraseVariable },
  };
  return { credentials, homeFile: null, notAfter: notAfterOf(leaf) };
}

/** The end of validity as ISO 8601; undefined when OpenSSL cannot read the date (the export then says nothing about it). */
function notAfterOf(certificate: X509Certificate): string | undefined {
  const date = new Date(certificate.validTo);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

async function readCertificate(path: string): Promise<X509Certificate> {
  try {
    return new X509Certificate(await readInput(path, 'certificate'));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('bad_input', `${path} is not a certificate (PEM or DER). Give the certificate.pem that import-cert wrote.`);
  }
}
