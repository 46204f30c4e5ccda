import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batOperationWord, batRem, batSetLine } from '../../main/export/batch-quote.js';
import {
  anaplanConnectExportWarnings,
  buildAnaplanConnectFiles,
  type AnaplanConnectExportRequest,
  type BasicExportRequest,
} from '../../main/export/index.js';
import { shQuote } from '../../main/export/shell-quote.js';
import {
  CONNECTION_ARGS as connection,
  HOSTILE_OPERATION,
  MODEL_ID,
  STAND_IN,
  WORKSPACE_ID,
  expectBadInput,
  expectCrlfOnly,
  expectNothingExecuted as expectNothingExecutedIn,
  expectOptionsBeforeOperation as expectOptionsBeforeOperationAmong,
  fileNamed,
  hasShellcheck,
  setUpJob as setUpJobIn,
} from '../support/export-harness.js';

type PasswordChoice = BasicExportRequest['password'];

function exportInput(overrides: Partial<BasicExportRequest> = {}): BasicExportRequest {
  return {
    method: 'basic',
    user: 'integration.user@example.com',
    password: { source: 'env', envVar: 'ANAPLAN_PASSWORD' },
    serviceUrl: 'https://api.anaplan.com',
    authUrl: 'https://auth.anaplan.com',
    workspaceId: WORKSPACE_ID,
    modelId: MODEL_ID,
    platforms: ['linux', 'windows'],
    profileName: 'Production',
    regionName: 'Europe 1 (eu1)',
    generatedBy: 'Anaplan Connect Setup Assistant 0.1.0',
    generatedAt: new Date('2026-05-01T10:00:00Z'),
    ...overrides,
  };
}

// Values a hostile or unlucky user might enter: every one must reach Anaplan Connect unchanged.
const HOSTILE_USER = "o'brien$HOME@example.com";
const HOSTILE_PASSWORD = `pa ss:w'o"rd $(touch pwned) \`touch pwned\` $HOME !* \\ %PATH% ^`;

