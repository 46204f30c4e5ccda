// Key pair + CSR: ours (createKeyAndCsr: native RSA generation on the thread pool, node-forge
// ASN.1, node:crypto signature, PBES2 key file, atomic writes) against the openssl command line
// doing the same work, alternating so that both see the same machine state. Medians, because
// RSA key generation time varies a lot from run to run (the search for primes is random).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyAndCsr } from '../../main/pki/keygen.js';
import type { RsaBits } from '../../main/pki/keys.js';
import { ADA, PASSPHRASE } from '../../test/support/fixtures.js';
import { median, ratio, type Table } from './table.js';

const PLAN: Array<{ bits: RsaBits; runs: number }> = [
  { bits: 2048, runs: 31 },
  { bits: 4096, runs: 11 },
];

/** ADA as `openssl req -subj` takes it. */
const SUBJ = '/C=GB/ST=Greater London/L=London/O=Analytical Engines Ltd/OU=Integration/CN=Ada Lovelace/emailAddress=ada@example.com';

export async function run(progress: (message: string) => void): Promise<Table> {
  const root = await mkdtemp(join(tmpdir(), 'bench-pki-'));
  const rows: Array<Array<string | number>> = [];
  try {
    await ours(root, 'warm-up', 2048);
    openssl(root, 'warm-up', 2048);
    for (const { bits, runs } of PLAN) {
      const oursMs: number[] = [];
      const opensslMs: number[] = [];
      for (let index = 0; index < runs; index++) {
        progress(`${bits} bits, run ${index + 1} of ${runs}`);
        oursMs.push(await ours(root, `${bits}-${index}`, bits));
        opensslMs.push(openssl(root, `${bits}-${index}`, bits));
      }
      const [a, b] = [median(oursMs), median(opensslMs)];
      rows.push([bits, runs, a.toFixed(0), b.toFixed(0), ratio(a, b)]);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return {
    title: 'RSA key pair + CSR (encrypted PKCS#8 key written to disk), median wall time',
    columns: ['bits', 'runs', 'ours ms', 'openssl ms', 'ours/openssl'],
    rows,
    notes: [
      'ours: createKeyAndCsr (PBKDF2 100,000 iterations, AES-256-CBC, fsync); openssl: one `openssl req -new -newkey rsa:N -sha256 ... -passout` process',
      '(OpenSSL 3.0 req: PBKDF2 2,048 iterations, DES-EDE3-CBC), process start included.',
    ],
  };
}

async function ours(root: string, label: string, bits: RsaBits): Promise<number> {
  const started = performance.now();
  await createKeyAndCsr({ subject: ADA, caProfileId: 'sectigo', bits, passphrase: PASSPHRASE, dir: join(root, `ours-${label}`), forceBackup: false });
  return performance.now() - started;
}

function openssl(root: string, label: string, bits: RsaBits): number {
  const args = [
    'req', '-new', '-newkey', `rsa:${bits}`, '-sha256',
    '-keyout', join(root, `openssl-${label}.key`), '-out', join(root, `openssl-${label}.csr`),
    '-utf8', '-subj', SUBJ,
    '-addext', 'basicConstraints=CA:FALSE',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
    '-addext', 'extendedKeyUsage=clientAuth,emailProtection',
    '-addext', `subjectAltName=email:${ADA.email}`,
    '-passout', `pass:${PASSPHRASE}`,
  ];
  const started = performance.now();
  const result = spawnSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`openssl req failed: ${result.stderr}`);
  return elapsed;
}
