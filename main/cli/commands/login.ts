import { X509Certificate, type KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import * as z from 'zod';
import type { LoginResult } from '../../contract.js';
import { AppError } from '../../errors.js';
import { loginWithTokenStore } from '../../core/device-flow.js';
import { loginBasic, loginCertificate } from '../../core/login.js';
import { tokenStoreDir } from '../../anaplan/token-store.js';
import { createHttpClient } from '../../net/http.js';
import { readPkcs12Entry } from '../../pki/keystore.js';
import { readPrivateKeyFile } from '../../pki/keys.js';
import { EmailFlag, addEndpointOptions, addJsonOption, addNetworkOptions, endpointsFrom, httpSettingsFrom, parseFlags } from '../options.js';
import type { Output } from '../output.js';
import type { Run } from '../run.js';
import { readInput } from '../read-input.js';
import { readGivenSecret, readSecret } from '../secret-input.js';

const LoginFlags = z.object({
  method: z.enum(['basic', 'certificate', 'oauth'], { error: 'must be basic, certificate or oauth' }),
  user: EmailFlag.optional(),
  passwordFile: z.string().optional(),
  passwordEnv: z.string().optional(),
  certificate: z.string().optional(),
  key: z.string().optional(),
  passphraseFile: z.string().optional(),
  passphraseEnv: z.string().optional(),
  keystore: z.string().optional(),
  alias: z.string().optional(),
  keystorePasswordFile: z.string().optional(),
  keystorePasswordEnv: z.string().optional(),
  clientId: z.string().optional(),
  tokenStoreDir: z.string().optional(),
  rotatable: z.boolean().default(false),
  encoding: z.enum(['form', 'json'], { error: 'must be form or json' }).default('form'),
});
type Flags = z.output<typeof LoginFlags>;

export function registerLogin(program: Command, run: Run): void {
  const command = program
    .command('login')
    .description('test a login and list the workspaces and models the user can reach')
    .requiredOption('--method <method>', 'basic, certificate or oauth')
    .option('--user <email>', 'basic: the Anaplan user')
    .option('--password-file <path>', 'basic: read the password from this file (one trailing newline is ignored)')
    .option('--password-env <var>', 'basic: read the password from this environment variable')
    .option('--certificate <file>', 'certificate: the certificate (PEM or DER), with --key')
    .option('--key <file>', 'certificate: its private key (PKCS#8 PEM)')
    .option('--passphrase-file <path>', 'certificate: the key\u2019s passphrase, from this file')
    .option('--passphrase-env <var>', 'certificate: the key\u2019s passphrase, from this environment variable')
    .option('--keystore <file>', 'certificate: a PKCS#12 keystore instead of --certificate/--key')
    .option('--alias <alias>', 'certificate: the key alias in the keystore')
    .option('--keystore-password-file <path>', 'certificate: the keystore password, from this file')
    .option('--keystore-password-env <var>', 'certificate: the keystore password, from this environment variable')
    .option('--client-id <id>', 'oauth: the Device grant OAuth client\u2019s ID')
    .option('--token-store-dir <dir>', 'oauth: the folder of Anaplan Connect\u2019s token store (default: $AC_OAUTH_KEYSTORE_DIR, else your home); a rotated refresh token is written back')
    .option('--rotatable', 'oauth: you know the client\u2019s refresh tokens rotate (without it, a rotated token is reported with a warning: the job needs --rotatable)')
    .option('--encoding <encoding>', 'oauth: request bodies, form (default) or json', 'form');
  addEndpointOptions(command);
  addNetworkOptions(command);
  addJsonOption(command)
    .addHelpText(
      'after',
      '\nWithout a -file/-env source, secrets are asked for on the terminal.\nExamples:\n  anaplan-setup login --method basic --user integration@example.com --password-env ANAPLAN_PASSWORD --region eu3 --json\n  anaplan-setup login --method certificate --keystore ./certificate/keystore.p12 --alias anaplan-connect --keystore-password-env KEYSTORE_PASSWORD --json\n  anaplan-setup login --method certificate --certificate ./certificate/certificate.pem --key ./certificate/private-key.pem --passphrase-env KEY_PASSPHRASE\n  anaplan-setup login --method oauth --client-id 3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e --token-store-dir /home/integration/.anaplan/oauth --region eu3',
    )
    .action((options: Record<string, unknown>) =>
      run(options, async (out) => {
        const flags = parseFlags(LoginFlags, options);
        const endpoints = endpointsFrom(options);
        const http = createHttpClient(httpSettingsFrom(options));
        try {
          let result: LoginResult;
          if (flags.method === 'basic') {
            if (!flags.user) throw new AppError('bad_input', '--user is required for --method basic (the Anaplan user\u2019s email).');
            const password = await readSecret('password', 'password', { file: flags.passwordFile, env: flags.passwordEnv }, { allowPrompt: !out.json });
            out.info(`Signing in as ${flags.user} at ${endpoints.authUrl ?? 'the auth URL'} …`);
            result = await loginBasic(http, endpoints, flags.user, password);
          } else if (flags.method === 'oauth') {
            if (!flags.clientId) throw new AppError('bad_input', '--client-id is required for --method oauth.');
            out.info('Signing in with the stored refresh token …');
            const login = await loginWithTokenStore({ http, endpoints, clientId: flags.clientId, tokenStoreDir: flags.tokenStoreDir ?? tokenStoreDir(), encoding: flags.encoding, knownRotatable: flags.rotatable });
            if (login.rotated) out.info('Anaplan sent a new refresh token (rotatable client): the token store was updated.');
            result = login;
          } else {
            const credentials = await certificateCredentials(flags, out);
            out.info(`Signing in with the certificate at ${endpoints.authUrl ?? 'the auth URL'} …`);
            result = await loginCertificate(http, endpoints, credentials.leafPem, credentials.privateKey);
          }
          out.result(result, () => describeLogin(result));
        } finally {
          await http.close();
        }
      }),
    );
}

/** The certificate and its key, from a keystore or from the two files (anaplan-facts §5's two forms). */
async function certificateCredentials(flags: Flags, out: Output): Promise<{ leafPem: string; privateKey: KeyObject }> {
  if (flags.keystore) {
    if (flags.certificate || flags.key) throw new AppError('bad_input', 'Give either --keystore with --alias, or --certificate with --key, not both.');
    if (!flags.alias) throw new AppError('bad_input', '--alias is required with --keystore (the key alias, e.g. anaplan-connect).');
    const password = await readSecret('keystore password', 'keystore-password', { file: flags.keystorePasswordFile, env: flags.keystorePasswordEnv }, { allowPrompt: !out.json });
    const entry = readPkcs12Entry(await readInput(flags.keystore, 'keystore'), flags.alias, password);
    return { leafPem: entry.certificate.toString(), privateKey: entry.privateKey };
  }
  if (!flags.certificate || !flags.key) {
    throw new AppError('bad_input', 'For --method certificate give --keystore FILE --alias A (with --keystore-password-file/-env), or --certificate FILE --key FILE (with --passphrase-file/-env for an encrypted key).');
  }
  const passphrase = readGivenSecret('key passphrase', 'passphrase', { file: flags.passphraseFile, env: flags.passphraseEnv });
  const privateKey = await readPrivateKeyFile(flags.key, passphrase);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(await readInput(flags.certificate, 'certificate'));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('bad_input', `${flags.certificate} is not a certificate (PEM or DER). Give the certificate.pem that import-cert wrote.`);
  }
  return { leafPem: leaf.toString(), privateKey };
}

function describeLogin(result: LoginResult): string {
  const name = [result.user.firstName, result.user.lastName].filter(Boolean).join(' ');
  const lines = [`Login OK: ${result.user.email}${name ? ` (${name})` : ''}`];
  if (result.workspaces.length === 0) lines.push('No workspaces are visible to this user: ask a workspace administrator to add the user.');
  for (const workspace of result.workspaces) {
    lines.push(`  workspace ${workspace.id}  ${workspace.name}`);
    for (const model of workspace.models) lines.push(`      model ${model.id}  ${model.name}`);
  }
  for (const warning of result.warnings ?? []) lines.push(`Warning: ${warning}`);
  return lines.join('\n');
}
