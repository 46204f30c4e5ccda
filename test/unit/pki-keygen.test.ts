import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIELD_LABELS, type FieldProblem } from '../../main/pki/subject.js';
import { createKeyAndCsr, type KeygenInput, type KeygenResult } from '../../main/pki/keygen.js';
import type { RsaBits } from '../../main/pki/keys.js';
import { ADA, failure, modeOf, openssl, PASSPHRASE, restoreUmaskAfterEach, snapshot, useTempDir } from '../support/fixtures.js';

const root = useTempDir('pki-keygen-');
restoreUmaskAfterEach();

function input(overrides: Partial<KeygenInput> = {}): KeygenInput {
  return {
    subject: ADA,
    caProfileId: 'sectigo',
    bits: 2048,
    passphrase: PASSPHRASE,
    dir: join(root(), 'certificate'),
    forceBackup: false,
    ...overrides,
  };
}

function expectRequestMatchesKey(result: KeygenResult, passphrase: string | null): void {
  expect(openssl('req', '-verify', '-noout', '-in', result.csrPath).status).toBe(0);
  const fromCsr = openssl('req', '-in', result.csrPath, '-noout', '-pubkey').stdout;
  const fromKey = openssl('pkey', '-in', result.privateKeyPath, '-passin', `pass:${passphrase ?? ''}`, '-pubout').stdout;
  expect(fromCsr).toMatch(/BEGIN PUBLIC KEY/);
  expect(fromCsr).toBe(fromKey);
}

