import { spawnSync } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  anaplanConnectExportWarnings,
  buildAnaplanConnectFiles,
  composeOperation,
  tokenStoreFileName,
  type AnaplanConnectExportRequest,
  type BasicExportRequest,
  type CertificateExportRequest,
  type OAuthExportRequest,
} from '../../main/export/index.js';
import { shQuote } from '../../main/export/shell-quote.js';
import {
  CONNECTION_ARGS,
  JOB_STAND_IN,
  MODEL_ID,
  WORKSPACE_ID,
  expectBadInput,
  expectCrlfOnly,
  expectNothingExecuted,
  expectOptionsBeforeOperation,
  fileNamed,
  hasShellcheck,
  setUpJob,
  type Job,
  expectBashSyntaxOk,
  expectShellcheckClean,
  useTempDir,
  writeShIn,
} from '../support/export-harness.js';

/**
 * The job options of the export (issue 6): Anaplan Connect's connection options, the Anaplan
 * Connect folder, JAVA_HOME, the dated log, the on-failure command, the daily schedule, the
 * Boomi and Informatica connection notes, and composeOperation.
 */

const API = 'https://api.anaplan.com';
const AUTH = 'https://auth.anaplan.com';
const OAUTH_HOST = 'https://us1a.app.anaplan.com';
const CLIENT_ID = '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e';
const USER = 'integration.user@example.com';
const KEYSTORE_PASSWORD = 'Store-Secret-7%';

// A proxy password a hostile or unlucky user might have: it must reach Anaplan Connect unchanged.
const PROXY_PASSWORD = `pr'ox"y: $(touch pwned) \`touch pwned\` $HOME !* \\ %PATH% ^`;

const CONNECTION = {
  proxyUrl: 'http://proxy.example.com:8080',
  proxyUser: 'CORP\\svc-anaplan',
  proxyPasswordEnvVar: 'ANAPLAN_PROXY_PASSWORD',
  maxRetryCount: 5,
  retryTimeoutSeconds: 10,
  httpTimeoutSeconds: 120,
  chunkSizeMb: 25,
};

/** What the connection options above become, in the order the scripts pass them. */
// -viauser last, as the .bat passes it too (test/windows compares the two scripts' arguments).
const CONNECTION_OPTION_ARGS = [
  '-via',
  'http://proxy.example.com:8080',
  '-maxretrycount',
  '5',
  '-retrytimeout',
  '10',
  '-httptimeout',
  '120',
  '-chunksize',
  '25',
  '-viauser',
  `CORP\\svc-anaplan:${PROXY_PASSWORD}`,
];

const OPERATION = composeOperation({ kind: 'import', file: 'Sales.csv', localFile: '/data/Sales 2026.csv', importName: 'Sales from Sales.csv' });

const COMMON = {
  serviceUrl: API,
  workspaceId: WORKSPACE_ID,
  modelId: MODEL_ID,
  platforms: ['linux', 'windows'] as Array<'linux' | 'windows'>,
  profileName: 'Production',
  regionName: 'US 1 (us1)',
  operation: OPERATION,
  generatedBy: 'Anaplan Connect Setup Assistant 0.1.0',
  generatedAt: new Date('2026-05-01T10:00:00Z'),
};

type Overrides = Partial<Omit<BasicExportRequest, 'method'> & Omit<CertificateExportRequest, 'method'> & Omit<OAuthExportRequest, 'method'>>;

interface MethodCase {
  label: string;
  /** The export input; `dir` is where the test keeps the method's files (keystore, token store). */
  input(dir: string, overrides?: Overrides): AnaplanConnectExportRequest;
  /** Creates the files the job checks for, and returns the environment its secrets come from. */
  prepare(dir: string): Promise<NodeJS.ProcessEnv>;
  /** Everything Anaplan Connect must receive before the connection options chosen here. */
  before(dir: string): string[];
  /** Auth and connection options that must come before the first Operation word. */
  options: string[];
}

const CONNECTION_OPTION_NAMES = ['-via', '-viauser', '-maxretrycount', '-retrytimeout', '-httptimeout', '-chunksize'];

const METHODS: MethodCase[] = [
  {
    label: 'basic',
    input: (_dir, overrides = {}) =>
      ({ method: 'basic', user: USER, password: { source: 'env', envVar: 'ANAPLAN_PASSWORD' }, authUrl: AUTH, ...COMMON, ...overrides }) as BasicExportRequest,
    prepare: async () => ({ ANAPLAN_PASSWORD: 'pw' }),
    before: () => ['-user', `${USER}:pw`, ...CONNECTION_ARGS],
    options: ['-user', '-service', '-auth', '-workspace_id', '-model_id', ...CONNECTION_OPTION_NAMES],
  },
  {
    label: 'certificate',
    input: (dir, overrides = {}) =>
      ({
        method: 'certificate',
        user: USER,
        credentials: { form: 'keystore', keystorePath: join(dir, 'keys', 'anaplan.p12'), alias: 'anaplan-connect', keystorePassword: { source: 'inline', value: KEYSTORE_PASSWORD } },
        authUrl: AUTH,
        ...COMMON,
        ...overrides,
      }) as CertificateExportRequest,
    prepare: async (dir) => {
      await mkdir(join(dir, 'keys'), { recursive: true });
      await writeFile(join(dir, 'keys', 'anaplan.p12'), 'not really a keystore', { mode: 0o600 });
      return {};
    },
    before: (dir) => ['-keystore', join(dir, 'keys', 'anaplan.p12'), '-keystorealias', 'anaplan-connect', '-keystorepass', KEYSTORE_PASSWORD, ...CONNECTION_ARGS],
    options: ['-keystore', '-keystorealias', '-keystorepass', '-service', '-auth', '-workspace_id', '-model_id', ...CONNECTION_OPTION_NAMES],
  },
  {
    label: 'oauth',
    input: (dir, overrides = {}) =>
      ({ method: 'oauth', user: USER, clientId: CLIENT_ID, rotatable: true, tokenStoreDir: join(dir, 'oauth'), authUrl: OAUTH_HOST, ...COMMON, ...overrides }) as OAuthExportRequest,
    prepare: async (dir) => {
      await mkdir(join(dir, 'oauth'), { mode: 0o700 });
      await writeFile(join(dir, 'oauth', tokenStoreFileName(CLIENT_ID)), 'not really a token store', { mode: 0o600 });
      return {};
    },
    before: () => ['-service', API, '-auth', OAUTH_HOST, '-oauth-client-id', CLIENT_ID, '--rotatable', '-workspace_id', WORKSPACE_ID, '-model_id', MODEL_ID],
    options: ['-service', '-auth', '-oauth-client-id', '--rotatable', '-workspace_id', '-model_id', ...CONNECTION_OPTION_NAMES],
  },
];

