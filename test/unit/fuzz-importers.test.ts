// Bad input, fuzzed (issue 7): thousands of mutated PEM, DER, PKCS#7 and PKCS#12 files, key
// files, keystores, token stores and root lists, made from valid files that real openssl wrote,
// go into every reader of user-supplied bytes. Each input must end in a well-formed result or
// an AppError with a known code and a message a person can read: no crash, no raw TypeError or
// RangeError, no OpenSSL or node-forge internals, no hang (a per-input time budget), and, through
// the core handler the UI and the CLI share, nothing written.
//
// Deterministic: the seed is printed; FUZZ_SEED=<n> reproduces a run, FUZZ_RUNS=<n> sets the count per test.
import { KeyObject, X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTokenStore, readTokenStore } from '../../main/anaplan/token-store.js';
import { CertificateFactsSchema } from '../../main/contract.js';
import { createAssistant } from '../../main/core/assistant.js';
import { dispatch } from '../../main/core/dispatch.js';
import { AppError } from '../../main/errors.js';
import { createHttpClient } from '../../main/net/http.js';
import { previewImport } from '../../main/pki/certificate-import.js';
import { parseCertificateBundle } from '../../main/pki/certificate-parse.js';
import { readPrivateKeyFile } from '../../main/pki/key-file.js';
import { buildPkcs12, readPkcs12Entry } from '../../main/pki/keystore.js';
import { pemBlocks } from '../../main/pki/pem.js';
import { readPkcs12 } from '../../main/pki/pkcs12-read.js';
import { writePkcs12 } from '../../main/pki/pkcs12-write.js';
import { loadRoots } from '../../main/pki/supported-roots.js';
import { openNodeSettings } from '../../main/store/node-settings.js';
import { failure, snapshot } from '../support/fixtures.js';
import {
  type DerNode,
  type Mutant,
  Rng,
  appErrorProblem,
  armour,
  encodeDer,
  errorPayloadProblem,
  fuzzLoop,
  fuzzRuns,
  fuzzSeed,
  mutate,
  mutateText,
  nestDefinite,
  nestIndefinite,
  parseDer,
  report,
} from '../support/fuzz.js';
import { useTestCa } from '../support/import-fixtures.js';
import { LEGACY_PKCS12, PFX_PASSWORD, openssl } from '../support/test-ca.js';

const SEED = fuzzSeed();
const KEY_PASSPHRASE = 'fuzz key pass 9';
const KEYSTORE_PASSWORD = 'keystore pass 1';
const CLIENT_ID = '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e';

interface Seed {
  name: string;
  bytes: Buffer;
  kind: 'pem' | 'der';
  /** The PKCS#12 password, for the files that have one. */
  password?: string;
}

const corpus: Seed[] = [];
let inputs: string;
/** An RSA key that is not the certificate's, as an openssl-encrypted PKCS#8 file. */
let otherKeyPath: string;
/** The certificate's key, encrypted by openssl (2,048 PBKDF2 rounds: fast to open thousands of times). */
let keyPath: string;
let keystore: Buffer;
let plainPfx: Buffer;
let tokenStore: Buffer;

