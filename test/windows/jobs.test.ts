import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tokenStoreFileName } from '../../main/export/oauth-token-store.js';
import { RECORDER, splitCommandLine, windowsPath, windowsSkipReason } from './cmd.js';
import { IDS, exportJob, expectExported, placeStandIns, runBatJob, runSh, useBench, type Bench, type JobRun } from './harness.js';

/**
 * Every sign-in method's exported job, written for both platforms by the real CLI, run twice: the
 * .sh with bash and the .bat with the calibrated cmd.exe, each in a folder named with cmd.exe's
 * special characters, each calling a stand-in AnaplanClient that records what Anaplan Connect would
 * get. The .bat's arguments, split as Java splits its command line, must be the .sh's, word for
 * word. Test values keep clear of the calibration's known Wine differences: no "!" in values (refused
 * anyway, k01) and no "%" in the name of a folder a .bat runs from (k02).
 */

// cmd.exe's special characters, and percent references that must not be expanded (X is set in the runs).
const HOSTILE = '& ^ % ( ) ; , = < > | * ? %X% %~dp0 %* 100%';
const JOB_FOLDER = 'R&D jobs (nightly) ;,= ^v2';
// From the environment: Latin-1 only (Anaplan Connect sends Basic credentials as ISO-8859-1), no "!"
// and no double quote. Written into the .bat: ASCII only (the export refuses more, see non-ascii.test.ts).
const PASSWORD = 'p&ss ^w0rd %X% (1) <2> |3| ;,= *? é';
const ASCII_PASSWORD = 'p&ss ^w0rd %X% (1) <2> |3| ;,= *?';
const RUN_ENV = { X: 'EXPANDED' };

const skip = windowsSkipReason();

async function hostileFolder(bench: Bench, name: string): Promise<string> {
  const folder = join(bench.dir, name);
  await mkdir(folder, { recursive: true });
  return folder;
}

/** Exports the job for both platforms into one folder with the stand-ins; returns both scripts. */
async function exportBoth(bench: Bench, folderName: string, args: string[], env: Record<string, string> = {}): Promise<{ sh: string; bat: string; folder: string }> {
  const folder = join(bench.dir, folderName);
  expectExported(await exportJob(bench, 'all', folder, args, env));
  await placeStandIns(bench, folder);
  return { sh: join(folder, 'anaplan-connect.sh'), bat: join(folder, 'anaplan-connect.bat'), folder };
}

/** Both runs succeeded and Anaplan Connect got the same words from both. */
function expectSameArguments(sh: JobRun, bat: JobRun & { commandLine: string | null }): string[] {
  expect(sh.status, `.sh: ${sh.stderr}`).toBe(0);
  expect(sh.argv, `.sh did not run the stand-in: ${sh.stderr}`).not.toBeNull();
  expect(bat.commandLine, `.bat did not run the stand-in (exit ${bat.status}): ${bat.stdout}\n${bat.stderr}`).not.toBeNull();
  expect(bat.argv).toEqual(sh.argv);
  expect(bat.status, `.bat: ${bat.stdout}\n${bat.stderr}`).toBe(0);
  return bat.argv ?? [];
}

/** The words after option in argv. */
function valueOf(argv: string[], option: string): string | undefined {
  const index = argv.indexOf(option);
  return index === -1 ? undefined : argv[index + 1];
}

const processOperation = ['--operation', 'process', '--process', `Nightly ${HOSTILE}`];