const EACH_METHOD = METHODS.map((method) => [method.label, method] as const);

let tmp: string;
useTempDir('export-job-options-', (dir) => (tmp = dir));

/** The method's files live in <tmp>/method; the job in setUpJob's folder. */
async function methodJob(method: MethodCase, overrides: Overrides = {}, options: Parameters<typeof setUpJob>[2] = {}) {
  const dir = join(tmp, 'method');
  await mkdir(dir);
  const env = await method.prepare(dir);
  const job = await setUpJob(tmp, method.input(dir, overrides), { client: JOB_STAND_IN, ...options });
  return { job, dir, env };
}

async function logFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.endsWith('.log'));
}

async function javaHomeSeen(job: Job): Promise<string | null> {
  const recorded = await readFile(job.env.JAVA_HOME_FILE ?? '', 'utf8');
  if (recorded === 'unset') return null;
  expect(recorded.startsWith('set\0')).toBe(true);
  return recorded.slice('set\0'.length);
}

describe('running the .sh against a stand-in AnaplanClient.sh', () => {
  it.each(EACH_METHOD)('%s: the connection options arrive with the others, before the first Operation word, exactly', async (_label, method) => {
    const { job, dir, env } = await methodJob(method, { connection: CONNECTION });
    const result = job.run({ ...env, ANAPLAN_PROXY_PASSWORD: PROXY_PASSWORD });
    expect(result.status).toBe(0);
    const argv = await job.argv();
    expect(argv).toEqual([...method.before(dir), ...CONNECTION_OPTION_ARGS, ...OPERATION]);
    expectOptionsBeforeOperation(argv, OPERATION, method.options);
    expect(argv.indexOf('-via')).toBeLessThan(argv.indexOf('-file'));
    await expectNothingExecuted(tmp);
  });

  it.each(EACH_METHOD)('%s: passes only the connection options chosen', async (_label, method) => {
    const { job, dir, env } = await methodJob(method, { connection: { httpTimeoutSeconds: 300 } });
    expect(job.run(env).status).toBe(0);
    expect(await job.argv()).toEqual([...method.before(dir), '-httptimeout', '300', ...OPERATION]);
    const content = await readFile(job.script, 'utf8');
    expect(content).not.toContain('ProxyUrl');
    expect(content).toContain("\nHttpTimeout='300'\n");
  });

  it.each(EACH_METHOD)('%s: without connection options, none is passed', async (_label, method) => {
    const { job, dir, env } = await methodJob(method);
    expect(job.run(env).status).toBe(0);
    expect(await job.argv()).toEqual([...method.before(dir), ...OPERATION]);
  });

  it.each(EACH_METHOD)('%s: a missing proxy password stops the job, exit 2, naming the variable', async (_label, method) => {
    const { job, env } = await methodJob(method, { connection: CONNECTION });
    const result = job.run(env);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/ERROR: the environment variable ANAPLAN_PROXY_PASSWORD is not set or is empty, so there is no password for the proxy user CORP\\svc-anaplan/);
    await expect(job.argv()).rejects.toThrow();
  });

  it.each(EACH_METHOD)('%s: a dated log next to the script holds the run\'s output, which the terminal shows too', async (_label, method) => {
    const { job, env } = await methodJob(method, {}, { logDir: 'next-to-script' });
    const result = job.run(env);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('stand-in: Anaplan Connect output\n');
    expect(result.stderr).toContain('stand-in: Anaplan Connect error output\n');
    const logs = await logFiles(join(job.folder, 'logs'));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^anaplan-connect-\d{8}-\d{6}\.log$/);
    const log = join(job.folder, 'logs', logs[0] ?? '');
    const content = await readFile(log, 'utf8');
    expect(content).toContain('stand-in: Anaplan Connect output\n');
    expect(content).toContain('stand-in: Anaplan Connect error output\n');
    expect((await stat(log)).mode & 0o777).toBe(0o600);
  });

  it.each(EACH_METHOD)('%s: logDir names the log folder (created when missing)', async (_label, method) => {
    const logDir = join(tmp, "log dir 'q' $HOME", 'nested');
    const { job, env } = await methodJob(method, { logDir });
    expect(job.run(env).status).toBe(0);
    const logs = await logFiles(logDir);
    expect(logs).toHaveLength(1);
    expect(await readFile(join(logDir, logs[0] ?? ''), 'utf8')).toContain('stand-in: Anaplan Connect output\n');
    expect(await readdir(job.folder)).not.toContain('logs');
  });

  it('a log folder that cannot be written: a warning, and the job still runs', async () => {
    await writeFile(join(tmp, 'a file'), '');
    const { job, env } = await methodJob(METHODS[0] as MethodCase, { logDir: join(tmp, 'a file', 'logs') });
    const result = job.run(env);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/WARNING: cannot write the log file ".*a file\/logs\/anaplan-connect-\d{8}-\d{6}\.log" as .*, so this run has no log\./);
    expect(result.stdout).toContain('stand-in: Anaplan Connect output\n');
  });

  it.each(EACH_METHOD)("%s: exits with Anaplan Connect's exit code and runs the on-failure command with the code and the log", async (_label, method) => {
    const hookDir = join(tmp, "hook dir 'q'");
    await mkdir(hookDir);
    const hook = join(hookDir, 'notify $x.sh');
    await writeFile(
      hook,
      ['#!/bin/bash', `{ printf 'code=%s\\n' "$ANAPLAN_JOB_EXIT_CODE"; printf 'log=%s\\n' "$ANAPLAN_JOB_LOG"; printf 'arg=%s\\n' "$@"; } > "$HOOK_OUT"`, 'exit 3', ''].join('\n'),
      { mode: 0o755 },
    );
    const hookOut = join(tmp, 'hook.txt');
    const { job, env } = await methodJob(method, { onFailure: `${shQuote(hook, 'hook')} --notify ops` });
    const result = job.run({ ...env, STANDIN_EXIT: '7', HOOK_OUT: hookOut });
    expect(result.status).toBe(7);
    const logs = await logFiles(join(tmp, 'job-logs'));
    expect(logs).toHaveLength(1);
    const log = join(tmp, 'job-logs', logs[0] ?? '');
    expect((await readFile(hookOut, 'utf8')).split('\n')).toEqual(['code=7', `log=${log}`, 'arg=--notify', 'arg=ops', 'arg=7', `arg=${log}`, '']);
    expect(result.stderr).toContain(`ERROR: Anaplan Connect exited with code 7. Log: ${log}\n`);
    // The hook's own failure (exit 3) is reported, and does not change the job's exit code.
    expect(result.stderr).toContain('WARNING: the OnFailure command failed (exit code 3).');
    expect(await readFile(log, 'utf8')).toContain('ERROR: Anaplan Connect exited with code 7.');
  });

  it.each(EACH_METHOD)('%s: the on-failure command does not run when Anaplan Connect succeeds', async (_label, method) => {
    const hookOut = join(tmp, 'hook.txt');
    const { job, env } = await methodJob(method, { onFailure: 'touch "$HOOK_OUT"' });
    expect(job.run({ ...env, HOOK_OUT: hookOut }).status).toBe(0);
    await expect(stat(hookOut)).rejects.toThrow();
    expect(job.run({ ...env, HOOK_OUT: hookOut, STANDIN_EXIT: '1' }).status).toBe(1);
    expect((await stat(hookOut)).isFile()).toBe(true);
  });

  it.each(EACH_METHOD)('%s: JAVA_HOME is exported when javaHome is set, and left alone when not', async (_label, method) => {
    const javaHome = join(tmp, "jdk 17 'q'");
    await mkdir(join(javaHome, 'bin'), { recursive: true });
    await writeFile(join(javaHome, 'bin', 'java'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const { job, env } = await methodJob(method, { javaHome });
    expect(job.run(env).status).toBe(0);
    expect(await javaHomeSeen(job)).toBe(javaHome);
    // Not set: AnaplanClient.sh gets the environment's JAVA_HOME, or none.
    const content = await readFile(job.script, 'utf8');
    await writeFile(job.script, content.replace(`\nJavaHome=${shQuote(javaHome, 'x')}\n`, "\nJavaHome=''\n"));
    expect(job.run(env).status).toBe(0);
    expect(await javaHomeSeen(job)).toBeNull();
    expect(job.run({ ...env, JAVA_HOME: '/usr/lib/jvm/other' }).status).toBe(0);
    expect(await javaHomeSeen(job)).toBe('/usr/lib/jvm/other');
  });

  it('a javaHome without bin/java stops the job, exit 2, before Anaplan Connect runs', async () => {
    const { job, env } = await methodJob(METHODS[0] as MethodCase, { javaHome: join(tmp, 'no-java') });
    const result = job.run(env);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/ERROR: JavaHome ".*no-java" holds no bin\/java/);
    await expect(job.argv()).rejects.toThrow();
  });

  it.each(EACH_METHOD)('%s: anaplanConnectDir becomes the AnaplanConnectDir setting', async (_label, method) => {
    const clientFolder = join(tmp, 'anaplan connect $x');
    await mkdir(clientFolder);
    await writeFile(join(clientFolder, 'AnaplanClient.sh'), JOB_STAND_IN, { mode: 0o755 });
    const { job, env } = await methodJob(method, { anaplanConnectDir: clientFolder }, { standIn: 'missing' });
    expect(await readFile(job.script, 'utf8')).toContain(`\nAnaplanConnectDir=${shQuote(clientFolder, 'x')}\n`);
    expect(job.run(env).status).toBe(0);
    expect(await job.cwd()).toBe(clientFolder);
  });
});