const fixture = useTestCa('fuzz-importers-', async ({ ca, work, request, issued }) => {
  console.log(`fuzz-importers: FUZZ_SEED=${SEED} (0x${SEED.toString(16)}); set FUZZ_SEED to reproduce, FUZZ_RUNS to change the count per test`);
  inputs = join(work, 'inputs');
  await mkdir(inputs);
  const replies = ca.replies(issued, request);
  const file = (path: string): Buffer => readFileSync(path);
  const out = (name: string): string => join(work, name);

  keyPath = out('key.pem');
  openssl(['pkcs8', '-topk8', '-in', request.keyPath, '-passin', `pass:${request.passphrase}`, '-v2', 'aes-256-cbc', '-passout', `pass:${KEY_PASSPHRASE}`, '-out', keyPath]);
  openssl(['pkcs8', '-topk8', '-in', request.keyPath, '-passin', `pass:${request.passphrase}`, '-v2', 'aes-256-cbc', '-passout', `pass:${KEY_PASSPHRASE}`, '-outform', 'DER', '-out', out('key.der')]);
  openssl(['pkcs8', '-topk8', '-in', request.keyPath, '-passin', `pass:${request.passphrase}`, '-nocrypt', '-out', out('key-plain.pem')]);
  openssl(['rsa', '-in', request.keyPath, '-passin', `pass:${request.passphrase}`, '-traditional', '-out', out('key-pkcs1.pem')]);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', out('other-plain.pem')]);
  otherKeyPath = out('other.pem');
  openssl(['pkcs8', '-topk8', '-in', out('other-plain.pem'), '-v2', 'aes-256-cbc', '-passout', `pass:${KEY_PASSPHRASE}`, '-out', otherKeyPath]);
  openssl(['req', '-in', request.csrPath, '-outform', 'DER', '-out', out('request.der')]);
  openssl(['x509', '-in', issued.path, '-trustout', '-addtrust', 'emailProtection', '-out', out('trusted.pem')]);
  const pkcs12 = (name: string, options: string[]): Buffer => {
    openssl([
      'pkcs12', '-export', '-inkey', request.keyPath, '-passin', `pass:${request.passphrase}`, '-in', issued.path, '-certfile', ca.intermediatePath,
      '-name', 'fuzz', '-passout', `pass:${PFX_PASSWORD}`, ...options, '-out', out(name),
    ]);
    return file(out(name));
  };
  plainPfx = pkcs12('plain.p12', ['-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac']);

  corpus.push(
    { name: 'leaf PEM', bytes: file(replies.leafPem), kind: 'pem' },
    { name: 'chain PEM with an e-mail around it', bytes: file(replies.chainWithChatter), kind: 'pem' },
    { name: 'PKCS#7 PEM', bytes: file(replies.p7bPem), kind: 'pem' },
    { name: 'TRUSTED CERTIFICATE PEM', bytes: file(out('trusted.pem')), kind: 'pem' },
    { name: 'CSR PEM', bytes: file(request.csrPath), kind: 'pem' },
    { name: 'encrypted PKCS#8 PEM', bytes: file(keyPath), kind: 'pem' },
    { name: 'leaf DER', bytes: file(replies.der), kind: 'der' },
    { name: 'PKCS#7 DER', bytes: file(replies.p7bDer), kind: 'der' },
    { name: 'CSR DER', bytes: file(out('request.der')), kind: 'der' },
    { name: 'encrypted PKCS#8 DER', bytes: file(out('key.der')), kind: 'der' },
    { name: 'PKCS#12 (OpenSSL 3 defaults)', bytes: file(replies.pfx), kind: 'der', password: PFX_PASSWORD },
    { name: 'PKCS#12 without a MAC', bytes: pkcs12('nomac.p12', ['-nomac']), kind: 'der', password: PFX_PASSWORD },
    { name: 'PKCS#12 unencrypted, without a MAC', bytes: plainPfx, kind: 'der', password: PFX_PASSWORD },
    { name: 'PKCS#12 without a password', bytes: pkcs12('empty-password.p12', ['-passout', 'pass:']), kind: 'der', password: '' },
  );
  if (LEGACY_PKCS12 && replies.pfxLegacy) {
    corpus.push(
      { name: 'PKCS#12 -legacy', bytes: file(replies.pfxLegacy), kind: 'der', password: PFX_PASSWORD },
      { name: 'PKCS#12 -legacy without a MAC', bytes: pkcs12('legacy-nomac.p12', ['-legacy', '-nomac']), kind: 'der', password: PFX_PASSWORD },
    );
  }
  const key = createPrivateKey({ key: readFileSync(keyPath), passphrase: KEY_PASSPHRASE });
  const intermediate = new X509Certificate(ca.intermediatePem);
  keystore = buildPkcs12(key, new X509Certificate(issued.der), [intermediate], { alias: 'anaplan-connect', password: KEYSTORE_PASSWORD });
  tokenStore = buildTokenStore(CLIENT_ID, 'refresh-token-0123456789');
});

function seedsOf(predicate: (seed: Seed) => boolean): Seed[] {
  const seeds = corpus.filter(predicate);
  if (seeds.length === 0) throw new Error('no seed files for this test');
  return seeds;
}

/** A mutant of one of the seeds, chosen in turn; the steps start with the seed's name. */
function mutantOf(rng: Rng, seeds: readonly Seed[], index: number): Mutant & { seed: Seed } {
  const seed = seeds[index % seeds.length] as Seed;
  const mutant = mutate(rng, seed.bytes, corpus.map((item) => item.bytes), seed.kind);
  return { ...mutant, steps: [seed.name, ...mutant.steps], seed };
}

/** A PKCS#12 password now and then wrong or missing, so those branches are fuzzed too. */
function passwordFor(rng: Rng, seed: Seed): string | null {
  const roll = rng.int(20);
  if (roll === 0) return null;
  if (roll === 1) return 'wrong password';
  if (roll === 2) return '';
  return seed.password ?? PFX_PASSWORD;
}

