import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { charactersOutsideLatin1, latin1BasicCredentials, listCharacters } from '../../main/anaplan/latin1.js';
import { checkDiagnoses, SILENT_FAILURE_MARKERS } from '../../main/export/check-diagnoses.js';
import { buildAnaplanConnectFiles, type AnaplanConnectExportRequest } from '../../main/export/index.js';
import { operationActsInModel, operationNamesModel, relativeLocalFiles } from '../../main/export/operation-rules.js';
import { readShSettings } from '../../main/export/sh-settings-read.js';
import { shQuote } from '../../main/export/shell-quote.js';
import { expectBadInput, fileNamed, sharedFields, useTempDir } from '../support/export-harness.js';

/**
 * The rules the real Anaplan Connect taught (anaplan-facts §8), as the export applies them, and
 * the scripts' --check and silent-failure handling run against stand-in clients that print what
 * Anaplan Connect 4.1.0 prints. (test/interop runs the same jobs with the real client.)
 */
const WORKSPACE = '8A81B08A6E9A2D0A016EA2B7F4C05E21';
const MODEL = '75A40874E6B64FA3AE0743278996850F';

function basic(overrides: Partial<Extract<AnaplanConnectExportRequest, { method: 'basic' }>> = {}): AnaplanConnectExportRequest {
  return { method: 'basic', user: 'integration@example.com', password: { source: 'env', envVar: 'ANAPLAN_PASSWORD' }, ...sharedFields(), ...overrides };
}

describe('Operation rules', () => {
  test('actions in a model need the workspace and the model, unless the Operation names them itself', () => {
    expect(operationActsInModel(['-process', 'Nightly', '-execute'])).toBe(true);
    expect(operationActsInModel(['-W'])).toBe(false);
    expect(operationActsInModel(['-M'])).toBe(false);
    expect(operationNamesModel(['-workspace', 'Finance', '-model', 'FP&A', '-process', 'x', '-execute'])).toBe(true);
    expect(operationNamesModel(['-workspace', 'Finance', '-process', 'x'])).toBe(false);
  });

  test('relative -put/-get paths are found, absolute Linux and Windows ones are not', () => {
    expect(relativeLocalFiles(['-file', 'a.csv', '-put', './data/a.csv', '-import', 'x', '-execute'])).toEqual([{ index: 3, path: './data/a.csv' }]);
    expect(relativeLocalFiles(['-export', 'x', '-execute', '-get', 'out.csv'])).toEqual([{ index: 4, path: 'out.csv' }]);
    expect(relativeLocalFiles(['-put', '/srv/a.csv', '-get', 'C:\\data\\b.csv', '-get', '\\\\server\\share\\c.csv'])).toEqual([]);
  });

  test('the export refuses an action without IDs (naming both flags) and a relative local file (saying why)', () => {
    expectBadInput(() => buildAnaplanConnectFiles(basic({ workspaceId: '', modelId: '', operation: ['-process', 'Nightly Load', '-execute'] })), /--workspace-id and --model-id/, /exits 0/);
    expectBadInput(() => buildAnaplanConnectFiles(basic({ workspaceId: WORKSPACE, modelId: '', operation: ['-process', 'Nightly Load', '-execute'] })), /model ID/);
    expectBadInput(() => buildAnaplanConnectFiles(basic({ workspaceId: WORKSPACE, modelId: MODEL, operation: ['-file', 'a.csv', '-put', 'data/a.csv', '-import', 'x', '-execute'] })), /"data\/a\.csv" is a relative path.*File not found/s);
    expect(() => buildAnaplanConnectFiles(basic({ workspaceId: '', modelId: '', operation: ['-W'] }))).not.toThrow();
    expect(() => buildAnaplanConnectFiles(basic({ workspaceId: '', modelId: '', operation: ['-workspace', 'Finance', '-model', 'FP&A', '-process', 'x', '-execute'] }))).not.toThrow();
  });

  test('a schedule at 2:30 means 02:30', () => {
    const files = buildAnaplanConnectFiles(basic({ operation: ['-process', 'Nightly Load', '-execute'], schedule: { time: '2:30' } }));
    expect(fileNamed(files, 'crontab.txt').content.trimEnd().split('\n').at(-1)).toMatch(/^30 2 \* \* \* /);
  });

  test('an inline password outside ISO-8859-1 is refused at export', () => {
    expectBadInput(() => buildAnaplanConnectFiles(basic({ password: { source: 'inline', value: 'Pass-€-1' } })), /ISO-8859-1/);
    // Latin-1 passes for the Linux script (the .bat takes ASCII only: test/unit/export-bat-windows.test.ts).
    expect(() => buildAnaplanConnectFiles(basic({ platforms: ['linux'], password: { source: 'inline', value: 'Grüße-1' } }))).not.toThrow();
  });

  test('a job home with a space is refused for the Linux script (JAVA_OPTS is split at spaces), not for Windows only', () => {
    const keystore = (platforms: Array<'linux' | 'windows'>): AnaplanConnectExportRequest => ({
      method: 'certificate',
      credentials: { form: 'keystore', keystorePath: '/srv/keys/k.p12', alias: 'anaplan-connect', keystorePassword: { source: 'file', jobHome: '/home/job user' } },
      ...sharedFields({ platforms }),
    });
    expectBadInput(() => buildAnaplanConnectFiles(keystore(['linux'])), /-Duser\.home/);
    expect(() => buildAnaplanConnectFiles(keystore(['windows']))).not.toThrow();
  });
});

