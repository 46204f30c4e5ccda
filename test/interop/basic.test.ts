import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { startAuthProxy } from '../support/auth-proxy.js';
import { SEED } from '../emulator/server.js';
import { interopSkipReason } from './client.js';
import { SUCCESS, exportJob, runClient, runJob, useInterop } from './harness.js';

/**
 * Basic jobs, exported by the CLI and run by the real Anaplan Connect against the emulator, as
 * cron runs them: the script as written, a short PATH, nothing typed.
 */
const user = SEED.users.integration;
const workspaceId = SEED.workspaces.financePlanning.id;
const modelId = SEED.models.fpa.id;
const ids = ['--workspace-id', workspaceId, '--model-id', modelId];
const importFile = SEED.modelObjects.files[1]; // gl_actuals.csv
const importAction = SEED.modelObjects.imports[1]; // Actuals from gl_actuals.csv
const processName = SEED.modelObjects.processes[0].name;

describe.skipIf(interopSkipReason() !== null)('Basic jobs with the real Anaplan Connect', () => {
  const interop = useInterop('basic');

  test('import: the relative --local-file is written as the full path, the file is uploaded byte for byte and the import runs', async () => {
    const exportDir = join(interop.work, 'import-export-cwd');
    await mkdir(join(exportDir, 'data'), { recursive: true });
    const csv = 'Account,Period,Amount\n4000,Jan 26,1250.50\n4010,Jan 26,-75.25\n';
    await writeFile(join(exportDir, 'data', 'actuals.csv'), csv);
    const job = join(interop.work, 'import-job');
    const exported = await exportJob(interop, ['--method', 'basic', '--user', user.email, '--out', job, ...ids, '--operation', 'import', '--file', importFile.name, '--local-file', './data/actuals.csv', '--import', importAction.name], { cwd: exportDir });
    expect(exported.code, exported.stdout).toBe(0);
    const script = join(job, 'anaplan-connect.sh');
    expect(await readFile(script, 'utf8')).toContain(`-put '${join(exportDir, 'data', 'actuals.csv')}'`);

    const run = await runJob(script, { HOME: interop.work, ANAPLAN_PASSWORD: user.password });
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(SUCCESS);
    expect(interop.emulator.uploadedFile(modelId, importFile.name)?.toString('utf8')).toBe(csv);
    expect(interop.emulator.tasks.filter((task) => task.kind === 'imports' && task.objectId === importAction.id)).toHaveLength(1);
  });

  test('the gap the relative path hid: Anaplan Connect itself resolves ./data/… against its own folder and fails', async () => {
    const run = await runClient(['-service', interop.emulator.url, '-auth', interop.emulator.url, '-user', `${user.email}:${user.password}`, '-workspace_id', workspaceId, '-model_id', modelId, '-file', importFile.name, '-put', './data/actuals.csv', '-import', importAction.name, '-execute']);
    expect(run.output).toMatch(/not found|NoSuchFile|does not exist/i);
    expect(run.output).not.toContain(SUCCESS);
  });

  test('process through an authenticating proxy, with the retry, timeout and chunk options', async () => {
    const proxy = await startAuthProxy('svc-proxy', 'Proxy-Pass-5');
    try {
      const job = join(interop.work, 'process-job');
      const exported = await exportJob(interop, [
        '--method', 'basic', '--user', user.email, '--out', job, ...ids, '--operation', 'process', '--process', processName,
        '--proxy', `http://127.0.0.1:${proxy.port}`, '--proxy-user', 'svc-proxy', '--proxy-password-variable', 'PROXY_PASSWORD',
        '--max-retry-count', '3', '--retry-timeout', '3', '--http-timeout', '60', '--chunk-size', '1',
      ]);
      expect(exported.code, exported.stdout).toBe(0);
      const run = await runJob(join(job, 'anaplan-connect.sh'), { HOME: interop.work, ANAPLAN_PASSWORD: user.password, PROXY_PASSWORD: 'Proxy-Pass-5' });
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain(SUCCESS);
      expect(proxy.forwarded.length + proxy.tunnels.length).toBeGreaterThan(0);
      expect(interop.emulator.tasks.some((task) => task.kind === 'processes')).toBe(true);

      const wrongProxyPassword = await runJob(join(job, 'anaplan-connect.sh'), { HOME: interop.work, ANAPLAN_PASSWORD: user.password, PROXY_PASSWORD: 'wrong' });
      expect(wrongProxyPassword.status).not.toBe(0);
      const euroProxyPassword = await runJob(join(job, 'anaplan-connect.sh'), { HOME: interop.work, ANAPLAN_PASSWORD: user.password, PROXY_PASSWORD: 'Proxy-€-5' });
      expect(euroProxyPassword.status).toBe(2);
      expect(euroProxyPassword.stderr).toMatch(/ISO-8859-1/);
    } finally {
      await proxy.close();
    }
  });

  test('a task that fails, or a name Anaplan does not know: Anaplan Connect exits 0, the job exits 1 and runs the failure hook', async () => {
    const job = join(interop.work, 'failing-job');
    const hook = join(interop.work, 'hook-ran');
    expect((await exportJob(interop, ['--method', 'basic', '--user', user.email, '--out', job, ...ids, '--operation', 'process', '--process', processName, '--on-failure', `touch ${hook}`])).code).toBe(0);
    const script = join(job, 'anaplan-connect.sh');
    interop.emulator.failNextTask('processes', SEED.modelObjects.processes[0].id);
    const failed = await runJob(script, { HOME: interop.work, ANAPLAN_PASSWORD: user.password });
    expect(failed.stdout).toContain('The operation failed');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('Anaplan Connect exited with code 0, but its output above says that the operation failed');
    await expect(readFile(hook)).resolves.toBeDefined();

    await writeFile(script, (await readFile(script, 'utf8')).replace(`\nOperation=(-process '${processName}'`, "\nOperation=(-process 'Nightly Lod'"));
    const misspelled = await runJob(script, { HOME: interop.work, ANAPLAN_PASSWORD: user.password });
    expect(misspelled.stdout).toContain('not found in workspace');
    expect(misspelled.status).toBe(1);
  });

  describe('an action without a workspace and a model (Anaplan Connect exits 0 having run nothing)', () => {
    test('the premise, shown with the real client: "A workspace ID must be provided", and exit 0', async () => {
      const run = await runClient(['-service', interop.emulator.url, '-auth', interop.emulator.url, '-user', `${user.email}:${user.password}`, '-process', processName, '-execute']);
      expect(run.output).toContain('A workspace ID must be provided');
      expect(run.status).toBe(0);
    });

    test('the export refuses it, naming both flags', async () => {
      const refused = await exportJob(interop, ['--method', 'basic', '--user', user.email, '--out', join(interop.work, 'no-ids'), '--operation', 'process', '--process', processName]);
      expect(refused.code).toBe(2);
      const { error } = refused.json<{ error: { code: string; message: string } }>();
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(/--workspace-id and --model-id/);
    });

    test('the script refuses too when the IDs are emptied later (exit 2, before Anaplan Connect runs)', async () => {
      const job = join(interop.work, 'emptied-ids');
      expect((await exportJob(interop, ['--method', 'basic', '--user', user.email, '--out', job, ...ids, '--operation', 'process', '--process', processName])).code).toBe(0);
      const script = join(job, 'anaplan-connect.sh');
      const text = await readFile(script, 'utf8');
      await writeFile(script, text.replace(`WorkspaceId='${workspaceId}'`, "WorkspaceId=''"));
      const run = await runJob(script, { HOME: interop.work, ANAPLAN_PASSWORD: user.password });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/WorkspaceId or ModelId is empty/);
      expect(run.output).not.toContain('Initializing Service');
    });
  });

  describe('passwords outside ISO-8859-1 (Anaplan Connect sends Basic credentials in it)', () => {
    test('the job fails with such a password, and the test login says so before sending anything', async () => {
      const euro = { email: 'euro.user@example.com', password: 'Zażółć-€-2026' };
      interop.emulator.addUser(euro);
      const job = join(interop.work, 'euro-job');
      expect((await exportJob(interop, ['--method', 'basic', '--user', euro.email, '--out', job, ...ids, '--operation', 'process', '--process', processName])).code).toBe(0);
      // The real client with the password on its own command line: "?" on the wire, refused.
      const direct = await runClient(['-service', interop.emulator.url, '-auth', interop.emulator.url, '-user', `${euro.email}:${euro.password}`, '-W']);
      expect(direct.status).toBe(1);
      expect(direct.output).toContain('Basic Authentication failed!');
      // The job stops first and says why.
      const run = await runJob(join(job, 'anaplan-connect.sh'), { HOME: interop.work, ANAPLAN_PASSWORD: euro.password });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/ISO-8859-1/);

      const before = interop.emulator.log.length;
      const login = await runCli(['login', '--method', 'basic', '--user', euro.email, '--password-env', 'PW', '--auth-url', interop.emulator.url, '--api-url', interop.emulator.url, '--json'], { env: { PW: euro.password } });
      expect(login.code).toBe(2);
      expect(login.json<{ error: { message: string } }>().error.message).toMatch(/"ż", "ł", "ć" and "€".*ISO-8859-1.*Nothing was sent/s);
      expect(interop.emulator.log.slice(before).filter((entry) => entry.path.startsWith('/token/authenticate'))).toEqual([]);
    });

    test('accented Latin-1 characters: the test login sends them as the job will, and both get the same answer', async () => {
      const latin = { email: 'latin.user@example.com', password: 'Grüße-Çà-2026' };
      interop.emulator.addUser(latin);
      const login = await runCli(['login', '--method', 'basic', '--user', latin.email, '--password-env', 'PW', '--auth-url', interop.emulator.url, '--api-url', interop.emulator.url, '--json'], { env: { PW: latin.password } });
      const direct = await runClient(['-service', interop.emulator.url, '-auth', interop.emulator.url, '-user', `${latin.email}:${latin.password}`, '-W']);
      expect(login.code === 0).toBe(direct.status === 0);
      const sent = interop.emulator.log.filter((entry) => entry.path === '/token/authenticate').map((entry) => entry.headers.authorization);
      // The assistant's header and Anaplan Connect's are the same bytes.
      expect(new Set(sent.slice(-2)).size).toBe(1);
      expect(Buffer.from(String(sent.at(-1)).replace(/^Basic /, ''), 'base64')).toEqual(Buffer.from(`${latin.email}:${latin.password}`, 'latin1'));
      if (login.code !== 0) expect(login.json<{ error: { message: string } }>().error.message).toMatch(/ISO-8859-1.*accented characters/s);
    });
  });
});