describe.skipIf(skip !== null)('every exported .bat, run by cmd.exe, gives Anaplan Connect the .sh\'s arguments', () => {
  const bench = useBench();

  test('basic, the password from ANAPLAN_PASSWORD: the process name and the password arrive exactly', async () => {
    const user = 'ops&data+x^y%z@example.com';
    const job = await exportBoth(bench, `${JOB_FOLDER} basic`, ['--method', 'basic', '--user', user, ...IDS, ...processOperation]);
    const env = { ...RUN_ENV, ANAPLAN_PASSWORD: PASSWORD };
    const sh = await runSh(bench, job.sh, { env });
    const bat = await runBatJob(bench, job.bat, { env });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-user')).toBe(`${user}:${PASSWORD}`);
    expect(argv.slice(-3)).toEqual(['-process', `Nightly ${HOSTILE}`, '-execute']);
  });

  test('basic, the password written into the script (inline): it arrives exactly', async () => {
    const job = await exportBoth(bench, `${JOB_FOLDER} inline`, ['--method', 'basic', '--user', 'ops@example.com', '--password-source', 'inline', '--password-env', 'SOURCE', ...IDS, ...processOperation], {
      SOURCE: ASCII_PASSWORD,
    });
    const sh = await runSh(bench, job.sh, { env: RUN_ENV });
    const bat = await runBatJob(bench, job.bat, { env: RUN_ENV });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-user')).toBe(`ops@example.com:${ASCII_PASSWORD}`);
  });

  test('basic, Anaplan Connect asking for the password (prompt): -user carries the user alone', async () => {
    const job = await exportBoth(bench, `${JOB_FOLDER} prompt`, ['--method', 'basic', '--user', 'ops&data@example.com', '--password-source', 'prompt', ...IDS, ...processOperation]);
    // The .sh refuses to run without a terminal; the .bat leaves the asking to Anaplan Connect.
    const bat = await runBatJob(bench, job.bat, { env: RUN_ENV });
    expect(bat.status, `${bat.stdout}\n${bat.stderr}`).toBe(0);
    expect(bat.argv?.slice(0, 2)).toEqual(['-user', 'ops&data@example.com']);
    expect(bat.argv?.slice(-3)).toEqual(['-process', `Nightly ${HOSTILE}`, '-execute']);
  });

  test('an import with hostile file, path and import names; connection options and a DOMAIN\\user proxy user with its password from the environment', async () => {
    const data = await hostileFolder(bench, 'data & more (1) ^x');
    const job = await exportBoth(bench, `${JOB_FOLDER} import`, [
      '--method', 'basic', '--user', 'ops@example.com', ...IDS,
      '--operation', 'import', '--file', `Sales ${HOSTILE}.csv`, '--local-file', join(data, 'Sales ;,= (EU) 50%.csv'), '--import', `Sales from ${HOSTILE}`,
      '--proxy', 'http://proxy.example.com:8080', '--proxy-user', 'CORP\\svc-proxy', '--proxy-password-variable', 'PROXY_PASSWORD',
      '--max-retry-count', '5', '--retry-timeout', '10', '--http-timeout', '120', '--chunk-size', '10',
    ]);
    const env = { ...RUN_ENV, ANAPLAN_PASSWORD: PASSWORD, PROXY_PASSWORD: 'pr&xy ^%X% (2)' };
    const sh = await runSh(bench, job.sh, { env });
    const bat = await runBatJob(bench, job.bat, { env });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-viauser')).toBe('CORP\\svc-proxy:pr&xy ^%X% (2)');
    expect(valueOf(argv, '-via')).toBe('http://proxy.example.com:8080');
    expect(valueOf(argv, '-put')).toBe(join(data, 'Sales ;,= (EU) 50%.csv'));
    expect(valueOf(argv, '-import')).toBe(`Sales from ${HOSTILE}`);
  });

  test('certificate keystore, its password in keystore-access.txt of the job account: the keystore in a hostile folder', async () => {
    const keys = await keystoreIn(bench, 'Keys & Certs (prod) ^1', 'keystore pass');
    const profile = join(bench.dir, 'profile-svc');
    const job = await exportBoth(bench, `${JOB_FOLDER} keystore`, ['--method', 'certificate', '--keystore', keys.keystore, '--alias', 'anaplan-connect', '--keystore-password-env', 'KEYSTORE_PASSWORD', '--job-home', profile, ...IDS, ...processOperation], {
      KEYSTORE_PASSWORD: 'keystore pass',
    });
    await readFile(join(profile, '.anaplan', 'api-client', 'keystore-access.txt'));
    const sh = await runSh(bench, job.sh, { env: RUN_ENV });
    const bat = await runBatJob(bench, job.bat, { env: RUN_ENV, userProfile: profile });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-keystore')).toBe(keys.keystore);
    expect(argv).not.toContain('-keystorepass');
  });

  test('certificate keystore with its password in the script (-keystorepass): the password arrives exactly', async () => {
    const password = 'k&y ^(1) %X% ;,= <x>';
    const keys = await keystoreIn(bench, 'Keys inline & Co (2)', password);
    const job = await exportBoth(bench, `${JOB_FOLDER} keystorepass`, ['--method', 'certificate', '--keystore', keys.keystore, '--alias', 'anaplan-connect', '--keystore-password-source', 'inline', '--keystore-password-env', 'KEYSTORE_PASSWORD', ...IDS, ...processOperation], {
      KEYSTORE_PASSWORD: password,
    });
    const sh = await runSh(bench, job.sh, { env: RUN_ENV });
    const bat = await runBatJob(bench, job.bat, { env: RUN_ENV });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-keystorepass')).toBe(password);
  });

  test('certificate and key files, the passphrase from ANAPLAN_KEY_PASSPHRASE: it arrives exactly', async () => {
    const keys = await keystoreIn(bench, 'PEM & keys (3) ^z', 'unused');
    const passphrase = 'tulip & orbit ^ (42) %X% ;,= <x> |y|';
    const job = await exportBoth(bench, `${JOB_FOLDER} pem`, ['--method', 'certificate', '--certificate', keys.certificate, '--key', keys.key, ...IDS, ...processOperation]);
    const env = { ...RUN_ENV, ANAPLAN_KEY_PASSPHRASE: passphrase };
    const sh = await runSh(bench, job.sh, { env });
    const bat = await runBatJob(bench, job.bat, { env });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-certificate')).toBe(keys.certificate);
    expect(valueOf(argv, '-privatekey')).toBe(`${keys.key}:${passphrase}`);
  });

  test('certificate and key files, the key unencrypted (none): -privatekey ends with the colon, as the .sh gives it', async () => {
    const keys = await keystoreIn(bench, 'PEM none & keys (4)', 'unused');
    const job = await exportBoth(bench, `${JOB_FOLDER} pem none`, ['--method', 'certificate', '--certificate', keys.certificate, '--key', keys.key, '--key-passphrase-source', 'none', ...IDS, ...processOperation]);
    const sh = await runSh(bench, job.sh, { env: RUN_ENV });
    const bat = await runBatJob(bench, job.bat, { env: RUN_ENV });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-privatekey')).toBe(`${keys.key}:`);
  });

  test('OAuth, rotating: the client ID, --rotatable and the token store folder (AC_OAUTH_KEYSTORE_DIR) as the .sh gives them', async () => {
    const clientId = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
    const store = await hostileFolder(bench, 'Token store & Co (1) ^x');
    await writeFile(join(store, tokenStoreFileName(clientId)), 'not a real store: the stand-in never opens it');
    const job = await exportBoth(bench, `${JOB_FOLDER} oauth`, ['--method', 'oauth', '--client-id', clientId, '--rotatable', '--token-store-dir', store, ...IDS, ...processOperation]);
    const sh = await runSh(bench, job.sh, { env: RUN_ENV });
    const bat = await runBatJob(bench, job.bat, { env: RUN_ENV });
    const argv = expectSameArguments(sh, bat);
    expect(valueOf(argv, '-oauth-client-id')).toBe(clientId);
    expect(argv).toContain('--rotatable');
    expect(sh.tokenStoreDir).toBe(store);
    expect(bat.tokenStoreDir).toBe(store);
  });

  test('the Anaplan Connect folder is named with spaces, & ^ ( ): the .bat goes there and calls its AnaplanClient.bat', async () => {
    const anaplanConnect = await hostileFolder(bench, 'Anaplan Connect & ^Tools (1.4) ;,=');
    await placeStandIns(bench, anaplanConnect);
    const common = ['--method', 'basic', '--user', 'ops@example.com', ...IDS, ...processOperation];
    // The same job for each platform, each naming the folder as its machine does.
    const linux = join(bench.dir, `${JOB_FOLDER} acdir linux`);
    const windows = join(bench.dir, `${JOB_FOLDER} acdir windows`);
    expectExported(await exportJob(bench, 'linux', linux, [...common, '--anaplan-connect-dir', anaplanConnect]));
    expectExported(await exportJob(bench, 'windows', windows, [...common, '--anaplan-connect-dir', windowsPath(anaplanConnect)]));
    const env = { ...RUN_ENV, ANAPLAN_PASSWORD: PASSWORD };
    const sh = await runSh(bench, join(linux, 'anaplan-connect.sh'), { env });
    const bat = await runBatJob(bench, join(windows, 'anaplan-connect.bat'), { env });
    expectSameArguments(sh, bat);
  });
});

