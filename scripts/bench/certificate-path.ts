// The whole certificate path, as an administrator walks it: key pair + CSR, (the CA signs),
// the reply checked and turned into a keystore with key, certificate and chain under an alias,
// and the Anaplan Connect job.
//   ours:    `anaplan-setup keygen`, `anaplan-setup import-cert`, `anaplan-setup export`: three
//            processes, as typed (import-cert reads the PKCS#7 reply and runs Anaplan's checks).
//   by hand: the same work with the tools people use today. The key and request are made with
//            the commands the assistant shows as its equivalents (main/pki/equivalent-commands.ts),
//            which protect the key as ours does (PBKDF2, 100,000 iterations); a second variant
//            takes openssl's defaults instead (genpkey -aes-256-cbc: 2,048 iterations, a key file
//            50 times cheaper to attack). Then each check import-cert makes, as its openssl
//            command (certificates out of the PKCS#7 reply, the certificate read, the key matched,
//            the chain verified), the keystore (openssl pkcs12 -export -legacy, as the assistant's
//            equivalents show it) and keytool reading it as Java will. Cutting the chain out of
//            the reply in an editor and typing the job script are not timed.
// The CA's signature (openssl ca, from the test CA) is outside every timing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caProfile } from '../../main/pki/ca-profiles.js';
import { opensslEquivalent } from '../../main/pki/equivalent-commands.js';
import { shellWord } from '../../main/pki/posix-shell.js';
import { CLI } from '../../test/support/cli.js';
import { TestCa, TEST_PASSPHRASE, TEST_SUBJECT, type TestRequest } from '../../test/support/test-ca.js';
import { median, ratio, type Table } from './table.js';

const RUNS = 15;
const KEYSTORE_PASSWORD = 'Bench keystore 123';
const ENV = { ...process.env, KEY_PASSPHRASE: TEST_PASSPHRASE, KEYSTORE_PASSWORD };
type KeyProtection = 'as ours' | 'openssl defaults';

export async function run(progress: (message: string) => void): Promise<Table> {
  const ca = TestCa.create();
  const root = mkdtempSync(join(tmpdir(), 'bench-path-'));
  const timings = { ours: [] as number[], 'as ours': [] as number[], 'openssl defaults': [] as number[] };
  try {
    ours(ca, join(root, 'warm-up-ours'));
    byHand(ca, join(root, 'warm-up-hand'), 'as ours');
    for (let index = 0; index < RUNS; index++) {
      progress(`certificate path, run ${index + 1} of ${RUNS}`);
      timings.ours.push(ours(ca, join(root, `ours-${index}`)));
      timings['as ours'].push(byHand(ca, join(root, `hand-${index}`), 'as ours'));
      timings['openssl defaults'].push(byHand(ca, join(root, `defaults-${index}`), 'openssl defaults'));
    }
  } finally {
    ca.remove();
    rmSync(root, { recursive: true, force: true });
  }
  const oursMs = median(timings.ours);
  const row = (label: string, baseline: number[]) => [label, RUNS, oursMs.toFixed(0), median(baseline).toFixed(0), ratio(oursMs, median(baseline))];
  return {
    title: 'The whole certificate path (key pair + CSR → checked reply → keystore → Anaplan Connect job), median wall time',
    columns: ['by hand, key protected', 'runs', 'ours ms', 'by hand ms', 'ours/by hand'],
    rows: [row('as ours (100,000 iterations)', timings['as ours']), row("openssl's default (2,048)", timings['openssl defaults'])],
    notes: [
      'ours: anaplan-setup keygen (2048 bits) + import-cert (PKCS#7 reply, Anaplan checks, keystore.p12) + export (.sh, .bat, README, keystore-access.txt)',
      'by hand: genpkey | pkcs8 -topk8 -iter 100000 (or genpkey -aes-256-cbc) + req + req -verify; pkcs7 -print_certs + x509 + x509 -text',
      '         + x509 -pubkey / pkey -pubout (key match) + verify (chain) + pkcs12 -export -legacy; keytool -list -v (a JVM start)',
    ],
  };
}

