import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { equivalentCommands } from '../../main/core/equivalent-commands.js';
import { importCertificate } from '../../main/pki/certificate-import.js';
import { ProfileSchema } from '../../main/store/settings-schema.js';
import { findJdk } from '../support/java.js';
import { TestCa, makeRequest } from '../support/test-ca.js';

let ca: TestCa;
let work: string;
beforeAll(async () => {
  ca = TestCa.create();
  work = await mkdtemp(join(tmpdir(), 'equivalent-'));
}, 120_000);
afterAll(() => ca?.remove());

test('the shown openssl and keytool commands, run for real, rebuild and read the keystore', async () => {
  const request = await makeRequest(join(work, 'request'));
  const issued = ca.issue(request, 'multipurpose');
  const result = await importCertificate({ source: { path: issued.path }, key: { path: request.keyPath, passphrase: request.passphrase }, outDir: join(work, 'imported'), keystorePassword: 'Keystore pass 1', overwrite: false });
  const rebuilt = join(work, 'by-hand.p12');
  const profile = ProfileSchema.parse({
    id: 'p',
    name: 'P',
    email: request.email,
    createdAt: '',
    updatedAt: '',
    authMethod: 'certificate',
    certificate: { importedAt: '', alias: result.alias, certificatePath: result.certificatePath, chainPath: result.chainPath, keystorePath: rebuilt, privateKeyPath: request.keyPath, keyEncrypted: true, subject: '', email: request.email, issuer: '', fingerprint: '', notBefore: '', notAfter: '', requestId: null },
  });
  const commands = equivalentCommands(profile, { serviceUrl: 'https://api.anaplan.com', authUrl: 'https://auth.anaplan.com', operation: ['-process', 'Nightly Load', '-execute'] });
  const env = { ...process.env, KEY_PASSPHRASE: request.passphrase, KEYSTORE_PASSWORD: 'Keystore pass 1' };
  const build = commands.find((c) => c.command.startsWith('openssl pkcs12 -export'));
  execFileSync('bash', ['-c', build!.command], { env, stdio: 'pipe' });
  if (findJdk()) {
    const list = commands.find((c) => c.tool === 'keytool')!;
    expect(execFileSync('bash', ['-c', list.command], { env, encoding: 'utf8' })).toMatch(/Entry type: PrivateKeyEntry/);
  }
  const call = commands.find((c) => c.tool === 'Anaplan Connect')!.command;
  expect(call).toBe(`./AnaplanClient.sh -keystore ${rebuilt} -keystorealias anaplan-connect -service https://api.anaplan.com -auth https://auth.anaplan.com -process 'Nightly Load' -execute`);
  for (const c of commands) expect(c.command).not.toContain('Keystore pass 1');
}, 120_000);