describe.skipIf(skip !== null)('exit codes of the exported .bat under cmd.exe, and its failure hook', () => {
  const bench = useBench();
  let job: { sh: string; bat: string; folder: string };
  const env = { ...RUN_ENV, ANAPLAN_PASSWORD: PASSWORD };

  async function theJob(): Promise<{ sh: string; bat: string; folder: string }> {
    // OnFailure names the hook by its name only: bash finds on-failure-hook, cmd.exe on-failure-hook.bat (both on the PATH).
    job ??= await exportBoth(bench, `${JOB_FOLDER} hooks`, ['--method', 'basic', '--user', 'ops@example.com', ...IDS, ...processOperation, '--on-failure', 'on-failure-hook']);
    return job;
  }

  test('Anaplan Connect exits 0: the .bat exits 0 and the hook does not run', async () => {
    const { bat } = await theJob();
    const run = await runBatJob(bench, bat, { env, clientExit: 0 });
    expect(run.commandLine).not.toBeNull();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.hook).toBeNull();
  });

  test('Anaplan Connect exits 7: the .bat exits 7 and the hook runs with ANAPLAN_JOB_EXIT_CODE=7 and the log, as the .sh\'s does', async () => {
    const { sh, bat } = await theJob();
    const shRun = await runSh(bench, sh, { env, clientExit: 7 });
    const batRun = await runBatJob(bench, bat, { env, clientExit: 7 });
    expect(shRun.status).toBe(7);
    expect(shRun.hook?.exitCode).toBe('7');
    expect(batRun.status, `${batRun.stdout}\n${batRun.stderr}`).toBe(7);
    expect(batRun.hook, `the hook did not run: ${batRun.stderr}`).not.toBeNull();
    expect(batRun.hook?.exitCode).toBe('7');
    // The log is the dated one in the logs folder next to the .bat.
    expect(batRun.hook?.log).toMatch(/\\logs\\anaplan-connect-[^\\]+\.log$/);
    expect(batRun.hook?.log.startsWith(`${windowsPath(job.folder)}\\logs\\`)).toBe(true);
    expect(batRun.stderr).toContain('ERROR: Anaplan Connect exited with code 7.');
  });

  test('a failing hook is reported and the exit code stays Anaplan Connect\'s', async () => {
    const { bat } = await theJob();
    const run = await runBatJob(bench, bat, { env, clientExit: 7, hookExit: 3 });
    expect(run.hook?.exitCode).toBe('7');
    expect(run.status).toBe(7);
    expect(run.stderr).toContain('WARNING: the OnFailure command failed.');
  });

  test('Anaplan Connect exits 0 but says "The operation failed": the .bat exits 1 and runs the hook, as the .sh does', async () => {
    const { sh, bat } = await theJob();
    const shRun = await runSh(bench, sh, { env, clientSays: 'The operation failed', clientExit: 0 });
    const batRun = await runBatJob(bench, bat, { env, clientSays: 'The operation failed', clientExit: 0 });
    expect(shRun.status).toBe(1);
    expect(batRun.status, `${batRun.stdout}\n${batRun.stderr}`).toBe(1);
    expect(batRun.hook?.exitCode).toBe('1');
    expect(batRun.stdout).toContain('The operation failed');
  });

  test.each([
    ['a double quote', 'pa"ss & more'],
    ['"!"', 'pa!ss'],
    ['a trailing backslash', 'pass\\'],
  ])('a password from the environment with %s arrives exactly, or the .bat refuses it with exit 2 before Anaplan Connect runs', async (_what, password) => {
    const { bat } = await theJob();
    const run = await runBatJob(bench, bat, { env: { ...RUN_ENV, ANAPLAN_PASSWORD: password } });
    if (run.commandLine === null) {
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(2);
      expect(run.stderr).toContain('ANAPLAN_PASSWORD');
      expect(run.hook).toBeNull();
    } else {
      expect(valueOf(run.argv ?? [], '-user'), run.commandLine).toBe(`ops@example.com:${password}`);
      expect(run.argv?.slice(-3)).toEqual(['-process', `Nightly ${HOSTILE}`, '-execute']);
      expect(run.status).toBe(0);
    }
  });

  test('OnFailure with double quotes (Windows): a hook in a folder named with spaces, & ^ ( ) gets the log and the exit code as its arguments', async () => {
    const hooks = await hostileFolder(bench, 'Hooks & Co (x) ^1');
    const notify = join(hooks, 'notify.exe');
    await copyFile(RECORDER, notify);
    const folder = join(bench.dir, `${JOB_FOLDER} quoted hook`);
    const onFailure = `"${windowsPath(notify)}" "%ANAPLAN_JOB_LOG%" --code %ANAPLAN_JOB_EXIT_CODE%`;
    expectExported(await exportJob(bench, 'windows', folder, ['--method', 'basic', '--user', 'ops@example.com', ...IDS, ...processOperation, '--on-failure', onFailure]));
    await placeStandIns(bench, folder);
    const run = await runBatJob(bench, join(folder, 'anaplan-connect.bat'), { env, clientExit: 7 });
    expect(run.commandLine, `${run.stdout}\n${run.stderr}`).not.toBeNull();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(7);
    expect(run.hookCommandLine, `the hook did not run: ${run.stderr}`).not.toBeNull();
    const argv = splitCommandLine(run.hookCommandLine ?? '');
    expect(argv[0]).toBe(windowsPath(notify));
    expect(argv.slice(2)).toEqual(['--code', '7']);
    expect(argv[1]).toMatch(/\\logs\\anaplan-connect-[^\\]+\.log$/);
    expect(argv[1]?.startsWith(`${windowsPath(folder)}\\logs\\`)).toBe(true);
  });

  test('no Java (no JAVA_HOME, none in the registry): the .bat says so and fails with exit 1 through the hook, Anaplan Connect not run', async () => {
    const { bat } = await theJob();
    const run = await runBatJob(bench, bat, { env, java: false });
    expect(run.commandLine).toBeNull();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stderr).toContain('Java');
    expect(run.hook?.exitCode).toBe('1');
  });

  test('no password in the environment: the .bat stops with exit 2 before Anaplan Connect runs', async () => {
    const { bat } = await theJob();
    const run = await runBatJob(bench, bat, { env: RUN_ENV });
    expect(run.status).toBe(2);
    expect(run.commandLine).toBeNull();
    expect(run.stderr).toContain('ANAPLAN_PASSWORD');
  });
});

/** A self-signed certificate, its key and a PKCS#12 keystore (alias anaplan-connect) in a folder named name. */
async function keystoreIn(bench: Bench, name: string, password: string): Promise<{ keystore: string; certificate: string; key: string }> {
  const folder = await hostileFolder(bench, name);
  const certificate = join(folder, 'certificate.pem');
  const key = join(folder, 'private-key.pem');
  const keystore = join(folder, 'keystore.p12');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certificate, '-subj', '/CN=ops@example.com', '-days', '30'], { stdio: 'ignore' });
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', certificate, '-name', 'anaplan-connect', '-passout', 'env:P12_PASSWORD', '-out', keystore], {
    stdio: 'ignore',
    env: { ...process.env, P12_PASSWORD: password },
  });
  return { keystore, certificate, key };
}
