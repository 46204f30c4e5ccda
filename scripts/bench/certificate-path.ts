// The whole certificate path, as an administrator walks it: key pair + CSR, (the CA signs),
// keystore with key, certificate and chain under an alias, checked, and the Anaplan Connect job.
//   ours:    `anaplan-setup keygen`, `anaplan-setup import-cert`, `anaplan-setup export`
//            (three processes, as typed; import-cert runs Anaplan's certificate checks)
//   by hand: the commands the assistant itself shows as equivalents (main/pki/equivalent-
//            commands.ts, main/core/equivalent-commands.ts): openssl genpkey, openssl req,
//            openssl req -verify, openssl pkcs12 -export -legacy, keytool -list -v, and the job
//            script written out (its writing is not timed: a person types it).
// The CA's signature (openssl ca, from the test CA) is outside both timings.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../../test/support/cli.js';
import { TestCa, TEST_PASSPHRASE, TEST_SUBJECT, type TestRequest } from '../../test/support/test-ca.js';
import { median, ratio, type Table } from './table.js';

const RUNS = 7;
const KEYSTORE_PASSWORD = 'Bench keystore 123';
const ENV = { ...process.env, KEY_PASSPHRASE: TEST_PASSPHRASE, KEYSTORE_PASSWORD };

export async function run(progress: (message: string) => void): Promise<Table> {
  const ca = TestCa.create();
  const root = mkdtempSync(join(tmpdir(), 'bench-path-'));
  const oursMs: number[] = [];
  const byHandMs: number[] = [];
  try {
    ours(ca, join(root, 'warm-up-ours'));
    byHand(ca, join(root, 'warm-up-hand'));
    for (let index = 0; index < RUNS; index++) {
      progress(`certificate path, run ${index + 1} of ${RUNS}`);
      oursMs.push(ours(ca, join(root, `ours-${index}`)));
      byHandMs.push(byHand(ca, join(root, `hand-${index}`)));
    }
  } finally {
    ca.remove();
    rmSync(root, { recursive: true, force: true });
  }
  const [a, b] = [median(oursMs), median(byHandMs)];
  return {
    title: 'The whole certificate path (key pair + CSR → keystore → Anaplan Connect job), median wall time',
    columns: ['runs', 'ours ms', 'by hand ms', 'ours/by hand'],
    rows: [[RUNS, a.toFixed(0), b.toFixed(0), ratio(a, b)]],
    notes: [
      'ours: anaplan-setup keygen (2048 bits) + import-cert (PKCS#7 reply, Anaplan checks, keystore.p12) + export (.sh, .bat, README, keystore-access.txt)',
      'by hand: openssl genpkey + req + req -verify + pkcs12 -export -legacy + keytool -list -v (a JVM start); the CA signing is outside both',
    ],
  };
}

function ours(ca: TestCa, dir: string): number {
  const requestDir = join(dir, 'request');
  let elapsed = time(() =>
    cli(['keygen', '--email', TEST_SUBJECT.email, '--name', TEST_SUBJECT.commonName, '--org', 'Analytical Engines Ltd', '--country', 'GB', '--bits', '2048', '--passphrase-env', 'KEY_PASSPHRASE', '--out', requestDir, '--json']),
  );
  const request: TestRequest = { keyPath: join(requestDir, 'private-key.pem'), csrPath: join(requestDir, 'request.csr'), passphrase: TEST_PASSPHRASE, email: TEST_SUBJECT.email };
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

function byHand(ca: TestCa, dir: string): number {
  mkdirSync(dir, { recursive: true });
  const keyPath = join(dir, 'private-key.pem');
  const csrPath = join(dir, 'request.csr');
  const subj = `/C=GB/O=${'Analytical Engines Ltd'}/CN=${TEST_SUBJECT.commonName}/emailAddress=${TEST_SUBJECT.email}`;
  let elapsed = time(() => {
    tool('openssl', ['genpkey', '-quiet', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-aes-256-cbc', '-pass', 'env:KEY_PASSPHRASE', '-out', keyPath]);
    tool('openssl', [
      'req', '-new', '-key', keyPath, '-passin', 'env:KEY_PASSPHRASE', '-sha256', '-out', csrPath, '-utf8', '-subj', subj,
      '-addext', 'basicConstraints=CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
      '-addext', 'extendedKeyUsage=clientAuth,emailProtection', '-addext', `subjectAltName=email:${TEST_SUBJECT.email}`,
    ]);
    tool('openssl', ['req', '-in', csrPath, '-noout', '-verify', '-text']);
  });
  const request: TestRequest = { keyPath, csrPath, passphrase: TEST_PASSPHRASE, email: TEST_SUBJECT.email };
  const issued = ca.issue(request, 'multipurpose');
  const chainPath = join(dir, 'chain.pem');
  writeFileSync(chainPath, ca.chainPem);
  const keystorePath = join(dir, 'keystore.p12');
  elapsed += time(() => {
    tool('openssl', [
      'pkcs12', '-export', '-legacy', '-inkey', keyPath, '-passin', 'env:KEY_PASSPHRASE', '-in', issued.path, '-certfile', chainPath,
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

function tool(command: string, args: string[]): void {
  const result = spawnSync(command, args, { env: ENV, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args[0]} failed (${result.status}): ${result.stderr}`);
}

function time(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}