describe('createKeyAndCsr', () => {
  it('writes an encrypted key (0600) and the request (0644) into a new private folder (0700)', async () => {
    process.umask(0);
    const dir = join(root(), 'a', 'certificate');
    const progress: string[] = [];
    const result = await createKeyAndCsr(input({ dir, onProgress: (message) => progress.push(message) }));

    expect(result).toMatchObject({
      privateKeyPath: join(dir, 'private-key.pem'),
      csrPath: join(dir, 'request.csr'),
      subject: 'C=GB, ST=Greater London, L=London, O=Analytical Engines Ltd, OU=Integration, CN=Ada Lovelace, emailAddress=ada@example.com',
      email: 'ada@example.com',
      bits: 2048,
      caProfileId: 'sectigo',
      keyEncrypted: true,
      hash: 'sha256',
      warnings: [],
    });
    expect(result.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Date.parse(result.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await readdir(dir)).toEqual(['private-key.pem', 'request.csr']);
    expect(await readFile(result.csrPath, 'utf8')).toBe(result.csrPem);
    expect(await modeOf(result.privateKeyPath)).toBe(0o600);
    expect(await modeOf(result.csrPath)).toBe(0o644);
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(root(), 'a'))).toBe(0o700);
    expect((await readFile(result.privateKeyPath, 'utf8')).startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')).toBe(true);
    expect(openssl('pkey', '-in', result.privateKeyPath, '-passin', 'pass:', '-noout').status).not.toBe(0);
    expectRequestMatchesKey(result, PASSPHRASE);
    expect(progress[0]).toMatch(/Checking/);
    expect(progress.some((message) => message.includes('2048-bit RSA key pair'))).toBe(true);
  });

  it('writes an unencrypted PKCS#8 key with a warning that says the risk', async () => {
    const result = await createKeyAndCsr(input({ passphrase: null }));
    const pem = await readFile(result.privateKeyPath, 'utf8');
    expect(pem.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(pem).not.toContain('RSA PRIVATE KEY');
    expect(result.keyEncrypted).toBe(false);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/not encrypted: anyone who can read private-key\.pem can sign in to Anaplan as ada@example\.com/);
    expect(await modeOf(result.privateKeyPath)).toBe(0o600);
    expectRequestMatchesKey(result, null);
  });

  it('normalizes the subject it writes (trimmed, country upper-cased) and leaves out what the CA ignores', async () => {
    const base = input();
    const result = await createKeyAndCsr({ ...base, caProfileId: 'digicert', subject: { ...base.subject, commonName: ' Ada Lovelace ', country: 'gbr' } });
    expect(result.subject).toBe('CN=Ada Lovelace, emailAddress=ada@example.com');
    const text = openssl('req', '-in', result.csrPath, '-noout', '-text').stdout;
    expect(text).toContain('Subject: CN = Ada Lovelace, emailAddress = ada@example.com');
  });

  describe('refuses bad input before generating anything, and leaves the folder as it was', () => {
    const subjectCases: Array<[string, Partial<KeygenInput['subject']>, FieldProblem['field'], RegExp]> = [
      ['a bad email', { email: 'ada.example.com' }, 'email', /not an email address/],
      ['an email over 40 characters', { email: `${'a'.repeat(29)}@example.com` }, 'email', /41 characters long.*at most 40/],
      ['the country GBR', { country: 'GBR' }, 'country', /two-letter ISO 3166/],
      ['a missing required field', { commonName: '' }, 'commonName', /person's name/],
    ];
    it.each(subjectCases)('%s', async (_, subject, field, message) => {
      await writeFile(join(root(), 'notes.txt'), 'keep me');
      const before = await snapshot(root());
      const base = input();
      const error = await failure(createKeyAndCsr({ ...base, subject: { ...base.subject, ...subject } }));
      expect(error.code).toBe('bad_input');
      // The message names the field as the person sees it, never by its internal name.
      expect(error.message).toMatch(new RegExp(`^${FIELD_LABELS[field].replace(/[()]/g, '\\$&')}: `, 'm'));
      expect(error.message).not.toMatch(new RegExp(`^${field}: `, 'm'));
      const problems = error.details?.problems as FieldProblem[];
      expect(problems).toHaveLength(1);
      expect(problems[0]?.field).toBe(field);
      expect(problems[0]?.message).toMatch(message);
      expect(await snapshot(root())).toEqual(before);
    });

    it('lists every problem at once', async () => {
      const error = await failure(createKeyAndCsr(input({ subject: { commonName: '', email: 'nope', country: 'GBR' } })));
      expect((error.details?.problems as FieldProblem[]).map((problem) => problem.field)).toEqual(['country', 'commonName', 'email']);
      expect(error.message.split('\n').slice(1)).toEqual([expect.stringMatching(/^Country \(C\): /), expect.stringMatching(/^Name \(CN\): /), expect.stringMatching(/^Email address: /)]);
    });

    it('1024 bits', async () => {
      const before = await snapshot(root());
      const error = await failure(createKeyAndCsr(input({ bits: 1024 as RsaBits })));
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(/^1024 bits is too small: Anaplan needs RSA 2048 or more/);
      expect(await snapshot(root())).toEqual(before);
    });

    it("a passphrase with ':'", async () => {
      const before = await snapshot(root());
      const error = await failure(createKeyAndCsr(input({ passphrase: 'tulip:orbit:canyon' })));
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(/must not contain ':'.*-privatekey FILE:PASSPHRASE/);
      expect(error.details).toEqual({ field: 'passphrase' });
      expect(await snapshot(root())).toEqual(before);
    });

    it('a short passphrase', async () => {
      const error = await failure(createKeyAndCsr(input({ passphrase: 'short' })));
      expect(error.message).toMatch(/at least 8 characters/);
    });

    it('a folder that is a file, or under a file', async () => {
      await writeFile(join(root(), 'certificate'), 'a file, not a folder');
      const before = await snapshot(root());
      const error = await failure(createKeyAndCsr(input()));
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(/exists and is not a folder/);
      const nested = await failure(createKeyAndCsr(input({ dir: join(root(), 'certificate', 'inside') })));
      expect(nested.code).toBe('bad_input');
      expect(await snapshot(root())).toEqual(before);
    });

    it('an existing private-key.pem: file_exists, the old key untouched, nothing written', async () => {
      const dir = join(root(), 'certificate');
      await mkdir(dir);
      await writeFile(join(dir, 'private-key.pem'), 'the old key that has a certificate', { mode: 0o600 });
      const before = await snapshot(root());
      const error = await failure(createKeyAndCsr(input({ dir })));
      expect(error.code).toBe('file_exists');
      expect(error.message).toMatch(/private-key\.pem already exists.*Nothing was written/);
      expect(await snapshot(root())).toEqual(before);
    });
  });

  it('with forceBackup keeps each old key as a numbered .bak (0600) and warns', async () => {
    const dir = join(root(), 'certificate');
    const first = await createKeyAndCsr(input({ dir }));
    const firstKey = await readFile(first.privateKeyPath, 'utf8');
    const second = await createKeyAndCsr(input({ dir, forceBackup: true }));
    const secondKey = await readFile(second.privateKeyPath, 'utf8');
    await createKeyAndCsr(input({ dir, forceBackup: true }));

    expect((await readdir(dir)).sort()).toEqual([
      'private-key.pem',
      'private-key.pem.1.bak',
      'private-key.pem.bak',
      'request.csr',
      'request.csr.1.bak',
      'request.csr.bak',
    ]);
    expect(await readFile(join(dir, 'private-key.pem.bak'), 'utf8')).toBe(firstKey);
    expect(await readFile(join(dir, 'private-key.pem.1.bak'), 'utf8')).toBe(secondKey);
    expect(await readFile(join(dir, 'request.csr.bak'), 'utf8')).toBe(first.csrPem);
    expect(await modeOf(join(dir, 'private-key.pem.bak'))).toBe(0o600);
    expect(await modeOf(join(dir, 'private-key.pem.1.bak'))).toBe(0o600);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(second.warnings).toEqual([expect.stringMatching(/previous versions are kept next to them as numbered \.bak files/)]);
  });

  it('keeps the event loop turning while a 4096-bit key pair and request are made', async () => {
    let longestGap = 0;
    let ticks = 0;
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const started = performance.now();
    const results: KeygenResult[] = [];
    try {
      // RSA generation time varies a lot; go on until the probe has had a meaningful time to run.
      for (let run = 0; run < 3 && (run < 1 || performance.now() - started < 1000); run++) {
        results.push(await createKeyAndCsr(input({ bits: 4096, dir: join(root(), `run-${run}`) })));
      }
    } finally {
      clearInterval(probe);
    }
    const elapsed = performance.now() - started;
    // Generating a 4096-bit key on the main thread blocks it for seconds; the bounds leave room
    // for a busy 2-core machine's scheduling and GC pauses without hiding such a block.
    expect(ticks).toBeGreaterThan(elapsed / 10 / 5);
    expect(longestGap).toBeLessThan(300);

    const [result] = results;
    if (!result) throw new Error('no result');
    expect(openssl('req', '-text', '-noout', '-in', result.csrPath).stdout).toMatch(/Public-Key: \(4096 bit\)/);
    expectRequestMatchesKey(result, PASSPHRASE);
  }, 120_000);
});
