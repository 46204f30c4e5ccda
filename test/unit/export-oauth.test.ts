import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  anaplanConnectExportWarnings,
  buildAnaplanConnectFiles,
  tokenStoreFileName,
  type OAuthExportRequest,
} from '../../main/export/index.js';
import { shQuote } from '../../main/export/shell-quote.js';
import {
  HOSTILE_OPERATION,
  MODEL_ID,
  OAUTH_STAND_IN,
  WORKSPACE_ID,
  expectBadInput,
  expectNothingExecuted,
  expectOptionsBeforeOperation,
  fileNamed,
  setUpJob,
  type Job,
  expectScriptsAndReadme,
  itPassesShellChecks,
  sharedFields,
  useTempDir,
  writeShIn,
} from '../support/export-harness.js';

const CLIENT_ID = '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e';
const OAUTH_HOST = 'https://us1a.app.anaplan.com';
const API = 'https://api.anaplan.com';
const STORE_NAME = tokenStoreFileName(CLIENT_ID);

function oauthInput(rotatable: boolean, overrides: Partial<OAuthExportRequest> = {}): OAuthExportRequest {
  return {
    method: 'oauth',
    user: 'integration.user@example.com',
    clientId: CLIENT_ID,
    rotatable,
    tokenStoreDir: '/home/jobuser/.anaplan/oauth',
    tokenStoreFile: STORE_NAME,
    ...sharedFields({ serviceUrl: API, authUrl: OAUTH_HOST, regionName: 'US 1 (us1)' }),
    ...overrides,
  };
}

const CASES: Array<[string, boolean]> = [
  ['rotatable', true],
  ['not rotatable', false],
];

/** What Anaplan Connect must receive before the Operation: -service, -auth (the OAuth host), -oauth-client-id, [--rotatable], IDs. */
function expectedOptions(rotatable: boolean, ids = true): string[] {
  return [
    '-service',
    API,
    '-auth',
    OAUTH_HOST,
    '-oauth-client-id',
    CLIENT_ID,
    ...(rotatable ? ['--rotatable'] : []),
    ...(ids ? ['-workspace_id', WORKSPACE_ID, '-model_id', MODEL_ID] : []),
  ];
}

const AUTH_OPTIONS = ['-service', '-auth', '-oauth-client-id', '--rotatable', '-workspace_id', '-model_id'];

// A token store folder a hostile or unlucky user might have (Linux only: " and ! are refused for the .bat).
const HOSTILE_DIR_NAME = `tokens 'q' "dq" $(touch pwned) \`touch pwned\` $HOME !x * ; & ~`;

const isRoot = process.getuid?.() === 0;

let tmp: string;
useTempDir('export-oauth-', (dir) => (tmp = dir));

/** Script lines that do something: not comments, not error messages (which name --forceRegister as advice). */
function commandLines(content: string): string[] {
  return content
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !/^rem( |$)/.test(line) && !line.startsWith('echo ') && !line.startsWith('>&2 echo '));
}

