import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { jobAccount } from '../../core/job-account.js';
import { handOverNotice, importedPaths, placeImportedFiles } from '../../core/job-placement.js';
import { shellWord } from '../../pki/posix-shell.js';
import * as z from 'zod';
import { AppError } from '../../errors.js';
import { importCertificate, type ImportResult } from '../../pki/certificate-import.js';
import { addJsonOption, parseFlags } from '../options.js';
import type { Run } from '../run.js';
import { openSettings } from '../settings.js';
import { readGivenSecret, readSecret } from '../secret-input.js';

const ImportFlags = z.object({
  key: z.string().optional(),
  passphraseFile: z.string().optional(),
  passphraseEnv: z.string().optional(),
  filePasswordFile: z.string().optional(),
  filePasswordEnv: z.string().optional(),
  out: z.string({ error: 'is required (the folder for certificate.pem, chain.pem and keystore.p12)' }).min(1),
  alias: z.string().default('anaplan-connect'),
  keystorePasswordFile: z.string().optional(),
  keystorePasswordEnv: z.string().optional(),
  email: z.string().optional(),
  roots: z.string().optional(),
  overwrite: z.boolean().default(false),
  profile: z.string().trim().min(1).max(80).optional(),
  runAs: z.string().optional(),
});

export function registerImportCert(program: Command, run: Run): void {
  const command = program
    .command('import-cert')
    .description('import the certificate your CA sent (PEM, DER, PKCS#7, PKCS#12), check it against Anaplan\u2019s rules, and write certificate.pem, chain.pem and keystore.p12')
    .argument('<file>', 'what the CA sent: .pem/.crt/.cer, .p7b/.p7c, .p12/.pfx, or a chain file')
    .option('--key <keyfile>', 'the private key the certificate belongs to (PKCS#8 PEM); not needed for a PKCS#12 that holds the key')
    .option('--passphrase-file <path>', 'the key\u2019s passphrase, from this file')
    .option('--passphrase-env <var>', 'the key\u2019s passphrase, from this environment variable')
    .option('--file-password-file <path>', 'the PKCS#12 file\u2019s password, from this file')
    .option('--file-password-env <var>', 'the PKCS#12 file\u2019s password, from this environment variable')
    .option('--out <dir>', 'the folder to write into (created 0700 if missing)')
    .option('--run-as <account>', 'the account that runs the job (default: yours): as root, the folder and files written are made its own, so the job can read the keystore')
    .option('--alias <alias>', 'the key alias in keystore.p12 (lowercase letters, digits, - _ .)', 'anaplan-connect')
    .option('--keystore-password-file <path>', 'the keystore password (also the key password inside it), from this file')
    .option('--keystore-password-env <var>', 'the keystore password, from this environment variable')
    .option('--email <email>', 'warn when the certificate\u2019s email differs from this one')
    .option('--roots <json>', 'a JSON file with the supported root list, replacing the shipped one')
    .option('--overwrite', 'replace existing files (a numbered .bak copy of each is kept)')
    .option('--profile <name>', 'remember the imported certificate in the connection profile NAME (created if missing)');
  addJsonOption(command)
    .addHelpText(
      'after',
      '\nFindings that block (wrong key, TLS server certificate, expired, self-signed, …) give a non-zero exit and write nothing.\nExample:\n  anaplan-setup import-cert ~/Downloads/ada.p7b --key ./certificate/private-key.pem --passphrase-env KEY_PASSPHRASE \\\n    --out ./certificate --keystore-password-env KEYSTORE_PASSWORD --json',
    )
    .action((file: string, options: Record<string, unknown>) =>
      run(options, async (out) => {
        const flags = parseFlags(ImportFlags, options);
        const passphrase = flags.key ? readGivenSecret('key passphrase', 'passphrase', { file: flags.passphraseFile, env: flags.passphraseEnv }) : null;
        const filePassword = readGivenSecret('PKCS#12 file password', 'file-password', { file: flags.filePasswordFile, env: flags.filePasswordEnv });
        const keystorePassword = await readSecret('keystore password', 'keystore-password', { file: flags.keystorePasswordFile, env: flags.keystorePasswordEnv }, { allowPrompt: !out.json });
        if (!flags.key && !/\.(p12|pfx)$/i.test(file)) {
          throw new AppError('bad_input', 'Give --key with the private key the certificate belongs to (the private-key.pem next to your request.csr). Only a PKCS#12 (.p12/.pfx) file can bring its own key.');
        }
        // Known before anything is written: an account that does not exist stops the import.
        const account = jobAccount(flags.runAs);
        const outDirExisted = existsSync(resolve(flags.out));
        const result = await importCertificate({
          source: { path: resolve(file) },
          key: flags.key ? { path: resolve(flags.key), passphrase } : null,
          filePassword,
          outDir: resolve(flags.out),
          alias: flags.alias,
          keystorePassword,
          overwrite: flags.overwrite,
          expectedEmail: flags.email ?? null,
          rootsFile: flags.roots ?? null,
        });
        if (flags.profile) {
          const { recordImportedCertificate } = await import('../../core/profiles.js');
          recordImportedCertificate(await openSettings(), flags.profile, result, flags.key ? resolve(flags.key) : null, Boolean(passphrase));
        }
        const { handOverCommands } = await placeImportedFiles(account, resolve(flags.out), outDirExisted, importedPaths(result));
        const warnings = [...result.findings.map((finding) => finding.message), ...(handOverCommands.length > 0 ? [handOverNotice(account, handOverCommands)] : [])];
        for (const warning of warnings) out.info(`Warning: ${warning}`);
        const next = `anaplan-setup export --method certificate --keystore ${shellWord(result.keystorePath)} --alias ${shellWord(result.alias)} --keystore-password-env KEYSTORE_PASSWORD${account.current ? '' : ` --run-as ${account.name}`} --out DIR`;
        out.result({ ...importAnswer(result, warnings), runAs: account.name, handOverCommands, next }, () => describe(result, next));
      }),
    );
}

function importAnswer(result: ImportResult, warnings: string[]) {
  return {
    certificate: result.certificatePath,
    chain: result.chainPath,
    keystore: result.keystorePath,
    alias: result.alias,
    subject: result.subject,
    email: result.email,
    notAfter: result.notAfter,
    fingerprint: result.fingerprint,
    warnings,
    issuer: result.issuer,
    notBefore: result.notBefore,
    findings: result.findings,
  };
}

function describe(result: ImportResult, next: string): string {
  return [
    `Certificate: ${result.certificatePath}   (the leaf only: for -certificate and for Anaplan's admin page)`,
    result.chainPath ? `Chain:       ${result.chainPath}` : 'Chain:       none in what the CA sent',
    `Keystore:    ${result.keystorePath}   alias ${result.alias} (key password = keystore password)`,
    `Subject:     ${result.subject}`,
    `Email:       ${result.email}`,
    `Valid until: ${result.notAfter}`,
    `Fingerprint: ${result.fingerprint}`,
    '',
    'Next: a Tenant Administrator uploads certificate.pem (that file only: the chain gives "email should not be blank [null]")',
    `in Administration › Security › Certificates. Then test the login: anaplan-setup login --method certificate --keystore ${shellWord(result.keystorePath)} --alias ${shellWord(result.alias)} --keystore-password-env KEYSTORE_PASSWORD`,
    `and export the job: ${next}`,
  ].join('\n');
}
