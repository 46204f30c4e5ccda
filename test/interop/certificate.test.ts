import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { TestCa, makeRequest, type IssuedCertificate, type ReplyFiles, type TestRequest } from '../support/test-ca.js';
import { SEED } from '../emulator/server.js';
import { interopSkipReason } from './client.js';
import { SUCCESS, exportJob, runJob, useInterop, type Interop } from './harness.js';

/**
 * Certificate jobs: the assistant's own key and CSR, signed by a test CA, imported, registered in
 * the emulator as a Tenant Administrator would, and run by the real Anaplan Connect in both forms
 * it takes (keystore with keystore-access.txt; certificate and key files).
 */
const workspaceId = SEED.workspaces.financePlanning.id;
const modelId = SEED.models.fpa.id;
const ids = ['--workspace-id', workspaceId, '--model-id', modelId];
const exportAction = SEED.modelObjects.exports[0]; // Headcount Report.csv
const processName = SEED.modelObjects.processes[0].name;
const KEYSTORE_PASSWORD = 'Keystore pass 123';

let ca: TestCa;
let request: TestRequest;
let issued: IssuedCertificate;
let replies: ReplyFiles;
let certificates: string;

async function prepare(interop: Interop): Promise<void> {
  request = await makeRequest(join(interop.work, 'request'));
  issued = ca.issue(request, 'multipurpose');
  replies = ca.replies(issued, request);
  interop.emulator.addUser({ email: request.email, password: 'unused-Password-1', firstName: 'Ada', lastName: 'Lovelace' });
  interop.emulator.registerCertificate(request.email, issued.pem);
  certificates = join(interop.work, 'certificates');
  const imported = await runCli(
    ['import-cert', replies.p7bPem, '--key', request.keyPath, '--passphrase-env', 'KEY_PASSPHRASE', '--out', certificates, '--keystore-password-env', 'KEYSTORE_PASSWORD', '--json'],
    { env: { KEY_PASSPHRASE: request.passphrase, KEYSTORE_PASSWORD, ANAPLAN_SETUP_HOME: join(interop.work, 'settings') } },
  );
  expect(imported.code, imported.stdout + imported.stderr).toBe(0);
}