function ours(ca: TestCa, dir: string): number {
  const requestDir = join(dir, 'request');
  const subject = TEST_SUBJECT;
  let elapsed = time(() =>
    cli([
      'keygen', '--email', subject.email, '--name', subject.commonName, '--org', subject.organization ?? '', '--org-unit', subject.organizationalUnit ?? '',
      '--locality', subject.locality ?? '', '--state', subject.state ?? '', '--country', subject.country ?? '', '--bits', '2048', '--ca', 'sectigo',
      '--passphrase-env', 'KEY_PASSPHRASE', '--out', requestDir, '--json',
    ]),
  );
  const request: TestRequest = { keyPath: join(requestDir, 'private-key.pem'), csrPath: join(requestDir, 'request.csr'), passphrase: TEST_PASSPHRASE, email: subject.email };
  const reply = ca.replies(ca.issue(request, 'multipurpose'), request).p7bPem;
  const keystoreDir = join(dir, 'keystore');
  elapsed += time(() =>
    cli(['import-cert', reply, '--key', request.keyPath, '--passphrase-env', 'KEY_PASSPHRASE', '--out', keystoreDir, '--keystore-password-env', 'KEYSTORE_PASSWORD', '--json']),
  );
  elapsed += time(() =>
    cli([
      'export', '--method', 'certificate', '--keystore', join(keystoreDir, 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'KEYSTORE_PASSWORD',
      '--job-home', join(dir, 'home'), '--platform', 'all', '--out', join(dir, 'job'), '--json',
    ]),
  );
  return elapsed;
}

function byHand(ca: TestCa, dir: string, protection: KeyProtection): number {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'private-key.pem');
  const csrPath = join(dir, 'request.csr');
  const [makeKey = '', makeRequest = '', checkRequest = ''] = opensslEquivalent({
    subject: TEST_SUBJECT,
    profile: caProfile('sectigo'),
    bits: 2048,
    encrypted: true,
    keyFile: keyPath,
    csrFile: csrPath,
    passphraseEnv: 'KEY_PASSPHRASE',
  });
  const keyCommand =
    protection === 'as ours' ? makeKey : `openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc -pass env:KEY_PASSPHRASE -out ${shellWord(keyPath)}`;
  let elapsed = time(() => {
    for (const command of [keyCommand, makeRequest, checkRequest]) tool('bash', ['-c', command]);
  });
  const request: TestRequest = { keyPath, csrPath, passphrase: TEST_PASSPHRASE, email: TEST_SUBJECT.email };
  const reply = ca.replies(ca.issue(request, 'multipurpose'), request).p7bPem;
  const certificatePath = join(dir, 'certificate.pem');
  const allPath = join(dir, 'all.pem');
  const rootPath = join(dir, 'root.pem');
  const chainPath = join(dir, 'chain.pem');
  writeFileSync(rootPath, ca.rootPem);
  writeFileSync(chainPath, ca.chainPem);
  const keystorePath = join(dir, 'keystore.p12');
  elapsed += time(() => {
    tool('openssl', ['pkcs7', '-in', reply, '-print_certs', '-out', allPath]);
    tool('openssl', ['x509', '-in', allPath, '-out', certificatePath]);
    tool('openssl', ['x509', '-in', certificatePath, '-noout', '-text']);
    const certificateKey = tool('openssl', ['x509', '-in', certificatePath, '-noout', '-pubkey']);
    const privateKey = tool('openssl', ['pkey', '-in', keyPath, '-passin', 'env:KEY_PASSPHRASE', '-pubout']);
    if (certificateKey !== privateKey) throw new Error('by hand: the certificate is not for this key');
    tool('openssl', ['verify', '-CAfile', rootPath, '-untrusted', chainPath, certificatePath]);
    tool('openssl', [
      'pkcs12', '-export', '-legacy', '-inkey', keyPath, '-passin', 'env:KEY_PASSPHRASE', '-in', certificatePath, '-certfile', chainPath,
      '-name', 'anaplan-connect', '-passout', 'env:KEYSTORE_PASSWORD', '-out', keystorePath,
    ]);
    tool('keytool', ['-list', '-v', '-keystore', keystorePath, '-storetype', 'PKCS12', '-alias', 'anaplan-connect', '-storepass:env', 'KEYSTORE_PASSWORD']);
  });
  writeFileSync(join(dir, 'anaplan-connect.sh'), `#!/bin/sh\n./AnaplanClient.sh -keystore ${keystorePath} -keystorealias anaplan-connect -keystorepass "$KEYSTORE_PASSWORD"\n`);
  return elapsed;
}

function cli(args: string[]): void {
  tool(process.execPath, [CLI, ...args]);
}

function tool(command: string, args: string[]): string {
  const result = spawnSync(command, args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.slice(0, 2).join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

function time(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}