/** null for an outcome a person may see: the result passes `wellFormed`, or the error is a readable AppError. */
function judge<T>(run: () => T, wellFormed: (value: T) => string | null): string | null {
  let value: T;
  try {
    value = run();
  } catch (error) {
    return appErrorProblem(error);
  }
  return wellFormed(value);
}

async function judgeAsync<T>(run: () => Promise<T>, wellFormed: (value: T) => string | null): Promise<string | null> {
  let value: T;
  try {
    value = await run();
  } catch (error) {
    return appErrorProblem(error);
  }
  return wellFormed(value);
}

const BUNDLE_FORMATS = new Set(['pem', 'der', 'pkcs7-pem', 'pkcs7-der', 'pkcs12']);

function bundleProblem(bundle: ReturnType<typeof parseCertificateBundle>): string | null {
  if (!BUNDLE_FORMATS.has(bundle.format)) return `unknown format ${bundle.format}`;
  if (bundle.certificates.length === 0) return 'a bundle without certificates';
  if (!bundle.certificates.every((certificate) => certificate instanceof X509Certificate)) return 'a certificate that is not an X509Certificate';
  if (bundle.privateKey !== null && !(bundle.privateKey instanceof KeyObject && bundle.privateKey.type === 'private')) return 'a private key that is not a private KeyObject';
  return null;
}

/** Fails with every problem listed; prints the slowest input, to see how far from the time budget a run stays. */
function expectNoProblems(label: string, { problems, slowest }: Awaited<ReturnType<typeof fuzzLoop>>): void {
  console.log(`${label}: slowest input #${slowest.index} took ${Math.round(slowest.ms)} ms [${slowest.steps.join(' → ')}]`);
  expect(problems.length, report(SEED, label, problems)).toBe(0);
}