describe('ISO-8859-1 credentials, as Anaplan Connect sends them', () => {
  test('characters beyond Latin-1 are found and named; the header carries Latin-1 bytes', () => {
    expect(charactersOutsideLatin1('Zażółć-€-売')).toEqual(['ż', 'ł', 'ć', '€', '売']);
    expect(charactersOutsideLatin1('Grüße-Ça')).toEqual([]);
    expect(listCharacters(['€', 'ł'])).toBe('"€" and "ł"');
    expect(Buffer.from(latin1BasicCredentials('a@example.com', 'Grüße').slice('Basic '.length), 'base64')).toEqual(Buffer.from('a@example.com:Gr\u00fc\u00dfe', 'latin1'));
  });
});

describe('the settings block read back', () => {
  test('every value shQuote writes reads back byte for byte, and nothing below the marker is read', () => {
    const values = ['', 'plain', "it's", "'''", 'a b $HOME `x` "q" \\ %', '€ 売'];
    const script = [...values.map((value, index) => `Setting${index}=${shQuote(value, 'test')}`), '#____ Do not edit below this line ____', "Late='x'"].join('\n');
    const settings = readShSettings(script);
    values.forEach((value, index) => expect(settings.get(`Setting${index}`)).toBe(value));
    expect(settings.has('Late')).toBe(false);
  });
});