const PASSWORD_SOURCES: Array<[string, PasswordChoice]> = [
  ['env', { source: 'env', envVar: 'ANAPLAN_PASSWORD' }],
  ['prompt', { source: 'prompt' }],
  ['inline', { source: 'inline', value: 'Inline-Secret-42%' }],
];

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'export-basic-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('generated files', () => {
  async function writeSh(input: BasicExportRequest): Promise<string> {
    const path = join(tmp, 'anaplan-connect.sh');
    await writeFile(path, fileNamed(buildAnaplanConnectFiles(input), 'anaplan-connect.sh').content);
    return path;
  }

  function hostileInput(password: PasswordChoice): BasicExportRequest {
    const hostilePassword: PasswordChoice = password.source === 'inline' ? { source: 'inline', value: HOSTILE_PASSWORD } : password;
    return exportInput({ user: HOSTILE_USER, password: hostilePassword, platforms: ['linux'], operation: HOSTILE_OPERATION });
  }

  it.each(PASSWORD_SOURCES)('password from %s: the .sh passes bash -n, with ordinary and hostile values', async (_label, password) => {
    for (const input of [exportInput({ password }), hostileInput(password)]) {
      const syntax = spawnSync('bash', ['-n', await writeSh(input)], { encoding: 'utf8' });
      expect(syntax.stderr).toBe('');
      expect(syntax.status).toBe(0);
    }
  });

  it.skipIf(!hasShellcheck).each(PASSWORD_SOURCES)('password from %s: shellcheck passes at every level (style included)', async (_label, password) => {
    const check = spawnSync('shellcheck', ['-S', 'style', await writeSh(exportInput({ password }))], { encoding: 'utf8' });
    expect(check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  // Hostile values add only SC2016 (info: "$HOME" inside single quotes does not expand), which is the point.
  it.skipIf(!hasShellcheck).each(PASSWORD_SOURCES)('password from %s: shellcheck -S warning passes with hostile values', async (_label, password) => {
    const check = spawnSync('shellcheck', ['-S', 'warning', await writeSh(hostileInput(password))], { encoding: 'utf8' });
    expect(check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  it.each(PASSWORD_SOURCES)('password from %s: line ends, modes and file set', (_label, password) => {
    const files = buildAnaplanConnectFiles(exportInput({ password }));
    expect(files.map((file) => file.name)).toEqual(['anaplan-connect.sh', 'anaplan-connect.bat', 'README.md']);

    const sh = fileNamed(files, 'anaplan-connect.sh');
    expect(sh.content).not.toContain('\r');
    expect(sh.content.startsWith('#!/bin/bash\n')).toBe(true);

    const bat = fileNamed(files, 'anaplan-connect.bat');
    expectCrlfOnly(bat.content);

    const secret = password.source === 'inline';
    expect(sh.mode).toBe(secret ? 0o700 : 0o755);
    expect(bat.mode).toBe(secret ? 0o600 : 0o644);
    expect(fileNamed(files, 'README.md').mode).toBe(0o644);
  });

  it('writes the password only into the scripts, and only when the user chose inline', () => {
    const sentinel = 'Sentinel-Password-9c1f';
    for (const [, password] of PASSWORD_SOURCES) {
      const chosen: PasswordChoice = password.source === 'inline' ? { source: 'inline', value: sentinel } : password;
      const files = buildAnaplanConnectFiles(exportInput({ password: chosen }));
      for (const file of files) {
        const expected = chosen.source === 'inline' && file.name !== 'README.md';
        expect({ file: file.name, source: chosen.source, holds: file.content.includes(sentinel) }).toEqual({
          file: file.name,
          source: chosen.source,
          holds: expected,
        });
      }
    }
  });

  it('generates only the chosen platforms, README always', () => {
    expect(buildAnaplanConnectFiles(exportInput({ platforms: ['linux'] })).map((f) => f.name)).toEqual(['anaplan-connect.sh', 'README.md']);
    expect(buildAnaplanConnectFiles(exportInput({ platforms: ['windows'] })).map((f) => f.name)).toEqual(['anaplan-connect.bat', 'README.md']);
  });

  it('puts the settings above the marker and the Operation examples in comments', () => {
    const sh = fileNamed(buildAnaplanConnectFiles(exportInput()), 'anaplan-connect.sh').content;
    const [settings, body] = sh.split('#________________ Do not edit below this line ________________\n');
    expect(body).toBeDefined();
    for (const line of [
      "AnaplanUser='integration.user@example.com'",
      "PasswordVariable='ANAPLAN_PASSWORD'",
      `WorkspaceId='${WORKSPACE_ID}'`,
      `ModelId='${MODEL_ID}'`,
      "ServiceUrl='https://api.anaplan.com'",
      "AuthUrl='https://auth.anaplan.com'",
      "AnaplanConnectDir=''",
      'Operation=()',
      "# Operation=(-file 'Sales.csv' -put '/data/Sales.csv' -import 'Sales from Sales.csv' -execute)",
      "# Operation=(-process 'Nightly Load' -execute)",
      "# Operation=(-export 'Actuals.csv' -execute -get '/data/Actuals.csv')",
      '# Operation=(-W)',
    ]) {
      expect(settings?.split('\n')).toContain(line);
    }
    expect(sh).toContain('# Generated by Anaplan Connect Setup Assistant 0.1.0 on 2026-05-01.');
    expect(sh).toContain('# Profile: Production. Region: Europe 1 (eu1).');

    const bat = fileNamed(buildAnaplanConnectFiles(exportInput()), 'anaplan-connect.bat').content.split('\r\n');
    const marker = bat.indexOf('rem ___ Do not edit below this line ___');
    expect(marker).toBeGreaterThan(0);
    for (const line of [
      'set "AnaplanUser=integration.user@example.com"',
      'set "PasswordVariable=ANAPLAN_PASSWORD"',
      `set "WorkspaceId=${WORKSPACE_ID}"`,
      'set "AnaplanConnectDir="',
      'set Operation=',
      'rem set Operation=-process "Nightly Load" -execute',
    ]) {
      const index = bat.indexOf(line);
      expect(index, line).toBeGreaterThan(0);
      expect(index, line).toBeLessThan(marker);
    }
    expect(bat.slice(marker)).toContain('if not exist ".\\AnaplanClient.bat" goto :no_client');
  });

  it('.bat: credentials and connection options come before the Operation on the call line', () => {
    const calls = (password: PasswordChoice) =>
      fileNamed(buildAnaplanConnectFiles(exportInput({ password })), 'anaplan-connect.bat')
        .content.split('\r\n')
        .filter((line) => line.startsWith('call '));
    const tail = '-service "%%ServiceUrl%%" -auth "%%AuthUrl%%" %%WorkspaceOption%% %%ModelOption%% %%Operation%%';
    expect(calls({ source: 'env', envVar: 'MY_PW' })).toEqual([`call .\\AnaplanClient.bat -user "%%AnaplanUser%%:%%%PasswordVariable%%%" ${tail}`]);
    expect(calls({ source: 'prompt' })).toEqual([`call .\\AnaplanClient.bat -user "%%AnaplanUser%%" ${tail}`]);
    expect(calls({ source: 'inline', value: 'x' })).toEqual([`call .\\AnaplanClient.bat -user "%%AnaplanUser%%:%%AnaplanPassword%%" ${tail}`]);
  });

  it('.bat: writes the Operation words quoted for cmd.exe and the Java launcher', () => {
    const bat = fileNamed(
      buildAnaplanConnectFiles(exportInput({ operation: ['-file', 'Sales 50%.csv', '-put', 'C:\\data\\in\\', '-execute'] })),
      'anaplan-connect.bat',
    ).content;
    expect(bat.split('\r\n')).toContain('set Operation=-file "Sales 50%%.csv" -put "C:\\data\\in\\\\" -execute');
  });
});

describe('quoting', () => {
  const NASTY = [
    '',
    "'",
    "''",
    "it's",
    '"double"',
    '$HOME ${HOME} $(touch pwned) `touch pwned`',
    '\\ \\\\ \\n',
    '!! !$ !-1',
    '* ? [a-z] ~',
    '; & | < > ( ) { }',
    'tab\there',
    '%PATH% ^ ^^',
    'ünïcødé ✓ 日本',
    Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(''),
  ];

  it('shQuote: bash reads back every value byte for byte', () => {
    const script = `printf '%s\\0' ${NASTY.map((value) => shQuote(value, 'value')).join(' ')}\n`;
    const result = spawnSync('bash', ['-c', script], { cwd: tmp, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(NASTY);
  });

  it.each(['a\nb', 'a\rb', 'a\u0000b', 'a\u001bb'])('shQuote refuses %j', (value) => {
    expectBadInput(() => shQuote(value, 'The user'), /The user/, /line break|control character/);
  });

  it('batSetLine doubles % and refuses what cmd.exe or AnaplanClient.bat would mangle', () => {
    expect(batSetLine('X', '100% ^&|<>()', 'X', { javaArgument: true })).toBe('set "X=100%% ^&|<>()"');
    expect(batSetLine('X', '', 'X', { javaArgument: true })).toBe('set "X="');
    expectBadInput(() => batSetLine('X', 'say "hi"', 'The password', { javaArgument: true }), /The password/, /double quote/);
    expectBadInput(() => batSetLine('X', 'wow!', 'The password', { javaArgument: true }), /The password/, /!/);
    expectBadInput(() => batSetLine('X', 'a\r\nb', 'X', { javaArgument: true }), /line break/);
    expectBadInput(() => batSetLine('X', 'a\u0000', 'X', { javaArgument: true }), /control character/);
    expectBadInput(() => batSetLine('X', 'ends\\', 'The password', { javaArgument: true }), /backslash/);
    expect(batSetLine('X', 'C:\\dir\\', 'X', { javaArgument: false })).toBe('set "X=C:\\dir\\"');
  });

  it('batOperationWord and batRem', () => {
    expect(batOperationWord('-execute', 'w')).toBe('-execute');
    expect(batOperationWord('--rotatable', 'w')).toBe('--rotatable');
    expect(batOperationWord('a b', 'w')).toBe('"a b"');
    expect(batOperationWord('C:\\x\\\\', 'w')).toBe('"C:\\x\\\\\\\\"');
    expect(batOperationWord('-x;y', 'w')).toBe('"-x;y"');
    expectBadInput(() => batOperationWord('a"b', 'Operation word 2'), /Operation word 2/);
    expect(batRem('100% sure ^')).toBe('rem 100%% sure ^^');
  });
});

describe('validation', () => {
  it('normalises URLs and fills the default password variable', () => {
    const files = buildAnaplanConnectFiles(
      exportInput({
        serviceUrl: 'https://api.anaplan.com/',
        authUrl: 'http://127.0.0.1:8080/',
        password: { source: 'env' } as PasswordChoice,
      }),
    );
    const sh = fileNamed(files, 'anaplan-connect.sh').content;
    expect(sh).toContain("ServiceUrl='https://api.anaplan.com'\n");
    expect(sh).toContain("AuthUrl='http://127.0.0.1:8080'\n");
    expect(sh).toContain("PasswordVariable='ANAPLAN_PASSWORD'\n");
  });

  it.each<[string, Partial<BasicExportRequest>, RegExp]>([
    ['a user that is not an email', { user: 'not-an-email' }, /^.*user: .*email/],
    ['a user with a colon', { user: 'a:b@example.com' }, /user: .*":"/],
    ['a short workspace ID', { workspaceId: 'abc' }, /workspace ID: .*32 hexadecimal/],
    ['a non-hex model ID', { modelId: 'Z'.repeat(32) }, /model ID: .*32 hexadecimal/],
    ['plain http to a remote host', { serviceUrl: 'http://api.anaplan.com' }, /service URL: .*https/],
    ['a URL with a query', { authUrl: 'https://auth.anaplan.com/?x=1' }, /auth URL: .*query/],
    ['a bad environment variable name', { password: { source: 'env', envVar: '1-PASSWORD' } }, /password environment variable: /],
    ['an empty inline password', { password: { source: 'inline', value: '' } }, /password: .*empty/],
    ['no platform', { platforms: [] }, /platforms: /],
    ['a line break in the profile name', { profileName: 'prod\n# injected' }, /profile name: /],
    ['a line break in an Operation word', { operation: ['-file', 'a\nb'] }, /Operation \(item 2\): /],
  ])('refuses %s with a message naming the field', (_label, overrides, message) => {
    expectBadInput(() => buildAnaplanConnectFiles(exportInput(overrides)), message, /nothing was generated/i);
  });

  it('refuses an unknown method', () => {
    const input = { ...exportInput(), method: 'saml' } as unknown as AnaplanConnectExportRequest;
    expectBadInput(() => buildAnaplanConnectFiles(input), /method/, /basic/);
  });

  it('refuses, for the .bat only, an inline password cmd.exe cannot carry', () => {
    const password: PasswordChoice = { source: 'inline', value: 'has"quote' };
    expectBadInput(() => buildAnaplanConnectFiles(exportInput({ password })), /password/i, /double quote/);
    expect(() => buildAnaplanConnectFiles(exportInput({ password, platforms: ['linux'] }))).not.toThrow();
  });
});

describe('warnings and README', () => {
  it('warns about the process list for env and inline, not for prompt', () => {
    const psWarning = /process/;
    expect(anaplanConnectExportWarnings(exportInput()).some((w) => psWarning.test(w))).toBe(true);
    expect(anaplanConnectExportWarnings(exportInput({ password: { source: 'inline', value: 'x' } })).join('\n')).toMatch(/clear text/);
    expect(anaplanConnectExportWarnings(exportInput({ password: { source: 'inline', value: 'x' } })).some((w) => psWarning.test(w))).toBe(true);
    const prompt = anaplanConnectExportWarnings(exportInput({ password: { source: 'prompt' } }));
    expect(prompt.some((w) => psWarning.test(w))).toBe(false);
    expect(prompt.join('\n')).toMatch(/keyboard/);
  });

  it('README says what was generated, how the password is supplied, and the next steps', () => {
    const readme = fileNamed(buildAnaplanConnectFiles(exportInput()), 'README.md').content;
    for (const fragment of [
      '`integration.user@example.com`',
      'Europe 1 (eu1)',
      'Production',
      `\`${WORKSPACE_ID}\``,
      `\`${MODEL_ID}\``,
      '`ANAPLAN_PASSWORD`',
      '`AnaplanConnectDir`',
      '`Operation=(-W)`',
      '`set Operation=-W`',
      'AnaplanClient.sh',
      'AnaplanClient.bat',
      'cron',
      'Task Scheduler',
    ]) {
      expect(readme).toContain(fragment);
    }
    expect(readme).not.toContain('\r');
  });

  it('README keeps a table intact whatever the values hold', () => {
    const readme = fileNamed(buildAnaplanConnectFiles(exportInput({ profileName: 'a|b `c`', user: 'x|y@example.com' })), 'README.md').content;
    const rows = readme.split('\n').filter((line) => line.startsWith('| Profile') || line.startsWith('| Anaplan user'));
    expect(rows).toEqual(['| Profile | a\\|b \\`c\\` |', '| Anaplan user | `x\\|y@example.com` |']);
  });
});

describe('running the generated .sh against a stand-in AnaplanClient.sh', () => {
  const setUpJob = (input: BasicExportRequest, options?: Parameters<typeof setUpJobIn>[2]) => setUpJobIn(tmp, input, options);
  const expectNothingExecuted = () => expectNothingExecutedIn(tmp);
  const expectOptionsBeforeOperation = (argv: string[], operation: string[]) =>
    expectOptionsBeforeOperationAmong(argv, operation, ['-user', '-service', '-auth', '-workspace_id', '-model_id']);

  it('env: passes hostile values through unchanged, options first, and runs nothing', async () => {
    const job = await setUpJob(exportInput({ user: HOSTILE_USER, operation: HOSTILE_OPERATION }));
    const result = job.run({ ANAPLAN_PASSWORD: HOSTILE_PASSWORD });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const argv = await job.argv();
    expect(argv).toEqual(['-user', `${HOSTILE_USER}:${HOSTILE_PASSWORD}`, ...connection, ...HOSTILE_OPERATION]);
    expectOptionsBeforeOperation(argv, HOSTILE_OPERATION);
    expect(await job.cwd()).toBe(job.folder);
    await expectNothingExecuted();
  });

  it('env: works when started through a relative path, and reads a custom variable name', async () => {
    const job = await setUpJob(exportInput({ password: { source: 'env', envVar: 'MY_JOB_PW' }, operation: ['-W'] }));
    const result = job.run({ MY_JOB_PW: 'secret' }, 'relative');
    expect(result.status).toBe(0);
    expect(await job.argv()).toEqual(['-user', 'integration.user@example.com:secret', ...connection, '-W']);
    expect(await job.cwd()).toBe(job.folder);
  });

  it('inline: the stored password arrives byte for byte', async () => {
    const job = await setUpJob(
      exportInput({ user: HOSTILE_USER, password: { source: 'inline', value: HOSTILE_PASSWORD }, operation: HOSTILE_OPERATION }),
    );
    const result = job.run();
    expect(result.status).toBe(0);
    const argv = await job.argv();
    expect(argv).toEqual(['-user', `${HOSTILE_USER}:${HOSTILE_PASSWORD}`, ...connection, ...HOSTILE_OPERATION]);
    expectOptionsBeforeOperation(argv, HOSTILE_OPERATION);
    await expectNothingExecuted();
  });

  it('prompt: passes the user alone when run from a terminal', async () => {
    const job = await setUpJob(exportInput({ user: HOSTILE_USER, password: { source: 'prompt' }, operation: ['-W'] }));
    const hasScript = spawnSync('script', ['--version']).status === 0;
    if (!hasScript) {
      console.warn('util-linux script is not installed: skipping the terminal part of this test');
      return;
    }
    // `script` gives the job a pseudo-terminal, as a person at the keyboard would.
    const result = spawnSync('script', ['-qec', '"$JOB_SCRIPT"', '/dev/null'], {
      cwd: job.elsewhere,
      env: { ...job.env, JOB_SCRIPT: job.script },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(0);
    expect(await job.argv()).toEqual(['-user', HOSTILE_USER, ...connection, '-W']);
    await expectNothingExecuted();
  });

  it('prompt: refuses to run without a terminal (cron), exit 2', async () => {
    const job = await setUpJob(exportInput({ password: { source: 'prompt' }, operation: ['-W'] }));
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/terminal/);
  });

  it('leaves out -workspace_id and -model_id when no IDs were given', async () => {
    const job = await setUpJob(exportInput({ workspaceId: undefined, modelId: '', operation: ['-W'] }));
    expect(job.run({ ANAPLAN_PASSWORD: 'pw' }).status).toBe(0);
    expect(await job.argv()).toEqual(['-user', 'integration.user@example.com:pw', '-service', 'https://api.anaplan.com', '-auth', 'https://auth.anaplan.com', '-W']);
  });

  it("exits with Anaplan Connect's exit code", async () => {
    const job = await setUpJob(exportInput({ operation: ['-W'] }));
    expect(job.run({ ANAPLAN_PASSWORD: 'pw', STANDIN_EXIT: '7' }).status).toBe(7);
  });

  it('missing password variable: exit 2 with a message naming it', async () => {
    const job = await setUpJob(exportInput({ operation: ['-W'] }));
    for (const extra of [{}, { ANAPLAN_PASSWORD: '' }]) {
      const result = job.run(extra);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/ERROR: the environment variable ANAPLAN_PASSWORD is not set/);
    }
    await expect(job.argv()).rejects.toThrow();
  });

  it('empty Operation: exit 2 with a message', async () => {
    const job = await setUpJob(exportInput());
    const result = job.run({ ANAPLAN_PASSWORD: 'pw' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/ERROR: Operation is empty/);
    await expect(job.argv()).rejects.toThrow();
  });

  it('missing AnaplanClient.sh: exit 1 with a message', async () => {
    const job = await setUpJob(exportInput({ operation: ['-W'] }), { standIn: 'missing' });
    const result = job.run({ ANAPLAN_PASSWORD: 'pw' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ERROR: AnaplanClient.sh was not found in/);
  });

  it('AnaplanClient.sh not executable: exit 1 with a message', async () => {
    const job = await setUpJob(exportInput({ operation: ['-W'] }), { standIn: 'not-executable' });
    const result = job.run({ ANAPLAN_PASSWORD: 'pw' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not executable/);
  });

  it('AnaplanConnectDir points the script at another folder', async () => {
    const clientFolder = join(tmp, 'client dir $x');
    await mkdir(clientFolder);
    await writeFile(join(clientFolder, 'AnaplanClient.sh'), STAND_IN, { mode: 0o755 });
    const job = await setUpJob(exportInput({ operation: ['-W'] }), { standIn: 'missing' });
    const content = await readFile(job.script, 'utf8');
    expect(content).toContain("\nAnaplanConnectDir=''\n");
    await writeFile(job.script, content.replace("\nAnaplanConnectDir=''\n", `\nAnaplanConnectDir=${shQuote(clientFolder, 'dir')}\n`));
    const result = job.run({ ANAPLAN_PASSWORD: 'pw' });
    expect(result.status).toBe(0);
    expect(await job.cwd()).toBe(clientFolder);
  });
});