describe('the token store name', () => {
  it('is ks_ + lowercase hex SHA-512/256 of the UTF-8 client ID + .jks', () => {
    const expected = `ks_${createHash('sha512-256').update(Buffer.from(CLIENT_ID, 'utf8')).digest('hex')}.jks`;
    expect(STORE_NAME).toBe(expected);
    expect(STORE_NAME).toMatch(/^ks_[0-9a-f]{64}\.jks$/);
  });

  it.skipIf(spawnSync('openssl', ['version']).status !== 0)('matches OpenSSL, an independent SHA-512/256', () => {
    const result = spawnSync('openssl', ['dgst', '-sha512-256', '-r'], { input: CLIENT_ID, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(STORE_NAME).toBe(`ks_${result.stdout.split(' ')[0]}.jks`);
  });
});

describe('generated files', () => {
  const writeSh = (input: OAuthExportRequest) => writeShIn(tmp, input);

  const hostileInput = (rotatable: boolean) =>
    oauthInput(rotatable, { tokenStoreDir: join('/srv', HOSTILE_DIR_NAME), platforms: ['linux'], operation: HOSTILE_OPERATION });

  itPassesShellChecks(CASES, writeSh, { ordinary: (rotatable) => oauthInput(rotatable), hostile: hostileInput });

  it.each(CASES)('%s: line ends, modes and file set (no secret in the scripts)', (_label, rotatable) => {
    const files = buildAnaplanConnectFiles(oauthInput(rotatable));
    const { sh, bat } = expectScriptsAndReadme(files);
    expect(sh.mode).toBe(0o755);
    expect(bat.mode).toBe(0o644);
    const readme = fileNamed(files, 'README.md');
    expect(readme.mode).toBe(0o644);
    expect(readme.content).not.toContain('\r');
  });

  it.each(CASES)('%s: the settings above the marker, in both dialects', (_label, rotatable) => {
    const files = buildAnaplanConnectFiles(oauthInput(rotatable, { tokenStoreDir: "/srv/it's 100% tokens" }));
    const [sh] = fileNamed(files, 'anaplan-connect.sh').content.split('#________________ Do not edit below this line ________________\n');
    const [bat] = fileNamed(files, 'anaplan-connect.bat').content.split('rem ___ Do not edit below this line ___\r\n');
    const yesNo = rotatable ? 'yes' : 'no';
    expect(sh?.split('\n')).toEqual(
      expect.arrayContaining([
        `ClientId='${CLIENT_ID}'`,
        `Rotatable='${yesNo}'`,
        "TokenStoreDir='/srv/it'\\''s 100% tokens'",
        `ServiceUrl='${API}'`,
        `AuthUrl='${OAUTH_HOST}'`,
        `# ${STORE_NAME} (its name comes from ClientId). Exported as AC_OAUTH_KEYSTORE_DIR.`,
      ]),
    );
    expect(bat?.split('\r\n')).toEqual(
      expect.arrayContaining([
        `set "ClientId=${CLIENT_ID}"`,
        `set "Rotatable=${yesNo}"`,
        `set "TokenStoreDir=/srv/it's 100%% tokens"`,
        `set "AuthUrl=${OAUTH_HOST}"`,
        `rem ${STORE_NAME} (its name comes from ClientId). Exported as AC_OAUTH_KEYSTORE_DIR.`,
      ]),
    );
  });

  it.each(CASES)('%s: .bat sets AC_OAUTH_KEYSTORE_DIR inside setlocal, checks the store, and puts every option before the Operation', (_label, rotatable) => {
    const lines = fileNamed(buildAnaplanConnectFiles(oauthInput(rotatable)), 'anaplan-connect.bat').content.split('\r\n');
    const at = (line: string) => {
      const index = lines.indexOf(line);
      expect(index, line).toBeGreaterThan(0);
      return index;
    };
    const setlocal = at('setlocal EnableExtensions DisableDelayedExpansion');
    const check = at(`if not exist "%TokenStoreDir%\\%TokenStoreName%" goto :no_token_store`);
    const name = at(`set "TokenStoreName=${STORE_NAME}"`);
    const rotatableOption = at('if /i "%Rotatable%"=="yes" set "RotatableOption=--rotatable"');
    const exported = at('set "AC_OAUTH_KEYSTORE_DIR=%TokenStoreDir%"');
    const call = at(
      'call .\\AnaplanClient.bat -service "%%ServiceUrl%%" -auth "%%AuthUrl%%" -oauth-client-id "%%ClientId%%" %%RotatableOption%% %%WorkspaceOption%% %%ModelOption%% %%Operation%%',
    );
    expect(setlocal).toBeLessThan(name);
    expect(name).toBeLessThan(check);
    expect(rotatableOption).toBeLessThan(call);
    expect(check).toBeLessThan(exported);
    expect(exported).toBeLessThan(call);
    expect(lines.filter((line) => line.startsWith('call '))).toHaveLength(1);
    expect(lines).toContain(`if not "%ClientId%"=="${CLIENT_ID}" goto :client_changed`);
    expect(lines).toContain(':no_token_store');
    const message = lines[lines.indexOf(':no_token_store') + 1] ?? '';
    expect(message).toMatch(/^>&2 echo ERROR: the OAuth token store "%TokenStoreDir%\\%TokenStoreName%" was not found\./);
    expect(message).toContain('anaplan-setup oauth --client-id %ClientId% %RotatableOption% --token-store-dir "%TokenStoreDir%"');
    expect(message).toContain('--forceRegister');
    // cmd.exe would read these as syntax outside double quotes in an echo line.
    for (const line of lines.filter((l) => l.startsWith('>&2 echo '))) {
      expect(line.slice('>&2 echo '.length).replace(/"[^"]*"/g, ''), line).not.toMatch(/[()<>|&^]/);
    }
  });

  it.each(CASES)('%s: --forceRegister is never run by either script', (_label, rotatable) => {
    const files = buildAnaplanConnectFiles(oauthInput(rotatable));
    for (const name of ['anaplan-connect.sh', 'anaplan-connect.bat']) {
      expect(commandLines(fileNamed(files, name).content).filter((line) => line.includes('forceRegister')), name).toEqual([]);
    }
  });

  it('says what the job is in the header', () => {
    const files = buildAnaplanConnectFiles(oauthInput(true));
    const sh = fileNamed(files, 'anaplan-connect.sh').content;
    expect(sh).toContain("# Anaplan Connect job: OAuth 2.0 device grant (rotating refresh token in Anaplan Connect's token store).\n");
    expect(sh).toMatch(/^# Never add --forceRegister here/m);
    expect(fileNamed(buildAnaplanConnectFiles(oauthInput(false)), 'anaplan-connect.bat').content).toContain(
      "rem Anaplan Connect job: OAuth 2.0 device grant (non-rotating refresh token in Anaplan Connect's token store).\r\n",
    );
  });
});

describe('validation', () => {
  it.each<[string, Partial<OAuthExportRequest>, RegExp]>([
    ['a client ID that is too short', { clientId: 'abc' }, /OAuth client ID: .*8 to 128/],
    ['a client ID with a space', { clientId: 'abc def ghi' }, /OAuth client ID: /],
    ['a client ID with a quote', { clientId: `abcdefgh'ij` }, /OAuth client ID: /],
    ['a client ID that is too long', { clientId: 'a'.repeat(129) }, /OAuth client ID: /],
    ['a relative token store folder', { tokenStoreDir: 'tokens' }, /token store folder: .*full path/],
    ['a token store folder under ~', { tokenStoreDir: '~/.anaplan' }, /token store folder: .*"~"/],
    ['an empty token store folder', { tokenStoreDir: '  ' }, /token store folder: .*empty/],
    ['a line break in the token store folder', { tokenStoreDir: '/srv/a\nb' }, /token store folder: .*line breaks/],
    ['a token store file of another client', { tokenStoreFile: tokenStoreFileName('another-client-id') }, /token store file: .*not the token store of client 3f2a/],
    ['a token store file given as a path', { tokenStoreFile: `/home/jobuser/${STORE_NAME}` }, /token store file: .*the name only/],
    ['a refresh token expiry that is not a date', { refreshTokenExpiresAt: 'tomorrow' }, /refresh token expiry: .*ISO date/],
    ['a user that is not an email', { user: 'someone' }, /user: .*email/],
  ])('refuses %s with a message naming the field', (_label, overrides, message) => {
    expectBadInput(() => buildAnaplanConnectFiles(oauthInput(true, overrides)), message, /nothing was generated/i);
  });

  it('refuses a missing client ID, rotatable or token store folder by name', () => {
    const { clientId: _c, rotatable: _r, tokenStoreDir: _d, ...rest } = oauthInput(true);
    expectBadInput(() => buildAnaplanConnectFiles(rest as unknown as OAuthExportRequest), /OAuth client ID: .*missing/, /rotatable: /, /token store folder: .*missing/);
  });

  it('gives one message for "~" (the full-path rule is not repeated)', () => {
    const error = expectBadInput(() => buildAnaplanConnectFiles(oauthInput(true, { tokenStoreDir: '~/x' })));
    expect(error.message.match(/token store folder:/g)).toHaveLength(1);
  });

  it('accepts Windows and UNC folders, a missing tokenStoreFile, and normalises the OAuth host', () => {
    for (const tokenStoreDir of ['C:\\ProgramData\\Anaplan\\tokens', 'D:/tokens', '\\\\server\\share\\tokens']) {
      expect(() => buildAnaplanConnectFiles(oauthInput(true, { tokenStoreDir }))).not.toThrow();
    }
    const sh = fileNamed(buildAnaplanConnectFiles(oauthInput(true, { tokenStoreFile: undefined, authUrl: `${OAUTH_HOST}/` })), 'anaplan-connect.sh').content;
    expect(sh).toContain(`\nAuthUrl='${OAUTH_HOST}'\n`);
  });

  it.each([
    ['a double quote', 'C:\\tokens "x"', /double quote/],
    ['a "!"', 'C:\\tokens!', /"!"/],
  ])('refuses, for the .bat only, a token store folder with %s', (_label, tokenStoreDir, message) => {
    expectBadInput(() => buildAnaplanConnectFiles(oauthInput(true, { tokenStoreDir })), /The token store folder/, message, /generate the Linux script only/);
    expect(() => buildAnaplanConnectFiles(oauthInput(true, { tokenStoreDir, platforms: ['linux'] }))).not.toThrow();
  });

  it('takes a trailing backslash in the token store folder for the .bat (it is not a java argument)', () => {
    const bat = fileNamed(buildAnaplanConnectFiles(oauthInput(true, { tokenStoreDir: 'C:\\tokens\\' })), 'anaplan-connect.bat').content;
    expect(bat).toContain('set "TokenStoreDir=C:\\tokens\\"\r\n');
  });
});

describe('warnings and README', () => {
  const warningsFor = (rotatable: boolean, overrides: Partial<OAuthExportRequest> = {}) =>
    anaplanConnectExportWarnings(oauthInput(rotatable, overrides)).join('\n');
  const readmeFor = (rotatable: boolean, overrides: Partial<OAuthExportRequest> = {}) =>
    fileNamed(buildAnaplanConnectFiles(oauthInput(rotatable, overrides)), 'README.md').content;

  /** The fenced blocks of a README, by language. */
  function blocks(readme: string, language: string): string[][] {
    const found: string[][] = [];
    const lines = readme.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== `\`\`\`${language}`) continue;
      const end = lines.indexOf('```', i + 1);
      found.push(lines.slice(i + 1, end));
      i = end;
    }
    return found;
  }

  it.each(CASES)('%s: what was generated', (_label, rotatable) => {
    const readme = readmeFor(rotatable, { refreshTokenExpiresAt: '2026-05-01T22:10:00Z' });
    for (const row of [
      '| Authentication | OAuth 2.0 device grant |',
      '| Signed-in user | `integration.user@example.com` |',
      `| OAuth client ID (\`-oauth-client-id\`) | \`${CLIENT_ID}\` |`,
      '| Token store folder (`AC_OAUTH_KEYSTORE_DIR`) | `/home/jobuser/.anaplan/oauth` |',
      `| Token store file | \`${STORE_NAME}\` |`,
      `| OAuth host (\`-auth\`) | \`${OAUTH_HOST}\` |`,
      rotatable
        ? '| Refresh tokens | rotate: the job passes `--rotatable`, so Anaplan Connect saves the new one on every run |'
        : '| Refresh tokens | do not rotate (no `--rotatable`) |',
    ]) {
      expect(readme).toContain(row);
    }
    expect(readme.includes('| Refresh token expires | 2026-05-01 22:10 UTC, unless the job runs before then |')).toBe(rotatable);
    expect(readme).toContain('`anaplan-connect.sh`: the job for Linux');
    expect(readme).toContain('`anaplan-connect.bat`: the job for Windows');
  });

  it.each(CASES)('%s: the token store: obfuscated, 0700, the job\'s account, SSO exception users', (_label, rotatable) => {
    const readme = readmeFor(rotatable);
    expect(readme).toContain(`\`/home/jobuser/.anaplan/oauth/${STORE_NAME}\``);
    expect(readme).toMatch(/only obfuscated/);
    expect(readme).toContain('`chmod 700` on the folder and `chmod 600` on the file');
    expect(readme).toMatch(/if it is not the account you signed in with, move the file into a folder that account owns/);
    expect(readme).toMatch(/The device grant is disabled for SSO users: `integration\.user@example\.com` must be an SSO exception user/);
    expect(readme.includes('That account must be able to write the file too')).toBe(rotatable);
    const warnings = warningsFor(rotatable);
    expect(warnings).toMatch(/only obfuscated.*chmod 700 on the folder/s);
    expect(warnings).toMatch(/cron and Task Scheduler run the job as the account it is scheduled for\. The scripts set AC_OAUTH_KEYSTORE_DIR to \/home\/jobuser\/\.anaplan\/oauth/);
    expect(warnings).toMatch(/SSO exception user/);
    expect(warnings).toMatch(/Never add --forceRegister/);
    // One scheduler, one verb: "cron runs".
    expect(warningsFor(rotatable, { platforms: ['linux'] })).toMatch(/^cron runs the job as the account it is scheduled for\./m);
    expect(readmeFor(rotatable, { platforms: ['linux'] })).toMatch(/ cron runs the job as that account: /);
  });

  it('rotatable: the lifetime, and the day the stored token expires', () => {
    const readme = readmeFor(true, { refreshTokenExpiresAt: '2026-05-01T22:10:00Z' });
    expect(readme).toMatch(/Each run trades the stored refresh token for a new one/);
    expect(readme).toMatch(/43,000 seconds \(about 12 hours\)/);
    expect(readme).toContain('The token the assistant stored expires at 2026-05-01 22:10 UTC unless the job runs before then.');
    const warnings = warningsFor(true, { refreshTokenExpiresAt: '2026-05-01T22:10:00Z' });
    expect(warnings).toMatch(/A job that runs less often than that .* fails at sign-in every time/);
    expect(warnings).toContain('expires at 2026-05-01 22:10 UTC unless the job runs before then');
    expect(warningsFor(true, { refreshTokenExpiresAt: '2026-05-01T09:59:00Z' })).toContain('The refresh token the assistant stored expired at 2026-05-01 09:59 UTC');
    expect(warningsFor(true, { refreshTokenExpiresAt: '2026-05-01T12:00:00+02:00' })).toContain('expired at 2026-05-01 10:00 UTC');
    expect(warningsFor(true)).not.toMatch(/assistant stored expire/);
  });

  it('not rotatable: no expiry, but a password change or a disabled user ends it', () => {
    const readme = readmeFor(false, { refreshTokenExpiresAt: '2026-05-01T22:10:00Z' });
    expect(readme).toMatch(/the stored one does not expire by itself\. A password change for `integration\.user@example\.com`.* or the user being disabled ends it/);
    expect(readme).not.toMatch(/43,000/);
    expect(readme).not.toContain('2026-05-01 22:10');
    const warnings = warningsFor(false);
    expect(warnings).toMatch(/do not rotate.*password change.*disabled/s);
    expect(warnings).toMatch(/set Rotatable to yes/);
    expect(warnings).not.toMatch(/less often than/);
  });

  it.each(CASES)('%s: the re-registration command lines put --forceRegister after every auth option and before the action', (_label, rotatable) => {
    const readme = readmeFor(rotatable);
    const [linux, ...moreLinux] = blocks(readme, 'sh').filter((block) => block.some((line) => line.includes('--forceRegister')));
    expect(moreLinux).toEqual([]);
    expect(linux).toEqual([
      `AC_OAUTH_KEYSTORE_DIR='/home/jobuser/.anaplan/oauth' ./AnaplanClient.sh -service '${API}' -auth '${OAUTH_HOST}' -oauth-client-id '${CLIENT_ID}'${rotatable ? ' --rotatable' : ''} -workspace_id '${WORKSPACE_ID}' -model_id '${MODEL_ID}' --forceRegister -W`,
    ]);
    const [windows] = blocks(readme, 'bat').filter((block) => block.some((line) => line.includes('--forceRegister')));
    expect(windows).toEqual([
      'set "AC_OAUTH_KEYSTORE_DIR=/home/jobuser/.anaplan/oauth"',
      `.\\AnaplanClient.bat -service "${API}" -auth "${OAUTH_HOST}" -oauth-client-id "${CLIENT_ID}"${rotatable ? ' --rotatable' : ''} -workspace_id "${WORKSPACE_ID}" -model_id "${MODEL_ID}" --forceRegister -W`,
    ]);
    expect(readme).toMatch(/`--forceRegister` comes after all the sign-in and connection options and before any action/);
    expect(readme).toMatch(/It first deletes the stored token, then prints a URL and a code: .* approve within about 90 seconds/);
    expect(readme).toMatch(/Never put `--forceRegister` into the script or into `Operation`/);
  });

  it.each(CASES)('%s: renewal with the assistant: anaplan-setup oauth with the same client, folder and host', (_label, rotatable) => {
    const readme = readmeFor(rotatable);
    const flag = rotatable ? ' --rotatable' : '';
    expect(blocks(readme, 'sh')).toContainEqual([
      `anaplan-setup oauth --client-id '${CLIENT_ID}'${flag} --token-store-dir '/home/jobuser/.anaplan/oauth' --oauth-url '${OAUTH_HOST}'`,
    ]);
    expect(blocks(readme, 'bat')).toContainEqual([
      `anaplan-setup oauth --client-id "${CLIENT_ID}"${flag} --token-store-dir "/home/jobuser/.anaplan/oauth" --oauth-url "${OAUTH_HOST}"`,
    ]);
  });

  it('Windows command lines keep a trailing backslash of the folder for the C runtime', () => {
    const readme = readmeFor(true, { tokenStoreDir: 'C:\\tokens\\', platforms: ['windows'] });
    expect(readme).toContain('--token-store-dir "C:\\tokens\\\\"');
    expect(readme).toContain('set "AC_OAUTH_KEYSTORE_DIR=C:\\tokens\\"');
    expect(blocks(readme, 'sh')).toEqual([]);
  });

  it('warns when the one folder does not suit a platform', () => {
    expect(warningsFor(true)).toMatch(/is not a Windows path: set TokenStoreDir in anaplan-connect\.bat/);
    expect(warningsFor(true, { platforms: ['linux'] })).not.toMatch(/is not a (Windows|Linux) path/);
    expect(warningsFor(true, { tokenStoreDir: 'C:\\tokens' })).toMatch(/is not a Linux path: set TokenStoreDir in anaplan-connect\.sh/);
    expect(warningsFor(true, { tokenStoreDir: 'C:\\tokens', platforms: ['windows'] })).not.toMatch(/is not a (Windows|Linux) path/);
  });

  it('keeps a table intact and a fence closed whatever the folder holds', () => {
    const readme = readmeFor(true, { tokenStoreDir: '/srv/a|b ```x````', platforms: ['linux'] });
    expect(readme).toContain('| Token store folder (`AC_OAUTH_KEYSTORE_DIR`) | ````` /srv/a\\|b ```x```` ````` |');
    expect(readme).toContain("\n`````sh\nAC_OAUTH_KEYSTORE_DIR='/srv/a|b ```x````' ./AnaplanClient.sh");
  });
});

describe('running the generated .sh against a stand-in AnaplanClient.sh', () => {
  /** A job whose token store is in a hostile folder outside HOME, 0700, holding the file (0600) unless told otherwise. */
  async function oauthJob(rotatable: boolean, options: { store?: boolean; overrides?: Partial<OAuthExportRequest> } = {}) {
    const tokenDir = join(tmp, HOSTILE_DIR_NAME);
    await mkdir(tokenDir, { mode: 0o700 });
    const input = oauthInput(rotatable, { tokenStoreDir: tokenDir, operation: HOSTILE_OPERATION, ...options.overrides });
    const job = await setUpJob(tmp, input, { client: OAUTH_STAND_IN });
    const store = join(tokenDir, STORE_NAME);
    if (options.store !== false) await writeFile(store, 'not really a token store', { mode: 0o600 });
    return { job, tokenDir, store, input };
  }

  async function expectRuns(job: Job, rotatable: boolean, tokenDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    const result = job.run(extraEnv);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const argv = await job.argv();
    expect(argv).toEqual([...expectedOptions(rotatable), ...HOSTILE_OPERATION]);
    expectOptionsBeforeOperation(argv, HOSTILE_OPERATION, AUTH_OPTIONS);
    expect(argv).not.toContain('--forceRegister');
    expect(await job.keystoreDir()).toBe(tokenDir);
    expect(await job.cwd()).toBe(job.folder);
    await expectNothingExecuted(tmp);
  }

  async function editSetting(job: Job, name: string, value: string): Promise<void> {
    const content = await readFile(job.script, 'utf8');
    const setting = content.split('\n').find((line) => line.startsWith(`${name}=`));
    expect(setting, name).toBeDefined();
    await writeFile(job.script, content.replace(`${setting}\n`, `${name}=${shQuote(value, name)}\n`));
  }

  it.each(CASES)('%s: exact argv, options first, AC_OAUTH_KEYSTORE_DIR byte for byte', async (_label, rotatable) => {
    const { job, tokenDir } = await oauthJob(rotatable);
    await expectRuns(job, rotatable, tokenDir);
  });

  it.each(CASES)('%s: replaces an AC_OAUTH_KEYSTORE_DIR already in the environment, and works from a relative path', async (_label, rotatable) => {
    const { job, tokenDir } = await oauthJob(rotatable);
    await expectRuns(job, rotatable, tokenDir, { AC_OAUTH_KEYSTORE_DIR: join(tmp, 'home') });
    const relative = job.run({}, 'relative');
    expect(relative.status).toBe(0);
    expect(await job.keystoreDir()).toBe(tokenDir);
  });

  it('leaves out -workspace_id and -model_id when no IDs were given', async () => {
    const { job } = await oauthJob(true, { overrides: { workspaceId: undefined, modelId: '', operation: ['-W'] } });
    expect(job.run().status).toBe(0);
    expect(await job.argv()).toEqual([...expectedOptions(true, false), '-W']);
  });

  it.each(CASES)('%s: a missing token store stops the job, exit 2, saying how to create it', async (_label, rotatable) => {
    const { job, tokenDir, store } = await oauthJob(rotatable, { store: false });
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ERROR: the OAuth token store "${store}" was not found`);
    expect(result.stderr).toContain(`anaplan-setup oauth --client-id ${CLIENT_ID}${rotatable ? ' --rotatable' : ''} --token-store-dir "${tokenDir}" --oauth-url ${OAUTH_HOST}`);
    expect(result.stderr).toMatch(/run Anaplan Connect with this job's options and --forceRegister \(the exact command is in README\.md\)/);
    await expect(job.argv()).rejects.toThrow();
  });

  it('a missing token store folder stops the job too, exit 2', async () => {
    const { job, tokenDir } = await oauthJob(true, { store: false });
    await rm(tokenDir, { recursive: true });
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: the OAuth token store ".*" was not found/);
    await expect(job.argv()).rejects.toThrow();
  });

  it('an empty token store stops the job, exit 2', async () => {
    const { job, store } = await oauthJob(false);
    await writeFile(store, '');
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ERROR: the OAuth token store "${store}" is empty`);
  });

  it.skipIf(isRoot)('an unreadable token store stops the job, exit 2', async () => {
    const { job, store } = await oauthJob(false);
    await chmod(store, 0o000);
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ERROR: the OAuth token store "${store}" cannot be read by the account running this job`);
  });

  it.skipIf(isRoot)('a read-only token store stops a rotatable job (the new token could not be saved), not a non-rotatable one', async () => {
    const { job, store } = await oauthJob(true);
    await chmod(store, 0o400);
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/cannot be written by the account running this job .*Anaplan Connect saves the new one there on every run/);
    await expect(job.argv()).rejects.toThrow();
    await editSetting(job, 'Rotatable', 'no');
    expect(job.run().status).toBe(0);
    expect(await job.argv()).not.toContain('--rotatable');
  });

  it('warns, and still runs, when other accounts can open the token store folder', async () => {
    const { job, tokenDir } = await oauthJob(true);
    await chmod(tokenDir, 0o755);
    const result = job.run();
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(`WARNING: other accounts can open the token store folder "${tokenDir}", and the refresh token in it is only obfuscated. Run: chmod 700 "${tokenDir}"\n`);
    expect(await job.argv()).toEqual([...expectedOptions(true), ...HOSTILE_OPERATION]);
  });

  it('Rotatable edited in the script: yes/no switch --rotatable, anything else stops the job', async () => {
    const { job } = await oauthJob(false);
    await editSetting(job, 'Rotatable', 'yes');
    expect(job.run().status).toBe(0);
    expect(await job.argv()).toEqual([...expectedOptions(true), ...HOSTILE_OPERATION]);
    await editSetting(job, 'Rotatable', 'maybe');
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: Rotatable is "maybe"\. Set it at the top of this script to yes/);
  });

  it('ClientId edited in the script: exit 2 (the store name was computed for the exported one)', async () => {
    const { job } = await oauthJob(true);
    await editSetting(job, 'ClientId', 'another-client-id');
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: ClientId was changed to "another-client-id" after this script was generated for 3f2a/);
    await expect(job.argv()).rejects.toThrow();
  });

  it('TokenStoreDir emptied in the script: exit 2 (Anaplan Connect would fall back to the home folder)', async () => {
    const { job } = await oauthJob(true);
    await editSetting(job, 'TokenStoreDir', '');
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^ERROR: TokenStoreDir is empty/);
  });

  it("exits with Anaplan Connect's exit code", async () => {
    const { job } = await oauthJob(true);
    expect(job.run({ STANDIN_EXIT: '7' }).status).toBe(7);
  });

  it.each(CASES)("%s: README's Linux commands, run as written, give Anaplan Connect and the assistant the right words", async (_label, rotatable) => {
    const { job, tokenDir, input } = await oauthJob(rotatable, { overrides: { platforms: ['linux'] } });
    const readme = fileNamed(buildAnaplanConnectFiles(input), 'README.md').content;
    const commandAfter = (prefix: string) => {
      const line = readme.split('\n').find((candidate) => candidate.includes(prefix));
      expect(line, prefix).toBeDefined();
      return line ?? '';
    };
    // --forceRegister, in the Anaplan Connect folder, with no AC_OAUTH_KEYSTORE_DIR of its own.
    const reRegister = spawnSync('bash', ['-c', commandAfter('./AnaplanClient.sh')], { cwd: job.folder, env: job.env, encoding: 'utf8' });
    expect(reRegister.status).toBe(0);
    const argv = await job.argv();
    expect(argv).toEqual([...expectedOptions(rotatable), '--forceRegister', '-W']);
    const forceRegister = argv.indexOf('--forceRegister');
    for (const option of AUTH_OPTIONS) {
      if (argv.includes(option)) expect(argv.indexOf(option), option).toBeLessThan(forceRegister);
    }
    expect(argv.indexOf('-W')).toBeGreaterThan(forceRegister);
    expect(await job.keystoreDir()).toBe(tokenDir);
    // The assistant's sign-in, with a stand-in anaplan-setup that records its words.
    const signIn = spawnSync('bash', ['-c', `anaplan-setup() { printf '%s\\0' "$@" > "$ARGV_FILE"; }\n${commandAfter('anaplan-setup oauth')}`], {
      cwd: job.elsewhere,
      env: job.env,
      encoding: 'utf8',
    });
    expect(signIn.status).toBe(0);
    expect(await job.argv()).toEqual([
      'oauth',
      '--client-id',
      CLIENT_ID,
      ...(rotatable ? ['--rotatable'] : []),
      '--token-store-dir',
      tokenDir,
      '--oauth-url',
      OAUTH_HOST,
    ]);
    await expectNothingExecuted(tmp);
  });
});