describe('generated scripts', () => {
  const ALL_OPTIONS: Overrides = {
    connection: CONNECTION,
    anaplanConnectDir: '/opt/anaplan-connect',
    javaHome: '/usr/lib/jvm/java-17-openjdk',
    logDir: '/var/log/anaplan-connect',
    onFailure: '/usr/local/bin/notify-failure --to ops@example.com',
    schedule: { time: '02:30', account: 'svc-anaplan' },
  };

  const writeSh = (method: MethodCase, overrides: Overrides) => writeShIn(tmp, method.input('/srv/job', { ...overrides, platforms: ['linux'] }));

  it.each(EACH_METHOD)('%s: the .sh passes bash -n with every option', async (_label, method) => {
    for (const overrides of [ALL_OPTIONS, {}, { connection: { proxyUrl: 'https://[::1]:3128' } }]) {
      expectBashSyntaxOk(await writeSh(method, overrides));
    }
  });

  it.skipIf(!hasShellcheck).each(EACH_METHOD)('%s: shellcheck passes at every level with every option', async (_label, method) => {
    for (const overrides of [ALL_OPTIONS, { connection: { chunkSizeMb: 1 } }]) {
      expectShellcheckClean(await writeSh(method, overrides), 'style');
    }
  });

  it.each(EACH_METHOD)('%s: the .sh settings hold the options, above the marker', async (_label, method) => {
    const sh = fileNamed(buildAnaplanConnectFiles(method.input('/srv/job', ALL_OPTIONS)), 'anaplan-connect.sh').content;
    const [settings] = sh.split('#________________ Do not edit below this line ________________\n');
    expect(settings?.split('\n')).toEqual(
      expect.arrayContaining([
        "AnaplanConnectDir='/opt/anaplan-connect'",
        "ProxyUrl='http://proxy.example.com:8080'",
        "ProxyUser='CORP\\svc-anaplan'",
        "ProxyPasswordVariable='ANAPLAN_PROXY_PASSWORD'",
        "MaxRetryCount='5'",
        "RetryTimeout='10'",
        "HttpTimeout='120'",
        "ChunkSize='25'",
        "JavaHome='/usr/lib/jvm/java-17-openjdk'",
        "LogDir='/var/log/anaplan-connect'",
        "OnFailure='/usr/local/bin/notify-failure --to ops@example.com'",
      ]),
    );
    // The proxy password is read when the job runs: never a setting.
    expect(settings).not.toMatch(/^ProxyPassword=/m);
  });

  const BAT_TAIL = '%%WorkspaceOption%% %%ModelOption%% %%ConnectionOptions%% -viauser "%%ProxyUser%%:%%%ProxyPasswordVariable%%%" %%Operation%%';
  const BAT_CALLS: Record<string, string> = {
    basic: `call .\\AnaplanClient.bat -user "%%AnaplanUser%%:%%%PasswordVariable%%%" -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" ${BAT_TAIL}`,
    certificate: `call .\\AnaplanClient.bat -keystore "%%KeystoreFile%%" -keystorealias "%%KeystoreAlias%%" -keystorepass "%%KeystorePassword%%" -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" ${BAT_TAIL}`,
    oauth: `call .\\AnaplanClient.bat -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" -oauth-client-id "%%ClientId%%" %%RotatableOption%% ${BAT_TAIL}`,
  };

  it.each(EACH_METHOD)('%s: the .bat is CRLF, its call line passes the connection options before the Operation', (label, method) => {
    const input = method.input('C:\\jobs', { ...ALL_OPTIONS, anaplanConnectDir: 'C:\\AnaplanConnect', javaHome: 'C:\\Program Files\\Java\\jdk-17', logDir: 'D:\\logs\\anaplan' });
    const bat = fileNamed(buildAnaplanConnectFiles(input), 'anaplan-connect.bat').content;
    expectCrlfOnly(bat);
    const lines = bat.split('\r\n');
    const at = (line: string) => {
      const index = lines.indexOf(line);
      expect(index, line).toBeGreaterThan(0);
      return index;
    };
    const marker = at('rem ___ Do not edit below this line ___');
    for (const setting of [
      'set "AnaplanConnectDir=C:\\AnaplanConnect"',
      'set "ProxyUrl=http://proxy.example.com:8080"',
      'set "ProxyUser=CORP\\svc-anaplan"',
      'set "ProxyPasswordVariable=ANAPLAN_PROXY_PASSWORD"',
      'set "MaxRetryCount=5"',
      'set "RetryTimeout=10"',
      'set "HttpTimeout=120"',
      'set "ChunkSize=25"',
      'set "JavaHome=C:\\Program Files\\Java\\jdk-17"',
      'set "LogDir=D:\\logs\\anaplan"',
      'set "OnFailure=/usr/local/bin/notify-failure --to ops@example.com"',
    ]) {
      expect(at(setting), setting).toBeLessThan(marker);
    }
    expect(lines.filter((line) => line.startsWith('call '))).toEqual([BAT_CALLS[label]]);
    const gathered = [
      'set "ConnectionOptions="',
      'if defined ProxyUrl set ConnectionOptions=%ConnectionOptions% -via "%ProxyUrl%"',
      'if defined MaxRetryCount set ConnectionOptions=%ConnectionOptions% -maxretrycount "%MaxRetryCount%"',
      'if defined RetryTimeout set ConnectionOptions=%ConnectionOptions% -retrytimeout "%RetryTimeout%"',
      'if defined HttpTimeout set ConnectionOptions=%ConnectionOptions% -httptimeout "%HttpTimeout%"',
      'if defined ChunkSize set ConnectionOptions=%ConnectionOptions% -chunksize "%ChunkSize%"',
    ].map(at);
    expect(gathered).toEqual([...gathered].sort((a, b) => a - b));
    const logFile = at('set "LogFile=%LogDir%\\anaplan-connect-%RunStamp%.log"');
    const javaHome = at('if defined JavaHome set "JAVA_HOME=%JavaHome%"');
    const proxyCheck = at('if not defined %ProxyPasswordVariable% goto :no_proxy_password');
    const run = at('>>"%LogFile%" 2>&1 call :run_anaplan_connect');
    const exitCode = at('set "ExitCode=%ERRORLEVEL%"');
    const failed = at(':failed');
    const subroutine = at(':run_anaplan_connect');
    const call = at(BAT_CALLS[label] ?? '');
    for (const before of [logFile, javaHome, proxyCheck, ...gathered]) expect(before).toBeLessThan(run);
    expect(run).toBeLessThan(exitCode);
    expect(lines[exitCode + 1]).toBe('type "%LogFile%"');
    expect(lines[exitCode + 2]).toBe('if defined CheckOnly goto :check_result');
    expect(lines[exitCode + 3]).toBe('if not "%ExitCode%"=="0" goto :failed');
    expect(lines[exitCode + 4]).toMatch(/^findstr \/c:"The operation failed" .* "%LogFile%" >nul 2>nul && goto :silent_failure$/);
    expect(lines[exitCode + 5]).toBe('exit /b 0');
    expect(lines.slice(failed, failed + 11)).toEqual([
      ':failed',
      '>&2 echo ERROR: Anaplan Connect exited with code %ExitCode%. Log: "%LogFile%"',
      ':on_failure',
      'if not defined OnFailure exit /b %ExitCode%',
      'set "ANAPLAN_JOB_EXIT_CODE=%ExitCode%"',
      'set "ANAPLAN_JOB_LOG=%LogFile%"',
      'rem OnFailure runs as written: delayed expansion puts it on the line after cmd.exe has read the line.',
      'setlocal EnableDelayedExpansion',
      'cmd /d /v:off /s /c "!OnFailure!"',
      'if errorlevel 1 >&2 echo WARNING: the OnFailure command failed.',
      'exit /b %ExitCode%',
    ]);
    expect(subroutine).toBeLessThan(call);
    expect(lines[call + 1]).toBe('exit /b %ERRORLEVEL%');
    expect(bat).toContain(
      'for /f "delims=" %%T in (\'powershell -NoProfile -NonInteractive -Command "[DateTime]::Now.ToString(\'yyyyMMdd-HHmmss\', [Globalization.CultureInfo]::InvariantCulture)"\') do set "RunStamp=%%T"',
    );
    // cmd.exe would read these as syntax outside double quotes in an echo line.
    for (const line of lines.filter((l) => l.startsWith('>&2 echo '))) {
      expect(line.slice('>&2 echo '.length).replace(/"[^"]*"/g, ''), line).not.toMatch(/[()<>|&^]/);
    }
    // The proxy password is read from its variable on the call line: it is never in the file.
    expect(bat).not.toContain(PROXY_PASSWORD);
  });

  it('the .bat logs only error output when Anaplan Connect asks for the password', () => {
    const input = (METHODS[0] as MethodCase).input('C:\\jobs', { password: { source: 'prompt' }, platforms: ['windows'] });
    const lines = fileNamed(buildAnaplanConnectFiles(input), 'anaplan-connect.bat').content.split('\r\n');
    expect(lines).toContain('2>>"%LogFile%" call :run_anaplan_connect');
    expect(lines).not.toContain('type "%LogFile%"');
  });

  it.each(EACH_METHOD)('%s: no secret of the proxy and no inline secret reaches README.md, the schedule or the warnings', (_label, method) => {
    const files = buildAnaplanConnectFiles(method.input('/srv/job', { ...ALL_OPTIONS, integrationGuides: ['boomi', 'informatica'] }));
    for (const file of files.filter((f) => !f.name.startsWith('anaplan-connect.'))) {
      expect(file.content, file.name).not.toContain(KEYSTORE_PASSWORD);
      expect(file.mode, file.name).toBe(0o644);
    }
  });
});

describe('validation', () => {
  const RANGES: Array<[keyof typeof CONNECTION, number, number, RegExp]> = [
    ['maxRetryCount', 3, 15, /retries \(-maxretrycount\): .*from 3 to 15/],
    ['retryTimeoutSeconds', 3, 120, /retry wait \(-retrytimeout\): .*from 3 to 120 seconds/],
    ['httpTimeoutSeconds', 60, 300, /HTTP timeout \(-httptimeout\): .*from 60 to 300 seconds/],
    ['chunkSizeMb', 1, 50, /chunk size \(-chunksize\): .*from 1 to 50 MB/],
  ];

  it.each(EACH_METHOD)('%s: refuses out-of-range and fractional values, saying the range', (_label, method) => {
    for (const [key, min, max, message] of RANGES) {
      for (const value of [min - 1, max + 1, min + 0.5]) {
        expectBadInput(() => buildAnaplanConnectFiles(method.input('/srv/job', { connection: { [key]: value } })), message, /nothing was generated/i);
      }
      for (const value of [min, max]) {
        const sh = fileNamed(buildAnaplanConnectFiles(method.input('/srv/job', { connection: { [key]: value } })), 'anaplan-connect.sh').content;
        expect(sh).toContain(`='${value}'\n`);
      }
    }
  });

  it.each(EACH_METHOD)('%s: refuses a proxy URL without a port, and other bad proxy settings', (_label, method) => {
    const refuse = (connection: Record<string, unknown>, ...messages: RegExp[]) =>
      expectBadInput(() => buildAnaplanConnectFiles(method.input('/srv/job', { connection } as Overrides)), ...messages);
    refuse({ proxyUrl: 'http://proxy.example.com' }, /proxy URL \(-via\): .*has no port/);
    refuse({ proxyUrl: 'http://proxy.example.com/' }, /has no port/);
    refuse({ proxyUrl: 'proxy.example.com:8080' }, /proxy URL .*http:\/\/host:port/);
    refuse({ proxyUrl: 'socks5://proxy.example.com:1080' }, /proxy URL .*http:\/\/host:port/);
    refuse({ proxyUrl: 'http://proxy.example.com:0' }, /port 0 must be from 1 to 65535/);
    refuse({ proxyUrl: 'http://proxy.example.com:70000' }, /port 70000 must be from 1 to 65535/);
    refuse({ proxyUrl: 'http://svc:secret@proxy.example.com:8080' }, /must not contain a user name or password/);
    refuse({ proxyUrl: 'http://p:8080', proxyUser: 'svc:secret', proxyPasswordEnvVar: 'P' }, /proxy user .*must not contain ":" or a password.*environment variable/);
    refuse({ proxyUrl: 'http://p:8080', proxyUser: 'a\\b\\c\\d', proxyPasswordEnvVar: 'P' }, /domain\\workstation\\user/);
    refuse({ proxyUrl: 'http://p:8080', proxyUser: 'svc' }, /proxy password environment variable: .*Name the environment variable/);
    refuse({ proxyUser: 'svc', proxyPasswordEnvVar: 'P' }, /proxy URL .*without a proxy URL/);
    refuse({ proxyUrl: 'http://p:8080', proxyPasswordEnvVar: 'P' }, /proxy user .*without a proxy user/);
    refuse({ proxyUrl: 'http://p:8080', proxyUser: 'svc', proxyPasswordEnvVar: '1-PW' }, /proxy password environment variable/);
    // Accepted: an explicit port, https, an IPv6 literal, NTLM users.
    for (const connection of [
      { proxyUrl: 'https://proxy.example.com:443' },
      { proxyUrl: 'http://[::1]:3128/' },
      { proxyUrl: 'http://p:8080', proxyUser: 'CORP\\WS01\\svc', proxyPasswordEnvVar: 'PROXY_PW' },
    ]) {
      expect(() => buildAnaplanConnectFiles(method.input('/srv/job', { connection }))).not.toThrow();
    }
  });

  it.each(EACH_METHOD)('%s: refuses bad folders, commands, schedules and accounts, naming the field', (_label, method) => {
    const cases: Array<[Overrides, RegExp]> = [
      [{ anaplanConnectDir: 'anaplan-connect' }, /Anaplan Connect folder: .*full path/],
      [{ javaHome: '~/jdk' }, /JAVA_HOME: .*"~"/],
      [{ logDir: 'logs' }, /log folder: .*full path/],
      [{ logDir: '/var/log/a\nb' }, /log folder: .*control characters/],
      [{ onFailure: 'notify\nrm -rf /' }, /command to run on failure: .*control characters/],
      [{ onFailure: '  ' }, /command to run on failure: .*empty/],
      [{ schedule: { time: '24:00' } }, /daily run time: .*HH:MM/],
      [{ schedule: { time: '2:3' } }, /daily run time: .*HH:MM/],
      [{ schedule: { time: '02:30', account: 'svc"; calc' } }, /account the schedule runs as: /],
      [{ currentAccount: 'a%b' }, /current account: /],
      [{ integrationGuides: ['mulesoft' as 'boomi'] }, /integration guides \(item 1\): .*"boomi" or "informatica"/],
    ];
    for (const [overrides, message] of cases) {
      expectBadInput(() => buildAnaplanConnectFiles(method.input('/srv/job', overrides)), message, /nothing was generated/i);
    }
  });

  it('refuses a schedule for a job that asks for the password', () => {
    const input = (METHODS[0] as MethodCase).input('/srv/job', { password: { source: 'prompt' }, schedule: { time: '02:30' } });
    expectBadInput(() => buildAnaplanConnectFiles(input), /schedule: A scheduled job cannot answer the password prompt/);
  });

  it('refuses an on-failure command the .bat cannot hold, but not for Linux only', () => {
    const method = METHODS[0] as MethodCase;
    // Double quotes are the command's own (issue 14): the .bat takes them; "!" it cannot hold.
    expectBadInput(() => buildAnaplanConnectFiles(method.input('/srv/job', { onFailure: 'notify.cmd --title "Failed!"' })), /on-failure command contains "!"/);
    expect(() => buildAnaplanConnectFiles(method.input('/srv/job', { onFailure: '"C:\\Program Files\\notify.exe" "%ANAPLAN_JOB_LOG%"' }))).not.toThrow();
    expect(() => buildAnaplanConnectFiles(method.input('/srv/job', { onFailure: '"/opt/my tools/notify" --to ops!', platforms: ['linux'] }))).not.toThrow();
  });
});

describe('schedule: crontab.txt and schtasks.txt', () => {
  const SCHEDULE = { time: '02:30', account: 'svc-anaplan' };

  function filesFor(method: MethodCase, overrides: Overrides = {}) {
    return buildAnaplanConnectFiles(method.input('/srv/job', { schedule: SCHEDULE, anaplanConnectDir: '/opt/anaplan-connect', ...overrides }));
  }

  const CRON_LINES: Record<string, string> = {
    basic: '30 2 * * * ANAPLAN_PASSWORD="$(cat "$HOME/.anaplan-password")" /opt/anaplan-connect/anaplan-connect.sh',
    certificate: '30 2 * * * /opt/anaplan-connect/anaplan-connect.sh',
    oauth: '30 2 * * * /opt/anaplan-connect/anaplan-connect.sh',
  };

  it.each(EACH_METHOD)('%s: the file list, and the crontab line with the variables the method needs', (label, method) => {
    const files = filesFor(method);
    expect(files.map((file) => file.name)).toEqual(['anaplan-connect.sh', 'anaplan-connect.bat', 'README.md', 'crontab.txt', 'schtasks.txt']);
    const crontab = fileNamed(files, 'crontab.txt').content;
    expect(crontab).not.toContain('\r');
    const lines = crontab.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(CRON_LINES[label]);
    expect(lines.slice(0, -1).every((line) => line.startsWith('#'))).toBe(true);
    expect(crontab).toContain('every day at 02:30');
    expect(crontab).toContain('crontab -u svc-anaplan -e');
    if (label === 'basic') expect(crontab).toContain(`#   (umask 077 && IFS= read -rs secret && printf '%s' "$secret" > ~/.anaplan-password)`);
    if (label === 'oauth') expect(crontab).toMatch(/AC_OAUTH_KEYSTORE_DIR=\/srv\/job\/oauth itself/);
    const readme = fileNamed(files, 'README.md').content;
    expect(readme).toContain(`\n\`\`\`\n${CRON_LINES[label]}\n\`\`\`\n`);
    expect(readme).toContain('- `crontab.txt`');
  });

  it('puts the proxy and key passphrase variables on the crontab line, and quotes an unusual path', () => {
    const [basic, certificate] = METHODS as [MethodCase, MethodCase];
    const proxy = filesFor(basic, { connection: CONNECTION, anaplanConnectDir: "/opt/anaplan connect/it's 100%" });
    expect(fileNamed(proxy, 'crontab.txt').content.trimEnd().split('\n').at(-1)).toBe(
      `30 2 * * * ANAPLAN_PASSWORD="$(cat "$HOME/.anaplan-password")" ANAPLAN_PROXY_PASSWORD="$(cat "$HOME/.anaplan-proxy-password")" '/opt/anaplan connect/it'\\''s 100\\%/anaplan-connect.sh'`,
    );
    const pem = filesFor(certificate, {
      credentials: { form: 'pem', certificatePath: '/srv/c.pem', privateKeyPath: '/srv/k.pem', keyPassphrase: { source: 'env', envVar: 'MY_KEY_PW' } },
      anaplanConnectDir: undefined,
    });
    expect(fileNamed(pem, 'crontab.txt').content.trimEnd().split('\n').at(-1)).toBe('30 2 * * * MY_KEY_PW="$(cat "$HOME/.anaplan-key-passphrase")" /path/to/anaplan-connect.sh');
  });

  it('the crontab line works: run by /bin/sh as cron would, it gives the job its password from the file', async () => {
    const method = METHODS[0] as MethodCase;
    const folder = join(tmp, "Anaplan Connect 'q' $HOME `x`");
    const { job } = await methodJob(method, { schedule: SCHEDULE, anaplanConnectDir: folder, connection: { proxyUrl: 'http://p:8080', proxyUser: 'svc', proxyPasswordEnvVar: 'ANAPLAN_PROXY_PASSWORD' } });
    expect(job.folder).toBe(folder);
    await writeFile(join(job.home, '.anaplan-password'), 'from-file-pw\n', { mode: 0o600 });
    await writeFile(join(job.home, '.anaplan-proxy-password'), PROXY_PASSWORD, { mode: 0o600 });
    const line = (await readFile(join(folder, 'crontab.txt'), 'utf8')).trimEnd().split('\n').at(-1) ?? '';
    // cron: the five time fields, then the command for /bin/sh, with \% for a literal %.
    const command = line.split(' ').slice(5).join(' ').replaceAll('\\%', '%');
    const result = spawnSync('/bin/sh', ['-c', command], { cwd: job.home, env: job.env, encoding: 'utf8' });
    expect(result.stderr).toBe('stand-in: Anaplan Connect error output\n');
    expect(result.status).toBe(0);
    const argv = await job.argv();
    expect(argv.slice(0, 2)).toEqual(['-user', `${USER}:from-file-pw`]);
    expect(argv).toContain(`svc:${PROXY_PASSWORD}`);
  });

  const SCHTASKS = 'schtasks /Create /SC DAILY /ST 02:30 /TN "Anaplan Connect - Production" /TR "\\"C:\\AnaplanConnect\\anaplan-connect.bat\\"" /RU svc-anaplan';

  it.each(EACH_METHOD)('%s: schtasks.txt is CRLF and ends with the schtasks command', (label, method) => {
    const files = filesFor(method, { anaplanConnectDir: 'C:\\AnaplanConnect', platforms: ['windows'] });
    expect(files.map((file) => file.name)).toEqual(['anaplan-connect.bat', 'README.md', 'schtasks.txt']);
    const schtasks = fileNamed(files, 'schtasks.txt').content;
    expect(schtasks.endsWith('\r\n')).toBe(true);
    expect(schtasks).not.toMatch(/[^\r]\n/);
    const lines = schtasks.split('\r\n').slice(0, -1);
    expect(lines.at(-1)).toBe(SCHTASKS);
    expect(lines.slice(0, -1).every((line) => line.startsWith('rem '))).toBe(true);
    expect(schtasks).toContain('schtasks asks for the password of svc-anaplan');
    if (label === 'basic') expect(schtasks).toContain(`SetEnvironmentVariable('ANAPLAN_PASSWORD'`);
    expect(fileNamed(files, 'README.md').content).toContain(`\n\`\`\`bat\n${SCHTASKS}\n\`\`\`\n`);
  });

  it('schtasks: a placeholder path, the current account, and a task name without forbidden characters', () => {
    const method = METHODS[0] as MethodCase;
    const files = filesFor(method, { anaplanConnectDir: undefined, schedule: { time: '18:05' }, currentAccount: 'CORP\\alice', profileName: 'Sales/EU: "Q1"' });
    expect(fileNamed(files, 'schtasks.txt').content.split('\r\n').at(-2)).toBe(
      'schtasks /Create /SC DAILY /ST 18:05 /TN "Anaplan Connect - Sales-EU- -Q1-" /TR "\\"C:\\path\\anaplan-connect.bat\\"" /RU CORP\\alice',
    );
    const none = filesFor(method, { schedule: { time: '18:05' } });
    expect(fileNamed(none, 'schtasks.txt').content).toMatch(/\/TR "\\"C:\\path\\anaplan-connect\.bat\\""\r\n$/);
    expect(fileNamed(none, 'crontab.txt').content).toMatch(/\n5 18 \* \* \* ANAPLAN_PASSWORD=.*\/opt\/anaplan-connect\/anaplan-connect\.sh\n$/);
  });

  const MISMATCH: Record<string, RegExp> = {
    basic: /ANAPLAN_PASSWORD \(the Anaplan password of integration\.user@example\.com\) must be set for svc-anaplan/,
    certificate: /svc-anaplan must be able to read the keystore/,
    oauth: /svc-anaplan must own the token store \/srv\/job\/oauth\/ks_[0-9a-f]{64}\.jks and its folder and be able to write it/,
  };

  it.each(EACH_METHOD)('%s: warns when the scheduled account is not the one that exported the job', (label, method) => {
    const warnings = anaplanConnectExportWarnings(method.input('/srv/job', { schedule: SCHEDULE, currentAccount: 'alice' })).join('\n');
    expect(warnings).toMatch(/The job is scheduled to run as svc-anaplan, but you \(alice\) exported it: cron and Task Scheduler run it as svc-anaplan, with that account's home folder/);
    expect(warnings).toMatch(MISMATCH[label] ?? /never/);
    const readme = fileNamed(filesFor(method, { currentAccount: 'alice' }), 'README.md').content;
    expect(readme).toContain('### Which account must own which file');
    expect(readme).toContain('**The job runs as svc-anaplan, not as alice who exported it**');
    // The same account, written another way: no warning.
    for (const currentAccount of ['svc-anaplan', 'CORP\\SVC-Anaplan']) {
      expect(anaplanConnectExportWarnings(method.input('/srv/job', { schedule: SCHEDULE, currentAccount })).join('\n')).not.toMatch(/scheduled to run as/);
    }
  });

  it('keystore-access.txt: says the scheduled account must own it in its own home folder', () => {
    const method = METHODS[1] as MethodCase;
    const credentials = { form: 'keystore', keystorePath: '/srv/keys/anaplan.p12', alias: 'anaplan-connect', keystorePassword: { source: 'file' } } as const;
    const warnings = anaplanConnectExportWarnings(method.input('/srv/job', { credentials, schedule: SCHEDULE, currentAccount: 'alice' })).join('\n');
    expect(warnings).toMatch(/svc-anaplan must own keystore-access\.txt in its own home folder \(\.anaplan\/api-client\/keystore-access\.txt under it\)/);
    const crontab = fileNamed(filesFor(method, { credentials }), 'crontab.txt').content;
    expect(crontab).toContain('# Anaplan Connect reads the keystore password from ~/.anaplan/api-client/keystore-access.txt of svc-anaplan: that account must own it (chmod 600).');
  });

  it('oauth, rotating tokens: warns that a daily run outlives the default refresh-token lifetime', () => {
    const oauth = METHODS[2] as MethodCase;
    expect(anaplanConnectExportWarnings(oauth.input('/srv/job', { schedule: SCHEDULE })).join('\n')).toMatch(/scheduled once a day, which is longer than the default lifetime of rotating refresh tokens \([\d,]+ seconds, about 12 hours\)/);
    expect(anaplanConnectExportWarnings(oauth.input('/srv/job', { schedule: SCHEDULE, rotatable: false })).join('\n')).not.toMatch(/scheduled once a day/);
  });
});

describe('boomi-connection.md and informatica-connection.md', () => {
  const SENTINEL = 'Sentinel-Secret-4b7e';
  const GUIDES = { integrationGuides: ['boomi', 'informatica'] as Array<'boomi' | 'informatica'> };

  const guidesFor = (method: MethodCase, overrides: Overrides = {}) => {
    const files = buildAnaplanConnectFiles(method.input('/srv/job', { ...GUIDES, ...overrides }));
    return { files, boomi: fileNamed(files, 'boomi-connection.md').content, informatica: fileNamed(files, 'informatica-connection.md').content };
  };

  it.each(EACH_METHOD)('%s: generated on request, after README.md', (_label, method) => {
    expect(guidesFor(method).files.map((file) => file.name)).toEqual(['anaplan-connect.sh', 'anaplan-connect.bat', 'README.md', 'boomi-connection.md', 'informatica-connection.md']);
    const boomiOnly = buildAnaplanConnectFiles(method.input('/srv/job', { integrationGuides: ['boomi'], platforms: ['linux'] }));
    expect(boomiOnly.map((file) => file.name)).toEqual(['anaplan-connect.sh', 'README.md', 'boomi-connection.md']);
    expect(fileNamed(boomiOnly, 'README.md').content).toContain('- `boomi-connection.md`');
  });

  it('basic: Boomi URL, type, username, workspace and token URL; Informatica Basic; no password', () => {
    const { boomi, informatica } = guidesFor(METHODS[0] as MethodCase, { password: { source: 'inline', value: SENTINEL } });
    for (const row of [
      '| URL | `https://api.anaplan.com/2/0` |',
      '| Authentication Type | Basic |',
      `| Username | \`${USER}\` |`,
      '| Password | not written here: enter it in Boomi |',
      `| Workspace ID | \`${WORKSPACE_ID}\` |`,
      '| Authorization Token URL | `https://auth.anaplan.com/token/authenticate` |',
    ]) {
      expect(boomi).toContain(row);
    }
    expect(boomi).toContain('one connection per Anaplan account');
    for (const row of [
      '| Auth Type | Basic |',
      '| API Base URL | `https://api.anaplan.com` |',
      '| Auth URL | `https://auth.anaplan.com` |',
      '| Major Version | 2 |',
      '| Minor Version | 0 |',
      '| Password | not written here: enter it in Informatica |',
    ]) {
      expect(informatica).toContain(row);
    }
    expect(boomi + informatica).not.toContain(SENTINEL);
  });

  it('certificate, keystore: the PKCS#12 bundle and its alias for Boomi, the keystore for Informatica, no password', () => {
    const credentials = { form: 'keystore', keystorePath: '/srv/keys/keystore.p12', alias: 'anaplan-connect', keystorePassword: { source: 'inline', value: SENTINEL } } as const;
    const { boomi, informatica } = guidesFor(METHODS[1] as MethodCase, { credentials, serviceUrl: 'https://eu3.api.anaplan.com', authUrl: 'https://eu3.auth.anaplan.com' });
    for (const row of [
      '| URL | `https://eu3.api.anaplan.com/2/0` |',
      '| Authentication Type | Client Certificate |',
      '| Certificate | the PKCS#12 bundle `/srv/keys/keystore.p12` (keystore.p12: the certificate and its private key), imported into Boomi |',
      '| Private Key Alias | `anaplan-connect` |',
      '| Authorization Token URL | `https://eu3.auth.anaplan.com/token/authenticate` |',
    ]) {
      expect(boomi).toContain(row);
    }
    expect(boomi).not.toContain('| Username');
    for (const row of [
      '| Auth Type | Cert |',
      '| API Base URL | `https://eu3.api.anaplan.com` |',
      '| Auth URL | `https://eu3.auth.anaplan.com` |',
      '| KeyStore Alias | `anaplan-connect` |',
      '| KeyStore Password | not written here: enter it in Informatica |',
    ]) {
      expect(informatica).toContain(row);
    }
    expect(informatica).toMatch(/keytool -importkeystore -srckeystore \/srv\/keys\/keystore\.p12 -srcstoretype PKCS12 -destkeystore keystore\.jks -deststoretype JKS/);
    expect(boomi + informatica).not.toContain(SENTINEL);
  });

  it('certificate, PEM files: how to bundle them, and no passphrase', () => {
    const credentials = { form: 'pem', certificatePath: '/srv/keys/certificate.pem', privateKeyPath: '/srv/keys/private-key.pem', keyPassphrase: { source: 'inline', value: SENTINEL } } as const;
    const { boomi, informatica } = guidesFor(METHODS[1] as MethodCase, { credentials });
    expect(boomi).toContain('openssl pkcs12 -export -in /srv/keys/certificate.pem -inkey /srv/keys/private-key.pem -name anaplan-connect -out keystore.p12');
    expect(boomi).toContain('| Private Key Alias | `anaplan-connect` |');
    expect(informatica).toContain('| KeyStore Alias | `anaplan-connect` |');
    expect(boomi + informatica).not.toContain(SENTINEL);
  });

  it('oauth: Boomi does not offer OAuth (suggests Basic or a certificate); Informatica OAuth Device Flow with the client ID', () => {
    const { boomi, informatica } = guidesFor(METHODS[2] as MethodCase, { connection: CONNECTION });
    expect(boomi).toContain('| URL | `https://api.anaplan.com/2/0` |');
    expect(boomi).toMatch(/Boomi's Anaplan connector offers Basic and Client Certificate authentication only, not OAuth/);
    expect(boomi).toMatch(/For Boomi, use Basic .* or a certificate registered in Anaplan/);
    // The OAuth host is not the token service: the region's is given.
    expect(boomi).toContain('| Authorization Token URL | `https://auth.anaplan.com/token/authenticate` |');
    expect(boomi).not.toContain('us1a.app.anaplan.com/token');
    for (const row of ['| Auth Type | OAuth Device Flow |', '| Auth URL | `https://us1a.app.anaplan.com` (the OAuth host) |', `| Client ID | \`${CLIENT_ID}\` |`, '| Major Version | 2 |', '| Minor Version | 0 |']) {
      expect(informatica).toContain(row);
    }
    expect(boomi + informatica).not.toContain(PROXY_PASSWORD);
  });
});

describe('composeOperation', () => {
  it('import: upload the file, then run the import', () => {
    expect(composeOperation({ kind: 'import', file: 'Sales.csv', localFile: '/data/Sales 2026.csv', importName: 'Sales from Sales.csv' })).toEqual([
      '-file',
      'Sales.csv',
      '-put',
      '/data/Sales 2026.csv',
      '-import',
      'Sales from Sales.csv',
      '-execute',
    ]);
  });

  it('process: run it', () => {
    expect(composeOperation({ kind: 'process', processName: 'Nightly Load' })).toEqual(['-process', 'Nightly Load', '-execute']);
  });

  it('export: run it, then download the file', () => {
    expect(composeOperation({ kind: 'export', exportName: 'Actuals.csv', localFile: 'C:\\data\\Actuals.csv' })).toEqual(['-export', 'Actuals.csv', '-execute', '-get', 'C:\\data\\Actuals.csv']);
  });

  it('keeps names byte for byte, and refuses empty names and control characters, naming the field', () => {
    expect(composeOperation({ kind: 'process', processName: " it's $HOME `x` 100% " })).toEqual(['-process', " it's $HOME `x` 100% ", '-execute']);
    expectBadInput(() => composeOperation({ kind: 'process', processName: '  ' }), /process name \(processName\) is empty/);
    expectBadInput(() => composeOperation({ kind: 'import', file: 'a.csv', localFile: '', importName: 'x' }), /local file to upload \(localFile\) is empty/);
    expectBadInput(() => composeOperation({ kind: 'import', file: 'a\nb.csv', localFile: '/a', importName: 'x' }), /file name in Anaplan \(file\) must not contain line breaks/);
    expectBadInput(() => composeOperation({ kind: 'export', exportName: 'x\u0000', localFile: '/a' }), /export action name \(exportName\) must not contain/);
    expectBadInput(() => composeOperation({ kind: 'delete' } as unknown as Parameters<typeof composeOperation>[0]), /"import", "process" or "export"/);
  });

  it('what it composes runs through both scripts', async () => {
    const method = METHODS[0] as MethodCase;
    const operation = composeOperation({ kind: 'export', exportName: 'Actuals "Q1" $(touch pwned).csv', localFile: join(tmp, "out 'q'.csv") });
    const { job, env } = await methodJob(method, { operation });
    expect(job.run(env).status).toBe(0);
    expect((await job.argv()).slice(-operation.length)).toEqual(operation);
    await expectNothingExecuted(tmp);
    const bat = fileNamed(buildAnaplanConnectFiles(method.input('C:\\jobs', { operation: composeOperation({ kind: 'process', processName: 'Nightly 100%' }) })), 'anaplan-connect.bat').content;
    expect(bat).toContain('\r\nset Operation=-process "Nightly 100%%" -execute\r\n');
  });
});
