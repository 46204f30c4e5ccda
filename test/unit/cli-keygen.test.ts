import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { openssl, snapshot, useTempDir } from '../support/fixtures.js';

const work = useTempDir('keygen-');
const home = useTempDir('keygen-home-');

const PASSPHRASE = 'correct horse battery staple';
const env = () => ({ ANAPLAN_SETUP_HOME: join(home(), 'settings'), KEY_PASSPHRASE: PASSPHRASE });
const base = (out: string) => ['keygen', '--email', 'ada@example.com', '--name', 'Ada Lovelace', '--org', 'Example Ltd', '--country', 'GB', '--out', out];

describe('anaplan-setup keygen', () => {
  test('writes an encrypted PKCS#8 key (0600, folder 0700) and a CSR that openssl verifies, and prints the JSON fields', async () => {
    const out = join(work(), 'cert');
    const result = await runCli([...base(out), '--passphrase-env', 'KEY_PASSPHRASE', '--json'], { env: env() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answer = result.json<Record<string, unknown>>();
    expect(answer).toMatchObject({ privateKey: join(out, 'private-key.pem'), csr: join(out, 'request.csr'), email: 'ada@example.com', bits: 2048 });
    expect(answer.subject).toEqual(expect.stringContaining('CN=Ada Lovelace'));
    expect(answer.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    expect((await stat(join(out, 'private-key.pem'))).mode & 0o777).toBe(0o600);
    const key = await readFile(join(out, 'private-key.pem'), 'utf8');
    expect(key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(openssl('req', '-verify', '-noout', '-in', join(out, 'request.csr')).status).toBe(0);
    const text = openssl('req', '-text', '-noout', '-in', join(out, 'request.csr')).stdout;
    expect(text).toContain('email:ada@example.com');
    expect(text).toContain('TLS Web Client Authentication, E-mail Protection');
    expect(openssl('pkey', '-in', join(out, 'private-key.pem'), '-passin', `pass:${PASSPHRASE}`, '-noout').status).toBe(0);
    expect(openssl('pkey', '-in', join(out, 'private-key.pem'), '-passin', 'pass:wrong', '-noout').status).not.toBe(0);
    expect(result.stdout).not.toContain(PASSPHRASE);
  });

  test('--no-passphrase writes an unencrypted PKCS#8 key and warns about it', async () => {
    const out = join(work(), 'plain');
    const result = await runCli([...base(out), '--no-passphrase', '--bits', '3072', '--ca', 'digicert']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Warning: .*(unencrypted|not encrypted|without a passphrase)/i);
    expect(await readFile(join(out, 'private-key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(result.stdout).toContain('-----BEGIN CERTIFICATE REQUEST-----');
  });

  test('bad input exits non-zero with a clear message and leaves the folder as it was', async () => {
    const out = join(work(), 'existing');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'keep me');
    const before = await snapshot(out);
    const cases: Array<[string[], RegExp]> = [
      [['keygen', '--email', 'not-an-email', '--name', 'Ada', '--out', out, '--no-passphrase'], /email/i],
      [['keygen', '--email', 'a.very.long.address.for.anaplan@subdomain.example.com', '--name', 'Ada', '--out', out, '--no-passphrase'], /40/],
      [[...base(out), '--bits', '1024', '--no-passphrase'], /2048/],
      [[...base(out).map((a) => (a === 'GB' ? 'GBR' : a)), '--no-passphrase'], /country|two letters/i],
      [['keygen', '--email', 'ada@example.com', '--out', out, '--no-passphrase'], /--name/],
      [[...base(out), '--passphrase-env', 'COLON'], /':'|":"|colon/i],
      [[...base(out), '--ca', 'incommon', '--no-passphrase'], /--ca/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([...args, '--json'], { env: { ...env(), COLON: 'pass:word with colon' } });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.json<{ error: { message: string } }>().error.message, args.join(' ')).toMatch(message);
      expect(await snapshot(out)).toEqual(before);
    }
  });

  test('an existing key is never overwritten; --force-backup keeps it as a numbered backup', async () => {
    const out = join(work(), 'twice');
    expect((await runCli([...base(out), '--no-passphrase'])).code).toBe(0);
    const firstKey = await readFile(join(out, 'private-key.pem'), 'utf8');
    const refused = await runCli([...base(out), '--no-passphrase', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('file_exists');
    expect(await readFile(join(out, 'private-key.pem'), 'utf8')).toBe(firstKey);
    const replaced = await runCli([...base(out), '--no-passphrase', '--force-backup', '--json']);
    expect(replaced.code).toBe(0);
    const backups = (await readdir(out)).filter((n) => n.startsWith('private-key.pem') && n.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(out, backups[0]!), 'utf8')).toBe(firstKey);
    expect((await stat(join(out, backups[0]!))).mode & 0o777).toBe(0o600);
  });

  test('--profile remembers the pending request for later (several side by side)', async () => {
    for (const name of ['one', 'two']) {
      const result = await runCli([...base(join(work(), name)), '--no-passphrase', '--profile', 'Production', '--json'], { env: env() });
      expect(result.code).toBe(0);
    }
    const settings = JSON.parse(await readFile(join(home(), 'settings', 'settings.json'), 'utf8'));
    const profile = settings.profiles.find((p: { name: string }) => p.name === 'Production');
    expect(profile.authMethod).toBe('certificate');
    expect(profile.certificateRequests).toHaveLength(2);
    expect(profile.certificateRequests[0]).toMatchObject({ caProfileId: 'sectigo', status: 'pending', privateKeyPath: join(work(), 'one', 'private-key.pem') });
    expect(JSON.stringify(settings)).not.toContain('PRIVATE KEY');
  });
});