describe('the scripts\' own checks', () => {
  test('every diagnosis can be printed by both dialects as it is, and the .bat jumps only to labels it defines', () => {
    for (const method of ['basic', 'certificate', 'oauth'] as const) {
      const input: AnaplanConnectExportRequest =
        method === 'basic'
          ? basic({ workspaceId: WORKSPACE, modelId: MODEL, operation: ['-process', 'x', '-execute'], connection: { proxyUrl: 'http://proxy:8080', proxyUser: 'u', proxyPasswordEnvVar: 'P' } })
          : method === 'certificate'
            ? { method, credentials: { form: 'pem', certificatePath: '/k/c.pem', privateKeyPath: '/k/k.pem', keyPassphrase: { source: 'none' } }, ...sharedFields() }
            : { method, clientId: '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e', rotatable: true, tokenStoreDir: '/home/j/.anaplan', ...sharedFields() };
      for (const diagnosis of checkDiagnoses(input as Parameters<typeof checkDiagnoses>[0])) expect(diagnosis.meaning).not.toMatch(/["%!^&|<>()]/);
      const bat = fileNamed(buildAnaplanConnectFiles(input), 'anaplan-connect.bat').content;
      const labels = new Set([...bat.matchAll(/^:([a-z_]+)\r$/gm)].map((match) => match[1]));
      const targets = [...bat.matchAll(/goto :([a-z_]+)/g)].map((match) => match[1]);
      expect(targets.length).toBeGreaterThan(10);
      for (const target of targets) expect(labels, `${method}: goto :${target}`).toContain(target);
    }
  });

  useTempDir('job-self-check-', (dir) => (tmp = dir));
  let tmp = '';

  /** A job folder whose AnaplanClient.sh prints `output` and exits with `code`, as Anaplan Connect would. */
  async function jobWithClient(output: string, code: number, overrides: Partial<Extract<AnaplanConnectExportRequest, { method: 'basic' }>> = {}) {
    const folder = join(tmp, 'job');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'AnaplanClient.sh'), `#!/bin/bash\nprintf '%s\\n' "$@" > "$(dirname "$0")/argv.txt"\ncat <<'EOF'\n${output}\nEOF\nexit ${code}\n`);
    await chmod(join(folder, 'AnaplanClient.sh'), 0o755);
    const sh = fileNamed(buildAnaplanConnectFiles(basic({ workspaceId: WORKSPACE, modelId: MODEL, operation: ['-process', 'Nightly Load', '-execute'], logDir: join(tmp, 'logs'), ...overrides })), 'anaplan-connect.sh');
    await writeFile(join(folder, 'anaplan-connect.sh'), sh.content, { mode: 0o755 });
    const run = (args: string[] = []) =>
      spawnSync(join(folder, 'anaplan-connect.sh'), args, { cwd: tmp, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: tmp, ANAPLAN_PASSWORD: 'secret' } });
    return { folder, run, argv: async () => (await readFile(join(folder, 'argv.txt'), 'utf8')).trimEnd().split('\n') };
  }

  const LISTING = `2026-12-02 15:08:34 INFO  3008 |--   WS_ID\tWS_NAME\tWS_ALLOCATED_SIZE\tWS_SIZE\n2026-12-02 15:08:34 INFO  3008 |--   ${WORKSPACE}\tFinance Planning\t\t`;

  test('--check passes -W in place of the Operation, after every connection option; the job\'s workspace found, exit 0', async () => {
    const job = await jobWithClient(LISTING, 0);
    const result = job.run(['--check']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`CHECK OK: the job's workspace ${WORKSPACE} is among them.`);
    const argv = await job.argv();
    expect(argv.at(-1)).toBe('-W');
    expect(argv).not.toContain('-process');
  });

  test('--check: the workspace missing from the list is a failure (exit 1); an unknown argument is refused (exit 2)', async () => {
    const job = await jobWithClient(LISTING.replace(WORKSPACE, '8A868CDA7B1E4F2C017B3D5E9A0C1F44'), 0);
    const missing = job.run(['--check']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/CHECK FAILED: the job's workspace .* is not among/);
    const unknown = job.run(['--chekc']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown argument "--chekc".*--check/);
  });

  test('--check explains the client\'s message in plain words and exits non-zero; the failure hook does not run', async () => {
    const hook = join(tmp, 'hook-ran');
    const job = await jobWithClient('ERROR |--   Anaplan API: Basic Authentication failed! (Feign: status 401 reading …)', 1, { onFailure: `touch ${hook}` });
    const result = job.run(['--check']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/CHECK FAILED: Anaplan refused the user and password\..*ISO-8859-1/s);
    expect(spawnSync('test', ['-e', hook]).status).not.toBe(0);
  });

  test.each(SILENT_FAILURE_MARKERS)('Anaplan Connect exits 0 but prints "%s": the job exits 1 and runs the failure hook', async (marker) => {
    const hook = join(tmp, 'hook-ran');
    const job = await jobWithClient(`2026-12-02 ERROR |--   ${marker} …`, 0, { onFailure: `touch ${hook}` });
    const result = job.run();
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(marker);
    expect(result.stderr).toMatch(/exited with code 0, but its output above says/);
    expect(spawnSync('test', ['-e', hook]).status).toBe(0);
  });

  test('a clean run still exits 0, its output passed through unchanged', async () => {
    const job = await jobWithClient('<<< The operation was successful >>>  =)', 0);
    const result = job.run();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('<<< The operation was successful >>>  =)');
  });

  test('a Basic password outside ISO-8859-1 in the environment stops the job before Anaplan Connect runs (exit 2)', async () => {
    const job = await jobWithClient('should not run', 0);
    const result = spawnSync(join(job.folder, 'anaplan-connect.sh'), [], { cwd: tmp, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: tmp, ANAPLAN_PASSWORD: 'Pass-€-1', LANG: 'C.UTF-8' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/ISO-8859-1/);
    expect(result.stdout).not.toContain('should not run');
  });
});

describe('check-job without a real client (a stand-in that answers like Anaplan Connect 4.1.0)', () => {
  let tmp = '';
  useTempDir('check-job-', (dir) => (tmp = dir));

  async function job(platforms: Array<'linux' | 'windows'> = ['linux']) {
    const folder = join(tmp, 'job');
    await mkdir(folder, { recursive: true });
    const listing = `INFO  1 |--   WS_ID\tWS_NAME\nINFO  1 |--   ${WORKSPACE}\tFinance Planning\t\t`;
    await writeFile(join(folder, 'AnaplanClient.sh'), `#!/bin/bash\ncat <<'EOF'\n${listing}\nEOF\n`, { mode: 0o755 });
    for (const file of buildAnaplanConnectFiles(basic({ workspaceId: WORKSPACE, modelId: MODEL, platforms, logDir: join(tmp, 'logs') }))) {
      await writeFile(join(folder, file.name), file.content, { mode: file.mode });
      await chmod(join(folder, file.name), file.mode);
    }
    return folder;
  }

  test('a good job: every check holds and the workspaces are read from the client\'s listing', async () => {
    const { checkJob } = await import('../../main/core/job-check.js');
    const result = await checkJob(await job(), { env: { PATH: process.env.PATH, ANAPLAN_PASSWORD: 'secret' } });
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(result).toMatchObject({ ok: true, workspaces: [{ id: WORKSPACE, name: 'Finance Planning' }] });
  });

  test('a script others can change, and a missing password variable, are named; a Windows-only folder says where to check it', async () => {
    const { checkJob } = await import('../../main/core/job-check.js');
    const folder = await job();
    await chmod(join(folder, 'anaplan-connect.sh'), 0o777);
    const result = await checkJob(folder, { env: { PATH: process.env.PATH } });
    expect(result.ok).toBe(false);
    expect(result.checks.find((check) => check.name === 'script')?.message).toMatch(/Other accounts can change .* chmod go-w/);
    expect(result.checks.find((check) => check.name === 'password')).toMatchObject({ ok: false, message: expect.stringMatching(/ANAPLAN_PASSWORD is not set/) });

    await writeFile(join(folder, 'AnaplanClient.sh'), '');
    const windowsOnly = join(tmp, 'windows-job');
    await mkdir(windowsOnly);
    await writeFile(join(windowsOnly, 'anaplan-connect.bat'), '@echo off\r\n');
    const windows = await checkJob(windowsOnly);
    expect(windows.checks).toEqual([{ name: 'script', ok: false, message: expect.stringMatching(/anaplan-connect\.bat --check/) }]);
    await expect(checkJob(join(tmp, 'nowhere'))).rejects.toThrow(/is not a folder/);
  });
});