describe('parseCertificateBundle: mutated PEM, DER, PKCS#7 and PKCS#12 files', () => {
  it('certificates, chains, PKCS#7, CSRs and keys as PEM text and DER', async () => {
    const rng = new Rng(SEED, 'bundle-pem-der');
    const seeds = seedsOf((seed) => !seed.password);
    const outcome = await fuzzLoop(
      fuzzRuns(1800),
      (index) => mutantOf(rng, seeds, index),
      (input) => judge(() => parseCertificateBundle(input.bytes, { filePassword: PFX_PASSWORD, sourceName: 'This file' }), bundleProblem),
    );
    expectNoProblems('parseCertificateBundle (PEM/DER)', outcome);
  });

  it('PKCS#12 files: OpenSSL 3 defaults, -legacy, without a MAC, unencrypted, without a password', async () => {
    const rng = new Rng(SEED, 'bundle-pkcs12');
    const seeds = seedsOf((seed) => seed.password !== undefined);
    const outcome = await fuzzLoop(
      fuzzRuns(900),
      (index) => mutantOf(rng, seeds, index),
      (input) => judge(() => parseCertificateBundle(input.bytes, { filePassword: passwordFor(rng, input.seed), sourceName: 'This file' }), bundleProblem),
    );
    expectNoProblems('parseCertificateBundle (PKCS#12)', outcome);
  });

  it('readPkcs12 (the low-level reader) fails only with its own Pkcs12Error, never a raw error', async () => {
    const rng = new Rng(SEED, 'read-pkcs12');
    const seeds = seedsOf((seed) => seed.password !== undefined);
    const outcome = await fuzzLoop(
      fuzzRuns(300),
      (index) => mutantOf(rng, seeds, index),
      (input) => {
        try {
          readPkcs12(input.bytes, input.seed.password ?? PFX_PASSWORD);
          return null;
        } catch (error) {
          return error instanceof Error && error.name === 'Pkcs12Error' && error.message.trim() !== '' ? null : `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        }
      },
    );
    expectNoProblems('readPkcs12', outcome);
  });
});

describe('previewImport: parse, find the certificate of the key, check it, summarize', () => {
  it('mutated certificate replies (PEM pasted or as files, DER, PKCS#7, PKCS#12) with the right key and with another key', async () => {
    const rng = new Rng(SEED, 'preview');
    const seeds = seedsOf((seed) => /leaf|chain|PKCS#7|TRUSTED|PKCS#12 without a MAC|unencrypted/.test(seed.name));
    const outcome = await fuzzLoop(
      fuzzRuns(1200),
      (index) => mutantOf(rng, seeds, index),
      async (input, index) => {
        let source: { path: string } | { text: string };
        if (input.seed.kind === 'pem') {
          source = { text: input.bytes.toString('latin1') };
        } else {
          source = { path: join(inputs, `preview-${index}`) };
          await writeFile(source.path, input.bytes);
        }
        const key = input.seed.password !== undefined && rng.chance(0.5) ? null : { path: rng.chance(0.7) ? keyPath : otherKeyPath, passphrase: KEY_PASSPHRASE };
        return judgeAsync(
          () => previewImport({ source, key, filePassword: passwordFor(rng, input.seed) }),
          (summary) => (CertificateFactsSchema.safeParse(summary).success ? null : `a malformed summary: ${JSON.stringify(summary).slice(0, 200)}`),
        );
      },
    );
    expectNoProblems('previewImport', outcome);
  });
});

describe('the other readers of user-supplied bytes', () => {
  it("readPkcs12Entry: the keystore that login and export open (ours, and openssl's without MAC or encryption)", async () => {
    const rng = new Rng(SEED, 'keystore');
    const seeds: Seed[] = [
      { name: 'our keystore.p12', bytes: keystore, kind: 'der', password: KEYSTORE_PASSWORD },
      { name: 'openssl PKCS#12, unencrypted, without a MAC', bytes: plainPfx, kind: 'der', password: PFX_PASSWORD },
    ];
    const outcome = await fuzzLoop(
      fuzzRuns(300),
      (index) => mutantOf(rng, seeds, index),
      (input) =>
        judge(
          () => readPkcs12Entry(input.bytes, input.seed === seeds[0] ? 'anaplan-connect' : 'fuzz', input.seed.password ?? ''),
          (entry) => (entry.privateKey.type === 'private' && entry.certificate instanceof X509Certificate && entry.certificate.checkPrivateKey(entry.privateKey) ? null : 'an entry whose certificate does not match its key'),
        ),
    );
    expectNoProblems('readPkcs12Entry', outcome);
  });

  it("readTokenStore: Anaplan Connect's OAuth token store", async () => {
    const rng = new Rng(SEED, 'token-store');
    const seeds: Seed[] = [{ name: 'token store', bytes: tokenStore, kind: 'der' }];
    const outcome = await fuzzLoop(
      fuzzRuns(300),
      (index) => mutantOf(rng, seeds, index),
      (input) => judge(() => readTokenStore(input.bytes, CLIENT_ID), (token) => (typeof token === 'string' && token.trim() !== '' ? null : 'an empty token')),
    );
    expectNoProblems('readTokenStore', outcome);
  });

  it('readPrivateKeyFile: mutated encrypted and plain PKCS#8, PKCS#1 and DER key files', async () => {
    const rng = new Rng(SEED, 'key-file');
    const work = fixture.work;
    const seeds: Seed[] = [
      { name: 'encrypted PKCS#8 PEM', bytes: readFileSync(keyPath), kind: 'pem' },
      { name: 'PKCS#8 PEM', bytes: readFileSync(join(work, 'key-plain.pem')), kind: 'pem' },
      { name: 'PKCS#1 PEM', bytes: readFileSync(join(work, 'key-pkcs1.pem')), kind: 'pem' },
      { name: 'encrypted PKCS#8 DER', bytes: readFileSync(join(work, 'key.der')), kind: 'der' },
    ];
    const outcome = await fuzzLoop(
      fuzzRuns(500),
      (index) => mutantOf(rng, seeds, index),
      async (input, index) => {
        const path = join(inputs, `key-${index}.pem`);
        await writeFile(path, input.bytes);
        return judgeAsync(
          () => readPrivateKeyFile(path, rng.chance(0.9) ? KEY_PASSPHRASE : null),
          (key) => (key.type === 'private' && key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? null : 'a key that is not RSA 2048+'),
        );
      },
    );
    expectNoProblems('readPrivateKeyFile', outcome);
  });

  it('loadRoots: mutated supported-root lists (--roots)', async () => {
    const rng = new Rng(SEED, 'roots');
    const valid = JSON.stringify({ mode: 'replace', source: 'test', roots: [{ name: 'Test Root', subject: 'C=GB, O=Assistant Test CA, CN=Assistant Test Root CA', sha256: 'AA'.repeat(32) }] }, null, 2);
    const outcome = await fuzzLoop(
      fuzzRuns(200),
      (index) => {
        if (index % 4 === 0) {
          const text = mutateText(rng, valid, []);
          return { bytes: Buffer.from(text.text), steps: [text.step] };
        }
        return mutate(rng, Buffer.from(valid), [Buffer.from(valid)], 'der');
      },
      async (input, index) => {
        const path = join(inputs, `roots-${index}.json`);
        await writeFile(path, input.bytes);
        return judgeAsync(
          () => loadRoots(path),
          (roots) => (Array.isArray(roots.roots) && roots.roots.length > 0 && typeof roots.source === 'string' ? null : 'a root list without roots'),
        );
      },
    );
    expectNoProblems('loadRoots', outcome);
  });
});

/** The unencrypted PKCS#12's authenticated safe replaced by 50,000 nested constructed OCTET STRINGs (BER, definite lengths). */
function deeplyNestedPfx(): Buffer {
  const authSafeAt = plainPfx.indexOf(Buffer.from([0x04, 0x82]), 10);
  const pfx = Buffer.concat([
    Buffer.from([0x30, 0x84, 0x00, 0x00, 0x00, 0x00]),
    Buffer.from([0x02, 0x01, 0x03]),
    Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x80]),
    nestDefinite(plainPfx.subarray(authSafeAt, authSafeAt + 40), 0x24, 50_000),
    Buffer.from([0x00, 0x00, 0x00, 0x00]),
  ]);
  pfx.writeUInt32BE(pfx.length - 6, 2);
  return pfx;
}

/** The AppError `action` throws; anything else fails the test. */
function refusalOf(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError, but nothing was thrown');
}

describe('hostile large inputs: no hang, no gigabytes, no stack overflow', () => {
  /** Each made once, fed to every reader that takes such bytes. */
  const hostile = (): Array<{ name: string; bytes: Buffer }> => {
    const leafDer = fixture.issued.der;
    return [
      { name: '2 MB of BEGIN lines without an END', bytes: Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(75_000)) },
      { name: '1 MB of BEGIN lines of many labels', bytes: Buffer.from(Array.from({ length: 30_000 }, (_, i) => `-----BEGIN L${i % 50}-----\n`).join('')) },
      { name: 'a 1 MB label', bytes: Buffer.from(`-----BEGIN ${'A'.repeat(1_000_000)}-----\nMIIB\n`) },
      { name: 'a 3 MB base64 body on one line', bytes: Buffer.from(`-----BEGIN CERTIFICATE-----\n${'A'.repeat(3_000_000)}\n-----END CERTIFICATE-----\n`) },
      { name: '2 MB of bare base64', bytes: Buffer.from('MIIB'.repeat(500_000)) },
      { name: 'the leaf certificate 2,000 times', bytes: Buffer.from(armour('CERTIFICATE', leafDer).repeat(2_000)) },
      { name: 'a length of 4 GB', bytes: Buffer.concat([Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), leafDer]) },
      { name: 'a length of 2^63', bytes: Buffer.concat([Buffer.from([0x30, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), leafDer]) },
      { name: '100,000 nested SEQUENCEs (definite)', bytes: nestDefinite(Buffer.from([0x05, 0x00]), 0x30, 100_000) },
      { name: '100,000 nested SEQUENCEs (indefinite)', bytes: nestIndefinite(Buffer.from([0x05, 0x00]), 0x30, 100_000) },
      { name: '100,000 nested SEQUENCEs, not closed', bytes: Buffer.alloc(200_000, Buffer.from([0x30, 0x80])) },
      { name: 'PKCS#12 whose safe is 50,000 nested OCTET STRINGs', bytes: deeplyNestedPfx() },
      { name: '5 MB of zeros', bytes: Buffer.alloc(5_000_000) },
      { name: 'UTF-16 text of 2 MB', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(36_000), 'utf16le')]) },
    ];
  };

  it('parseCertificateBundle, readPkcs12Entry, readTokenStore and readPrivateKeyFile each answer in time', async () => {
    const cases = hostile();
    const readers: Array<[string, (bytes: Buffer, path: string) => Promise<unknown>]> = [
      ['parseCertificateBundle', async (bytes) => parseCertificateBundle(bytes, { filePassword: PFX_PASSWORD })],
      ['readPkcs12Entry', async (bytes) => readPkcs12Entry(bytes, 'fuzz', PFX_PASSWORD)],
      ['readTokenStore', async (bytes) => readTokenStore(bytes, CLIENT_ID)],
      ['readPrivateKeyFile', async (_bytes, path) => readPrivateKeyFile(path, KEY_PASSPHRASE)],
    ];
    const inputsOf = cases.flatMap((item, index) => readers.map(([reader, read]) => ({ ...item, index, reader, read, steps: [item.name, reader] })));
    const outcome = await fuzzLoop(
      inputsOf.length,
      (index) => inputsOf[index] as (typeof inputsOf)[number],
      async (input) => {
        const path = join(inputs, `hostile-${input.index}`);
        if (input.reader === 'readPrivateKeyFile') await writeFile(path, input.bytes);
        try {
          await input.read(input.bytes, path);
          return null;
        } catch (error) {
          return appErrorProblem(error);
        }
      },
    );
    expectNoProblems('hostile inputs', outcome);
  });
});

describe('the core handler behind the UI and the CLI writes nothing for bad input', () => {
  let root: string;
  let savedHome: string | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'fuzz-core-'));
    savedHome = process.env.HOME;
    process.env.HOME = join(root, 'home');
    await mkdir(join(root, 'home'));
    // An output folder that already holds every output: an import that got that far must refuse, not replace.
    await mkdir(join(root, 'existing'));
    for (const name of ['certificate.pem', 'chain.pem', 'keystore.p12', 'notes.txt']) await writeFile(join(root, 'existing', name), 'existing\n');
  });
  afterAll(async () => {
    if (savedHome === undefined) delete process.env.HOME;
    else process.env.HOME = savedHome;
    await rm(root, { recursive: true, force: true });
  });

  it('previewCertificateImport and importCertificate through dispatch, a few hundred mutated files and pasted texts', async () => {
    const settings = openNodeSettings(join(root, 'settings'));
    const handlers = createAssistant({
      settings,
      secrets: { status: () => ({ available: false, backend: 'none', reason: 'test' }), get: async () => null, set: async () => undefined, delete: async () => undefined },
      host: { frontDoor: 'browser', chooseFolder: null, chooseFile: null, openExternal: async () => false, emit: () => undefined },
      httpClient: (s) => createHttpClient({ ...s, maxRetries: 0 }),
      version: 'fuzz',
    });
    const saved = await handlers.saveProfile({ name: 'Fuzz', email: 'ada@example.com', endpoints: { authUrl: 'http://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9' }, step: 'method' });
    const profileId = saved.profiles[0]?.id ?? '';
    const before = await snapshot(root);

    const rng = new Rng(SEED, 'core');
    const seeds = corpus;
    const outcome = await fuzzLoop(
      fuzzRuns(300),
      (index) => mutantOf(rng, seeds, index),
      async (input, index) => {
        const pasted = input.seed.kind === 'pem' && rng.chance(0.3);
        let source: { path: string } | { text: string };
        if (pasted) {
          source = { text: input.bytes.toString('latin1') };
        } else {
          source = { path: join(inputs, `core-${index}${input.seed.password !== undefined ? '.p12' : '.pem'}`) };
          await writeFile(source.path, input.bytes);
        }
        // An import can never be allowed to write here: either the right key (or the PKCS#12's own) and a folder that
        // holds every output already, or another key and a folder that does not exist yet.
        const fromBundle = input.seed.password !== undefined && rng.chance(0.5);
        const rightKey = fromBundle || index % 2 === 0;
        const key = fromBundle ? { fromBundle: true as const } : { path: rightKey ? keyPath : otherKeyPath, passphrase: KEY_PASSPHRASE };
        const common = { profileId, source, key, filePassword: passwordFor(rng, input.seed) };
        const preview = index % 3 === 0;
        const outcome = preview
          ? await dispatch(handlers, 'previewCertificateImport', common)
          : await dispatch(handlers, 'importCertificate', { ...common, outDir: rightKey ? join(root, 'existing') : join(root, 'new', 'out'), keystorePassword: KEYSTORE_PASSWORD });
        if (!outcome.ok) return errorPayloadProblem(outcome.error);
        if (!preview) return `importCertificate succeeded where it could not: ${JSON.stringify(outcome.value).slice(0, 200)}`;
        return CertificateFactsSchema.safeParse(outcome.value).success ? null : `a malformed preview: ${JSON.stringify(outcome.value).slice(0, 200)}`;
      },
    );
    expectNoProblems('core import handlers', outcome);
    expect(await snapshot(root)).toEqual(before);
  });
});

describe('regressions found by the fuzzer', () => {
  const leafDer = (): Buffer => fixture.issued.der;

  /** The issued leaf with one element of its DER changed (the signature no longer matches: OpenSSL parses it all the same). */
  function leafWith(change: (tbs: DerNode[]) => void): Buffer {
    const tree = parseDer(leafDer());
    const tbs = tree?.[0]?.children?.[0]?.children;
    if (!tree || !tbs) throw new Error('the leaf is not DER');
    change(tbs);
    return encodeDer(tree);
  }

  it('a PKCS#12 file whose safe is 50,000 nested OCTET STRINGs is "damaged", not a stack overflow (asn1-reader content())', () => {
    const error = refusalOf(() => parseCertificateBundle(deeplyNestedPfx(), { filePassword: PFX_PASSWORD }));
    expect(error.details?.reason).toBe('pkcs12_damaged');
    expect(error.message).toMatch(/nested too deeply/);
    expect(refusalOf(() => readTokenStore(deeplyNestedPfx(), CLIENT_ID)).message).toMatch(/token store .* is not a readable token store/);
  });

  it("a MAC value of 110,000 bytes is refused as damaged at once, not derived as a 110,000-byte key (55 million hash rounds)", () => {
    const tree = parseDer(tokenStore);
    const macValue = tree?.[0]?.children?.[2]?.children?.[0]?.children?.[1]; // PFX > MacData > DigestInfo > digest
    if (!tree || !macValue) throw new Error('not the token store layout');
    macValue.content = Buffer.alloc(110_000, 0x42);
    const started = performance.now();
    expect(refusalOf(() => readTokenStore(encodeDer(tree), CLIENT_ID)).message).toMatch(/is not a readable token store: it is damaged or cut short \(a 110000-byte integrity check value where sha1 gives 20\)/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('5,000 copies of the key bag in a PKCS#12 without a MAC: refused after 32 decryptions, not 5,000', () => {
    const seed = seedsOf((item) => item.name === 'PKCS#12 without a MAC')[0] as Seed;
    const tree = parseDer(seed.bytes);
    const shrouded = '2a864886f70d010c0a0102'; // pkcs8ShroudedKeyBag
    const holder = (function find(nodes: DerNode[] | null | undefined): DerNode[] | undefined {
      for (const node of nodes ?? []) {
        if (node.children?.[0]?.content.toString('hex') === shrouded) return nodes ?? undefined;
        const found = find(node.children);
        if (found) return found;
      }
      return undefined;
    })(tree);
    const bag = holder?.[0];
    if (!tree || !holder || !bag) throw new Error('no key bag found');
    holder.push(...Array.from({ length: 4_999 }, () => bag));
    const started = performance.now();
    const error = refusalOf(() => parseCertificateBundle(encodeDer(tree), { filePassword: PFX_PASSWORD }));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error.details?.reason).toBe('pkcs12_unsupported');
    expect(error.message).toContain('more password-based decryption than a keystore needs (over 32 decryptions, or over 5,000,000 rounds in all)');
  });

  it('megabytes of BEGIN lines without END are answered at once, not in minutes (the PEM block search is linear)', async () => {
    const text = Buffer.from('-----BEGIN CERTIFICATE-----\n'.repeat(75_000));
    const started = performance.now();
    expect(refusalOf(() => parseCertificateBundle(text)).details?.reason).toBe('truncated');
    const keyPathWithBegins = join(inputs, 'begin-lines.pem');
    await writeFile(keyPathWithBegins, Buffer.from('-----BEGIN PRIVATE KEY-----\n'.repeat(35_000)));
    expect((await failure(readPrivateKeyFile(keyPathWithBegins, null))).message).toMatch(/is not a private key file/);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('pemBlocks finds exactly the blocks the regular expression it replaced found, in 2,000 mutated texts', () => {
    const rng = new Rng(SEED, 'pem-blocks');
    const texts = seedsOf((seed) => seed.kind === 'pem');
    for (let index = 0; index < 2000; index++) {
      const text = mutate(rng, (texts[index % texts.length] as Seed).bytes, corpus.map((item) => item.bytes), 'pem').bytes.toString('latin1');
      const expected = [...text.matchAll(/-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END \1-----/g)].map((match) => ({ label: match[1], body: match[2], text: match[0] }));
      expect(pemBlocks(text), `text #${index} with FUZZ_SEED=${SEED}`).toEqual(expected);
    }
  });

  it('a keystore holding a damaged certificate is refused with an AppError (readPkcs12Entry)', () => {
    const key = createPrivateKey({ key: readFileSync(keyPath), passphrase: KEY_PASSPHRASE });
    const damaged = writePkcs12({ privateKey: key, certificates: [leafDer(), Buffer.from('not a certificate')], friendlyName: 'anaplan-connect', password: KEYSTORE_PASSWORD });
    const error = refusalOf(() => readPkcs12Entry(damaged, 'anaplan-connect', KEYSTORE_PASSWORD));
    expect(error.code).toBe('bad_input');
    expect(error.message).toBe('This keystore holds a damaged certificate, so it cannot be used to sign in. Import the certificate again to make a new keystore.');
  });

  it('an encrypted key asking for 16,777,216 PBKDF2 rounds (about 6 s of OpenSSL) is refused before they run', async () => {
    const der = Buffer.from((pemBlocks(readFileSync(keyPath, 'latin1'))[0]?.body ?? '').replace(/\s+/g, ''), 'base64');
    const tree = parseDer(der);
    // EncryptedPrivateKeyInfo > AlgorithmIdentifier > PBES2-params > keyDerivationFunc > PBKDF2-params > iterationCount
    const iterations = tree?.[0]?.children?.[0]?.children?.[1]?.children?.[0]?.children?.[1]?.children?.[1];
    if (!tree || !iterations) throw new Error('not the PBES2 key openssl writes');
    iterations.content = Buffer.from([0x01, 0x00, 0x00, 0x00]);
    const path = join(inputs, 'costly-key.pem');
    await writeFile(path, armour('ENCRYPTED PRIVATE KEY', encodeDer(tree)));
    const started = performance.now();
    const error = await failure(readPrivateKeyFile(path, KEY_PASSPHRASE));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.details?.reason).toBe('unsupported_encryption');
    expect(error.message).toContain('an iteration count of 16777216 (at most 5,000,000 is read)');
    expect(error.message).toContain('openssl pkcs8 -topk8 -v2 aes-256-cbc');
  });

  it('a key encrypted with scrypt (unbounded cost; Anaplan Connect reads PBKDF2) is refused with the conversion command', async () => {
    const path = join(inputs, 'scrypt-key.pem');
    openssl(['pkcs8', '-topk8', '-in', keyPath, '-passin', `pass:${KEY_PASSPHRASE}`, '-scrypt', '-passout', `pass:${KEY_PASSPHRASE}`, '-out', path]);
    const error = await failure(readPrivateKeyFile(path, KEY_PASSPHRASE));
    expect(error.message).toContain('a key derivation other than PBKDF2 (scrypt)');
  });

  it('a friendlyName as UniversalString with code points beyond Unicode is read, not a RangeError (asn1-reader stringOf)', () => {
    const at = plainPfx.indexOf(Buffer.from([0x1e, 0x08, 0x00, 0x66, 0x00, 0x75, 0x00, 0x7a, 0x00, 0x7a])); // BMPString "fuzz"
    expect(at).toBeGreaterThan(0);
    const universal = Buffer.from(plainPfx);
    universal[at] = 0x1c;
    expect(parseCertificateBundle(universal, { filePassword: PFX_PASSWORD }).certificates).toHaveLength(2);
  });

  it('a validity date OpenSSL cannot read ("Bad time value"): the preview reports the certificate as unreadable, not a RangeError', async () => {
    const der = leafWith((tbs) => {
      const notBefore = tbs[4]?.children?.[0];
      if (notBefore) notBefore.content = Buffer.from('ZZ');
    });
    expect(new X509Certificate(der).validFrom).toBe('Bad time value');
    const summary = await previewImport({ source: { text: armour('CERTIFICATE', der) }, key: { path: keyPath, passphrase: KEY_PASSPHRASE } });
    expect(summary.findings.map((finding) => finding.code)).toContain('unreadable_certificate');
    expect(summary.notBefore).toBe('');
  });

  it('a certificate with an empty subject and issuer (node:crypto then gives undefined for the names) is previewed, not a TypeError', async () => {
    const der = leafWith((tbs) => {
      for (const name of [tbs[3], tbs[5]]) if (name) name.children = [];
    });
    expect(new X509Certificate(der).subject).toBeUndefined();
    const summary = await previewImport({ source: { text: armour('CERTIFICATE', der) }, key: { path: otherKeyPath, passphrase: KEY_PASSPHRASE } });
    expect(summary).toMatchObject({ subject: '', issuer: '', findings: [expect.objectContaining({ code: 'key_mismatch' })] });
  });

  it('a certificate whose public key cannot be read, with another key: key_mismatch says so, not a raw OpenSSL error', async () => {
    const der = leafWith((tbs) => {
      const algorithm = tbs[6]?.children?.[0]?.children?.[0];
      if (algorithm) algorithm.content = Buffer.from('2a864886f70d010109', 'hex');
    });
    expect(() => new X509Certificate(der).publicKey).toThrow();
    const summary = await previewImport({ source: { text: armour('CERTIFICATE', der) }, key: { path: otherKeyPath, passphrase: KEY_PASSPHRASE } });
    expect(summary.findings).toEqual([expect.objectContaining({ code: 'key_mismatch', message: expect.stringMatching(/^This certificate's public key cannot be read/) })]);
  });

  it('a root list without "roots" says what to write, not "received undefined"', async () => {
    const path = join(inputs, 'no-roots.json');
    await writeFile(path, JSON.stringify({ mode: 'replace' }));
    const error = await failure(loadRoots(path));
    expect(error.message).toContain('roots: List the roots: "roots": [{"name": "…", "subject": "…"}].');
    expect(error.message).not.toContain('undefined');
  });
});