describe.skipIf(interopSkipReason() !== null)('certificate jobs with the real Anaplan Connect', () => {
  // Anaplan Connect 4.1.0 sends the v1 payload, which Anaplan still accepts (anaplan-facts §2, §8).
  const interop = useInterop('certificate', { requireV2: false });
  beforeAll(async () => {
    ca = TestCa.create();
    await prepare(interop);
  }, 120_000);
  afterAll(() => ca?.remove());

  test('keystore job: the password from keystore-access.txt under JobHome, though HOME is elsewhere; the export downloaded and compared', async () => {
    const jobHome = join(interop.work, 'home-of-svc');
    const job = join(interop.work, 'keystore-job');
    const download = join(interop.work, 'downloads', 'headcount.csv');
    await mkdir(join(interop.work, 'downloads'), { recursive: true });
    const content = 'Employee,Department,FTE\nE001,Finance,1\nE002,Sales,0.5\n';
    interop.emulator.setExportContent(modelId, exportAction.id, content);
    const exported = await exportJob(
      interop,
      ['--method', 'certificate', '--keystore', join(certificates, 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'KEYSTORE_PASSWORD', '--job-home', jobHome, '--out', job, ...ids,
        '--operation', 'export', '--export', exportAction.name, '--local-file', download],
      { env: { KEYSTORE_PASSWORD } },
    );
    expect(exported.code, exported.stdout).toBe(0);
    expect(await readFile(join(job, 'anaplan-connect.sh'), 'utf8')).toContain(`JobHome='${jobHome}'`);

    // HOME is not the folder keystore-access.txt was written for: Java's user.home is moved there.
    const elsewhere = join(interop.work, 'some-other-home');
    await mkdir(elsewhere, { recursive: true });
    const run = await runJob(join(job, 'anaplan-connect.sh'), { HOME: elsewhere });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(SUCCESS);
    expect(await readFile(download, 'utf8')).toBe(content);

    // check-job looks where the job will: the keystore, keystore-access.txt under JobHome, then the sign-in.
    const check = await runCli(['check-job', job, '--json'], { env: { HOME: elsewhere } });
    expect(check.code, check.stdout).toBe(0);
    const answer = check.json<{ ok: boolean; checks: Array<{ name: string; ok: boolean; message: string }> }>();
    expect(answer.checks.map((item) => item.name)).toEqual(['script', 'anaplan-connect', 'java', 'keystore', 'keystore-access', 'log', 'sign-in', 'workspace']);
    expect(answer.checks.find((item) => item.name === 'keystore-access')?.message).toContain(join(jobHome, '.anaplan/api-client/keystore-access.txt'));
  });

  test('control: without keystore-access.txt the job stops with its own message, exit 2', async () => {
    const jobHome = join(interop.work, 'home-without-file');
    const job = join(interop.work, 'keystore-job-no-file');
    const exported = await exportJob(
      interop,
      ['--method', 'certificate', '--keystore', join(certificates, 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'KEYSTORE_PASSWORD', '--job-home', jobHome, '--out', job, ...ids, '--operation', 'process', '--process', processName],
      { env: { KEYSTORE_PASSWORD } },
    );
    expect(exported.code, exported.stdout).toBe(0);
    await rm(join(jobHome, '.anaplan'), { recursive: true });
    const run = await runJob(join(job, 'anaplan-connect.sh'), { HOME: jobHome });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`ERROR: "${join(jobHome, '.anaplan/api-client/keystore-access.txt')}" was not found.`);
    expect(run.output).not.toContain('Initializing Service');
  });

  test('certificate and key files: -privatekey with the passphrase from the environment', async () => {
    const job = join(interop.work, 'pem-job');
    const exported = await exportJob(interop, ['--method', 'certificate', '--certificate', join(certificates, 'certificate.pem'), '--key', request.keyPath, '--out', job, ...ids, '--operation', 'process', '--process', processName]);
    expect(exported.code, exported.stdout).toBe(0);
    const run = await runJob(join(job, 'anaplan-connect.sh'), { HOME: interop.work, ANAPLAN_KEY_PASSPHRASE: request.passphrase });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(SUCCESS);
  });
});

describe.skipIf(interopSkipReason() !== null)('a tenant that refuses the v1 certificate sign-in Anaplan Connect 4.1.0 sends', () => {
  const interop = useInterop('certificate-v2-only', { requireV2: true });
  beforeAll(async () => {
    ca = TestCa.create();
    await prepare(interop);
  }, 120_000);
  afterAll(() => ca?.remove());

  test('the test login signs in (v2), tries v1 as the job will and says this job needs a client that sends v2; the job fails as predicted', async () => {
    const login = await runCli(
      ['login', '--method', 'certificate', '--keystore', join(certificates, 'keystore.p12'), '--alias', 'anaplan-connect', '--keystore-password-env', 'KEYSTORE_PASSWORD', '--auth-url', interop.emulator.url, '--api-url', interop.emulator.url, '--json'],
      { env: { KEYSTORE_PASSWORD } },
    );
    expect(login.code, login.stdout).toBe(0);
    const answer = login.json<{ certificatePayloads: { v1: string; v2: string }; warnings: string[] }>();
    expect(answer.certificatePayloads).toEqual({ v2: 'accepted', v1: 'refused' });
    expect(answer.warnings.join(' ')).toMatch(/needs an Anaplan Connect release that sends v2 \(4\.1\.0 does not\)/);

    const job = join(interop.work, 'v1-refused-job');
    expect((await exportJob(interop, ['--method', 'certificate', '--certificate', join(certificates, 'certificate.pem'), '--key', request.keyPath, '--out', job, ...ids, '--operation', 'process', '--process', processName])).code).toBe(0);
    const env = { HOME: interop.work, ANAPLAN_KEY_PASSPHRASE: request.passphrase };
    const run = await runJob(join(job, 'anaplan-connect.sh'), env);
    expect(run.status).toBe(1);
    expect(run.output).toContain('Certificate Authentication failed!');
    const check = await runJob(join(job, 'anaplan-connect.sh'), env, ['--check']);
    expect(check.status).toBe(1);
    expect(check.stderr).toMatch(/CHECK FAILED: Anaplan refused the certificate\..*needs an Anaplan Connect release that sends v2/s);
  });
});
