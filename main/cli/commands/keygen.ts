import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { shellWord } from '../../pki/posix-shell.js';
import * as z from 'zod';
import { AppError } from '../../errors.js';
import { CA_PROFILE_IDS, caProfile } from '../../pki/ca-profiles.js';
import { createKeyAndCsr, type KeygenResult } from '../../pki/keygen.js';
import { checkPassphrase } from '../../pki/passphrase.js';
import { addJsonOption, parseFlags } from '../options.js';
import type { Run } from '../run.js';
import { openSettings } from '../settings.js';
import { readSecret } from '../secret-input.js';

const KeygenFlags = z.object({
  email: z.string({ error: 'is required (the Anaplan user\u2019s email)' }).trim().min(1, 'is required'),
  name: z.string({ error: 'is required (the person\u2019s name, the certificate\u2019s CN)' }).trim().min(1, 'is required'),
  org: z.string().optional(),
  orgUnit: z.string().optional(),
  locality: z.string().optional(),
  state: z.string().optional(),
  country: z.string().optional(),
  bits: z.coerce.number({ error: 'must be 2048, 3072 or 4096' }).int('must be 2048, 3072 or 4096').default(2048),
  ca: z.enum(CA_PROFILE_IDS, { error: `must be one of ${CA_PROFILE_IDS.join(', ')}` }).default('sectigo'),
  passphraseFile: z.string().optional(),
  passphraseEnv: z.string().optional(),
  passphrase: z.boolean().default(true),
  out: z.string({ error: 'is required (the folder for private-key.pem and request.csr)' }).min(1),
  forceBackup: z.boolean().default(false),
  profile: z.string().trim().min(1).max(80).optional(),
});

export function registerKeygen(program: Command, run: Run): void {
  const command = program
    .command('keygen')
    .description('generate an RSA key pair and a CSR for a CA that Anaplan supports (DIR/private-key.pem, DIR/request.csr)')
    .option('--email <email>', 'the Anaplan user\u2019s email: subjectAltName and emailAddress')
    .option('--name <name>', 'the person\u2019s name: the subject CN')
    .option('--org <o>', 'organisation (O)')
    .option('--org-unit <ou>', 'organisational unit (OU)')
    .option('--locality <l>', 'city (L)')
    .option('--state <st>', 'state or province (ST)')
    .option('--country <cc>', 'two-letter country code (C), e.g. GB')
    .option('--bits <n>', '2048 (default), 3072 or 4096', '2048')
    .option('--ca <id>', `the CA you buy from: ${CA_PROFILE_IDS.join(', ')}`, 'sectigo')
    .option('--passphrase-file <path>', 'encrypt the private key with the passphrase in this file')
    .option('--passphrase-env <var>', 'encrypt the private key with the passphrase in this environment variable')
    .option('--no-passphrase', 'store the private key unencrypted (anyone who can read the file can sign in as this user)')
    .option('--out <dir>', 'the folder to write into (created 0700 if missing)')
    .option('--force-backup', 'if a key already exists there, keep it as a numbered .bak copy instead of refusing')
    .option('--profile <name>', 'remember this pending request in the connection profile NAME (created if missing)');
  addJsonOption(command)
    .addHelpText(
      'after',
      '\nWithout --passphrase-file/--passphrase-env/--no-passphrase the passphrase is asked for twice on the terminal.\nA passphrase must not contain ":" (Anaplan Connect\u2019s -privatekey path:passphrase cannot carry it).\nExample:\n  anaplan-setup keygen --email ada@example.com --name "Ada Lovelace" --org "Example Ltd" --country GB \\\n    --ca sectigo --passphrase-env KEY_PASSPHRASE --out ./certificate --json',
    )
    .action((options: Record<string, unknown>) =>
      run(options, async (out) => {
        const flags = parseFlags(KeygenFlags, options);
        if (flags.bits !== 2048 && flags.bits !== 3072 && flags.bits !== 4096) {
          throw new AppError('bad_input', `--bits ${flags.bits} is not offered: Anaplan needs RSA 2048 or more; choose 2048, 3072 or 4096.`);
        }
        const passphrase = await passphraseFrom(flags, out.json);
        const subject = {
          commonName: flags.name,
          email: flags.email,
          organization: flags.org,
          organizationalUnit: flags.orgUnit,
          locality: flags.locality,
          state: flags.state,
          country: flags.country,
        };
        const result = await createKeyAndCsr({
          subject,
          caProfileId: flags.ca,
          bits: flags.bits,
          passphrase,
          dir: resolve(flags.out),
          forceBackup: flags.forceBackup,
          onProgress: (message) => out.info(message),
        });
        if (flags.profile) {
          const [{ recordCertificateRequest }, { toCertificateRequest }] = await Promise.all([import('../../core/profiles.js'), import('../../core/certificate-requests.js')]);
          recordCertificateRequest(await openSettings(), flags.profile, toCertificateRequest(result, subject));
        }
        for (const warning of result.warnings) out.info(`Warning: ${warning}`);
        out.result(keygenAnswer(result), () => describe(result));
      }),
    );
}

async function passphraseFrom(flags: z.output<typeof KeygenFlags>, json: boolean): Promise<string | null> {
  if (!flags.passphrase) {
    if (flags.passphraseFile || flags.passphraseEnv) throw new AppError('bad_input', 'Give either --no-passphrase or a passphrase source, not both.');
    return null;
  }
  const passphrase = await readSecret('passphrase', 'passphrase', { file: flags.passphraseFile, env: flags.passphraseEnv }, { allowPrompt: !json });
  const check = checkPassphrase(passphrase);
  if (!check.ok) throw new AppError('bad_input', check.problem ?? 'This passphrase cannot be used.');
  if (!flags.passphraseFile && !flags.passphraseEnv) {
    const again = await readSecret('passphrase (again)', 'passphrase', {}, { allowPrompt: true });
    if (again !== passphrase) throw new AppError('bad_input', 'The two passphrases differ. Nothing was written; run the command again.');
  }
  return passphrase;
}

function keygenAnswer(result: KeygenResult) {
  return {
    privateKey: result.privateKeyPath,
    csr: result.csrPath,
    subject: result.subject,
    email: result.email,
    bits: result.bits,
    fingerprint: result.fingerprint,
    csrPem: result.csrPem,
    ca: result.caProfileId,
    keyEncrypted: result.keyEncrypted,
    hash: result.hash,
    warnings: result.warnings,
  };
}

function describe(result: KeygenResult): string {
  const profile = caProfile(result.caProfileId);
  return [
    `Private key: ${result.privateKeyPath} (${result.bits}-bit RSA, ${result.keyEncrypted ? 'encrypted' : 'NOT encrypted'}, mode 0600)`,
    `Request:     ${result.csrPath}`,
    `Subject:     ${result.subject}`,
    `Key fingerprint (SHA-256): ${result.fingerprint}`,
    '',
    `Next: order ${profile.product} from ${profile.name} and paste the request when asked.`,
    profile.note,
    `When the certificate arrives, import it with: anaplan-setup import-cert <the file the CA sent> --key ${shellWord(result.privateKeyPath)} --out ${shellWord(dirname(result.privateKeyPath))} --keystore-password-env KEYSTORE_PASSWORD${result.keyEncrypted ? ' --passphrase-env KEY_PASSPHRASE' : ''}`,
    'Keep the private key where it is: it never leaves this machine.',
    '',
    result.csrPem.trim(),
  ].join('\n');
}
