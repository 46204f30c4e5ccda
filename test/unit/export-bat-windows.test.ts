import {
  anaplanConnectExportWarnings,
  buildAnaplanConnectFiles,
  type AnaplanConnectExportRequest,
  type BasicExportRequest,
  type CertificateExportRequest,
  type OAuthExportRequest,
} from '../../main/export/index.js';
import { batCommandSetLine, cmdCommandLine } from '../../main/export/batch-quote.js';
import { SCRIPT_LAYOUT } from '../../main/export/script-sections.js';
import { expectBadInput, expectCrlfOnly, fileNamed, sharedFields } from '../support/export-harness.js';

/**
 * The Windows job (issue 14), checked as text: what cmd.exe, AnaplanClient.bat and Java would do
 * with it is imitated here only where the rule is cmd.exe's documented parsing (the quote state
 * flipping at every ", carets outside quotes, set "name=value" taking the text up to the last
 * quote) or the C runtime's CommandLineToArgvW. The real cmd.exe runs it in test/windows/.
 */

type Overrides = Partial<BasicExportRequest>;

const basic = (overrides: Overrides = {}): BasicExportRequest => ({
  method: 'basic',
  user: 'integration.user@example.com',
  password: { source: 'env', envVar: 'ANAPLAN_PASSWORD' },
  ...sharedFields({ platforms: ['windows'] }),
  operation: ['-process', 'Nightly Load', '-execute'],
  ...overrides,
});

const pem = (overrides: Partial<CertificateExportRequest> = {}): CertificateExportRequest => ({
  method: 'certificate',
  credentials: { form: 'pem', certificatePath: 'C:\\keys\\certificate.pem', privateKeyPath: 'C:\\keys\\private.pem', keyPassphrase: { source: 'env', envVar: 'ANAPLAN_KEY_PASSPHRASE' } },
  ...sharedFields({ platforms: ['windows'] }),
  operation: ['-W'],
  ...overrides,
});

const oauth = (overrides: Partial<OAuthExportRequest> = {}): OAuthExportRequest => ({
  method: 'oauth',
  clientId: '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e',
  rotatable: true,
  tokenStoreDir: 'C:\\Users\\svc\\.anaplan\\oauth',
  ...sharedFields({ platforms: ['windows'] }),
  operation: ['-W'],
  ...overrides,
});

const batOf = (input: AnaplanConnectExportRequest): string => fileNamed(buildAnaplanConnectFiles(input), 'anaplan-connect.bat').content;
const linesOf = (input: AnaplanConnectExportRequest): string[] => batOf(input).split('\r\n');
const warningsOf = (input: AnaplanConnectExportRequest): string => anaplanConnectExportWarnings(input).join('\n');

function indexOf(lines: string[], line: string): number {
  const index = lines.indexOf(line);
  expect(index, line).toBeGreaterThan(0);
  return index;
}

/**
 * cmd.exe reading one line after its percent expansion: the quote state flips at every ", and
 * outside quotes a caret takes the next character literally (the caret goes) while & | < > end
 * the command. Returns the command's text and whether the line was split.
 */
function cmdReads(line: string): { text: string; split: boolean } {
  let inside = false;
  let text = '';
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index] as string;
    if (character === '"') inside = !inside;
    if (!inside && character === '^') {
      index += 1;
      text += line[index] ?? '';
      continue;
    }
    if (!inside && '&|<>'.includes(character)) return { text, split: true };
    text += character;
  }
  return { text, split: false };
}

/** A batch line's percent expansion when no variable is referenced: %% is %. */
const batchPercent = (line: string) => line.replaceAll('%%', '%');

/** `set "name=value"` as cmd.exe runs it: the value is the text after = up to the last quote. */
function setLineValue(line: string): string {
  const { text, split } = cmdReads(batchPercent(line));
  expect(split, line).toBe(false);
  const match = /^set "([^=]+)=(.*)"[^"]*$/s.exec(text);
  expect(match, line).not.toBeNull();
  return match?.[2] ?? '';
}

/** CommandLineToArgvW (as schtasks and Java's launcher split their command line). */
function commandLineToArgv(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let inQuotes = false;
  let started = false;
  for (let index = 0; index < line.length; ) {
    const character = line[index] as string;
    if (character === '\\') {
      let count = 0;
      while (line[index] === '\\') {
        count += 1;
        index += 1;
      }
      if (line[index] === '"') {
        current += '\\'.repeat(Math.floor(count / 2));
        if (count % 2 === 1) {
          current += '"';
          index += 1;
        }
      } else {
        current += '\\'.repeat(count);
      }
      started = true;
    } else if (character === '"') {
      if (inQuotes && line[index + 1] === '"') {
        current += '"';
        index += 2;
      } else {
        inQuotes = !inQuotes;
        index += 1;
      }
      started = true;
    } else if ((character === ' ' || character === '\t') && !inQuotes) {
      if (started) args.push(current);
      current = '';
      started = false;
      index += 1;
    } else {
      current += character;
      started = true;
      index += 1;
    }
  }
  if (started) args.push(current);
  return args;
}

describe('the .bat is ASCII throughout (item 1: cmd.exe reads it in the OEM code page, Java its command line in the ANSI one)', () => {
  const NON_ASCII: Array<[string, Overrides, RegExp]> = [
    ['an import name', { operation: ['-import', 'Prévisions – 売上 (Q1)', '-execute'] }, /Operation word 2 contains "é", "–", "売" and "上", outside ASCII/],
    ['a file name', { operation: ['-file', 'données.csv', '-put', 'C:\\data\\données.csv', '-execute'] }, /Operation word 2 contains "é"/],
    ['the Anaplan Connect folder', { anaplanConnectDir: 'C:\\Programme\\Anaplan Connect ü' }, /The Anaplan Connect folder contains "ü"/],
    ['JAVA_HOME', { javaHome: 'C:\\Java\\jdk-17-é' }, /JAVA_HOME contains "é"/],
    ['the log folder', { logDir: 'D:\\Journaux\\réussite' }, /The log folder contains "é"/],
    ['the on-failure command', { onFailure: 'notify.cmd "échec"' }, /The on-failure command contains "é"/],
    ['an inline password', { password: { source: 'inline', value: 'Grüße-42' } }, /The password contains "ü" and "ß"/],
  ];

  it.each(NON_ASCII)('refuses %s beyond ASCII for the .bat, saying why and what to do', (_label, overrides, field) => {
    expectBadInput(
      () => buildAnaplanConnectFiles(basic(overrides)),
      field,
      /console's code page \(such as 437 or 850\), not as the UTF-8 it is written in/,
      /Java reads its command line in the Windows ANSI code page \(such as 1252\), where a character it lacks becomes "\?" whatever the script does/,
      /Nothing was generated/,
      /rename the import, export, process or file in Anaplan, or the file or folder on disk/,
      /or generate the Linux script only/,
    );
  });

  it.each(NON_ASCII)('takes %s beyond ASCII for the Linux script only', (_label, overrides) => {
    expect(() => buildAnaplanConnectFiles(basic({ ...overrides, platforms: ['linux'] }))).not.toThrow();
  });

  it('refuses a certificate path and a token store folder beyond ASCII for the .bat', () => {
    expectBadInput(
      () => buildAnaplanConnectFiles(pem({ credentials: { form: 'pem', certificatePath: 'C:\\clés\\certificate.pem', privateKeyPath: 'C:\\keys\\private.pem', keyPassphrase: { source: 'none' } } })),
      /The certificate file contains "é"/,
    );
    expectBadInput(() => buildAnaplanConnectFiles(oauth({ tokenStoreDir: 'C:\\Users\\José\\.anaplan' })), /The token store folder contains "é"/);
  });

  it('writes comments in ASCII, so a profile name beyond ASCII still exports', () => {
    const bat = batOf(basic({ profileName: 'Prévisions – 売上 “Q1” 100%', regionName: 'Europe 1 (eu1)' }));
    expect(bat).toMatch(/^[\u0000-\u007f]*$/);
    expect(bat).toContain('\r\nrem Profile: Previsions - ?? "Q1" 100%%. Region: Europe 1 (eu1).\r\n');
  });

  it.each<[string, AnaplanConnectExportRequest]>([
    ['basic, every job option', basic({ onFailure: '"C:\\Program Files\\notify.exe" "%ANAPLAN_JOB_LOG%"', javaHome: 'C:\\Program Files (x86)\\Java\\jre8', logDir: 'D:\\R&D logs', connection: { proxyUrl: 'http://proxy:8080', proxyUser: 'CORP\\svc', proxyPasswordEnvVar: 'PROXY_PW' } })],
    ['certificate', pem()],
    ['oauth', oauth()],
  ])('%s: every byte of the .bat is ASCII and it is CRLF', (_label, input) => {
    const bat = batOf(input);
    expectCrlfOnly(bat);
    expect(bat).toMatch(/^[\u0000-\u007f]*$/);
  });
});

describe('schtasks.txt (item 2: the /TR path stands outside quotes for cmd.exe)', () => {
  const SCHEDULE = { time: '02:30', account: 'svc-anaplan' };
  const lastLine = (jobDir: string) => {
    const schtasks = fileNamed(buildAnaplanConnectFiles(basic({ schedule: SCHEDULE, jobDir })), 'schtasks.txt').content;
    return schtasks.split('\r\n').at(-2) ?? '';
  };

  it.each([
    ['C:\\R&D\\Anaplan Connect', 'schtasks /Create /SC DAILY /ST 02:30 /TN "Anaplan Connect - Production" /TR "\\"C:\\R^&D\\Anaplan Connect\\anaplan-connect.bat\\"" /RU svc-anaplan'],
    ['C:\\a^b', 'schtasks /Create /SC DAILY /ST 02:30 /TN "Anaplan Connect - Production" /TR "\\"C:\\a^^b\\anaplan-connect.bat\\"" /RU svc-anaplan'],
    ['C:\\Anaplan Connect', 'schtasks /Create /SC DAILY /ST 02:30 /TN "Anaplan Connect - Production" /TR "\\"C:\\Anaplan Connect\\anaplan-connect.bat\\"" /RU svc-anaplan'],
  ])('a job in %s: the line as written', (jobDir, expected) => {
    expect(lastLine(jobDir)).toBe(expected);
  });

  it.each(['C:\\R&D\\Anaplan Connect', 'C:\\a^b', 'C:\\x|y', 'C:\\in<out>', 'C:\\(x86) & co ^^'])(
    'a job in %s: cmd.exe runs one command, and schtasks gets /TR "<the path>" and /RU',
    (jobDir) => {
      const { text, split } = cmdReads(lastLine(jobDir));
      expect(split).toBe(false);
      const argv = commandLineToArgv(text);
      expect(argv.slice(argv.indexOf('/TR'), argv.indexOf('/TR') + 2)).toEqual(['/TR', `"${jobDir}\\anaplan-connect.bat"`]);
      expect(argv.slice(-2)).toEqual(['/RU', 'svc-anaplan']);
      expect(argv.slice(argv.indexOf('/TN'), argv.indexOf('/TN') + 2)).toEqual(['/TN', 'Anaplan Connect - Production']);
    },
  );

  it('a profile name with & and ^ stays inside the quotes of /TN, unescaped', () => {
    const schtasks = fileNamed(buildAnaplanConnectFiles(basic({ schedule: SCHEDULE, jobDir: 'C:\\jobs', profileName: 'R&D ^ team' })), 'schtasks.txt').content;
    const line = schtasks.split('\r\n').at(-2) ?? '';
    expect(line).toContain('/TN "Anaplan Connect - R&D ^ team"');
    expect(commandLineToArgv(cmdReads(line).text)).toContain('Anaplan Connect - R&D ^ team');
  });

  it('refuses a % in the path of the script, which a command prompt would expand', () => {
    expectBadInput(() => buildAnaplanConnectFiles(basic({ schedule: SCHEDULE, jobDir: 'C:\\100%PATH%\\jobs' })), /The path of the Windows script contains "%"/, /Task Scheduler by hand/);
    expect(() => cmdCommandLine('a "b%" c', 'X', 'Fix it.')).toThrow(/X contains "%"/);
  });
});

describe('Java, checked before AnaplanClient.bat runs (items 3 and 4)', () => {
  it('finds Java by AnaplanClient.bat\'s rule, checks its version, and fails through OnFailure with exit code 1', () => {
    const lines = linesOf(basic({ javaHome: 'C:\\Program Files (x86)\\Java\\jre1.8.0_381' }));
    const order = [
      'if defined JavaHome set "JAVA_HOME=%JavaHome%"',
      'if defined JAVA_HOME set "JAVA_HOME=%JAVA_HOME:"=%"',
      'if not defined JAVA_HOME call :java_home_from_registry',
      'if not defined JAVA_HOME goto :no_java_home',
      'if not exist "%JAVA_HOME%\\bin\\java.exe" goto :no_java',
      'if "%JavaHomePlain%"=="%JAVA_HOME%" goto :java_home_ready',
      'for %%I in ("%JAVA_HOME%") do set "JAVA_HOME=%%~sI"',
      `for /f "delims=" %%v in ('"%JAVA_HOME%\\bin\\java.exe" -fullversion 2^>^&1') do set "JavaFullVersion=%%v"`,
      'if defined JavaFullVersion set "JavaFullVersion=%JavaFullVersion:"=.%"',
      'for /f "tokens=2,3 delims=.-_" %%j in ("%JavaFullVersion%") do set "JavaVersion=%%j.%%k"',
      'if %JavaMajor% equ 9 goto :bad_java',
      'if not "%JavaMinor%"=="0" if not "%JavaMinor%"=="8" goto :bad_java',
      '>>"%LogFile%" 2>&1 call :run_anaplan_connect',
    ].map((line) => indexOf(lines, line));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // The characters AnaplanClient.bat cannot take, each tested.
    for (const character of ['(', ')', '&', '^', '@', '!']) expect(lines.some((line) => line.startsWith('set "JavaHomePlain=') && line.includes(`:${character}=%"`)), character).toBe(true);
    // Each failure: the reason into the log and onto the console, then exit code 1 through OnFailure (not in --check).
    for (const label of [':no_java_home', ':no_java', ':java_home_characters', ':bad_java']) {
      const at = indexOf(lines, label);
      expect(lines[at + 1], label).toMatch(/^>>"%LogFile%" echo ERROR: no Java for Anaplan Connect: /);
      expect(lines[at + 2], label).toBe(`>&2 echo${(lines[at + 1] ?? '').slice('>>"%LogFile%" echo'.length)}`);
      expect(lines[at + 3], label).toBe('goto :java_failed');
    }
    const failed = indexOf(lines, ':java_failed');
    expect(lines.slice(failed, failed + 4)).toEqual([':java_failed', 'set "ExitCode=1"', 'if defined CheckOnly goto :check_result', 'goto :on_failure']);
    // --check explains it in its own words.
    expect(lines.find((line) => line.startsWith('findstr ') && line.includes('goto :check_java'))).toContain('/c:"no Java for Anaplan Connect"');
    // Still no parenthesised block anywhere, and no call but the client's at the start of a line.
    expect(lines.filter((line) => /\($/.test(line))).toEqual([]);
    expect(lines.filter((line) => line.startsWith('call '))).toHaveLength(1);
  });

  it('reads the registry as AnaplanClient.bat does: CurrentVersion, then JavaHome, never the PATH', () => {
    const lines = linesOf(basic());
    const start = indexOf(lines, ':java_home_from_registry');
    const body = lines.slice(start, lines.indexOf('exit /b 0', start) + 1 + 6);
    const queries = body.filter((line) => line.includes('reg query')).map((line) => /reg query "([^"]+)" \/v (\w+)/.exec(line)?.slice(1).join(' '));
    expect(queries).toEqual([
      'HKEY_LOCAL_MACHINE\\Software\\JavaSoft\\Java Runtime Environment CurrentVersion',
      'HKEY_LOCAL_MACHINE\\Software\\Wow6432Node\\JavaSoft\\Java Runtime Environment CurrentVersion',
      'HKEY_LOCAL_MACHINE\\Software\\JavaSoft\\Java Development Kit CurrentVersion',
      'HKEY_LOCAL_MACHINE\\Software\\Wow6432Node\\JavaSoft\\Java Development Kit CurrentVersion',
      'HKEY_LOCAL_MACHINE\\Software\\Wow6432Node\\JavaSoft\\Java Runtime Environment\\%JavaRegistryVersion% JavaHome',
      'HKEY_LOCAL_MACHINE\\Software\\JavaSoft\\Java Runtime Environment\\%JavaRegistryVersion% JavaHome',
      'HKEY_LOCAL_MACHINE\\Software\\Wow6432Node\\JavaSoft\\Java Development Kit\\%JavaRegistryVersion% JavaHome',
      'HKEY_LOCAL_MACHINE\\Software\\JavaSoft\\Java Development Kit\\%JavaRegistryVersion% JavaHome',
    ]);
    expect(batOf(basic())).not.toMatch(/%%~\$PATH:/);
    expect(batOf(basic())).toContain('rem Java for Anaplan Connect, exported as JAVA_HOME. Empty: JAVA_HOME, else the registry keys Java 8 installers write, as AnaplanClient.bat looks (not the PATH).');
  });

  it('imitates the version rule of AnaplanClient.bat on java -fullversion lines', () => {
    // The script's own steps: " made a ., split at . - _, tokens 2 and 3; major digits, 1 or more, not 9; minor 0 or 8.
    const accepted = (line: string) => {
      const tokens = line.replaceAll('"', '.').split(/[.\-_]+/);
      const [major, minor] = [tokens[1] ?? '', tokens[2] ?? ''];
      return /^\d+$/.test(major) && Number(major) >= 1 && Number(major) !== 9 && (minor === '0' || minor === '8');
    };
    expect(accepted('java full version "1.8.0_381-b09"')).toBe(true);
    expect(accepted('openjdk full version "11.0.20+8"')).toBe(true);
    expect(accepted('openjdk full version "17.0.8+7"')).toBe(true);
    expect(accepted('openjdk full version "21.0.1+12-LTS"')).toBe(true);
    expect(accepted('java full version "9.0.4+11"')).toBe(false);
    expect(accepted('java full version "1.7.0_80-b15"')).toBe(false);
    expect(accepted('openjdk full version "17+35"')).toBe(false);
  });

  it('warns at export about a JAVA_HOME AnaplanClient.bat cannot take, and says what the script does', () => {
    expect(warningsOf(basic({ javaHome: 'C:\\Program Files (x86)\\Java\\jre1.8.0_381' }))).toMatch(
      /JAVA_HOME C:\\Program Files \(x86\)\\Java\\jre1\.8\.0_381 holds one of \( \) & \^ @, which AnaplanClient\.bat cannot take: .*8\.3 short name instead \(C:\\PROGRA~2\\\.\.\. .*stops with exit code 1 and a message where the drive has no 8\.3 names/,
    );
    expect(warningsOf(basic({ javaHome: 'C:\\Program Files\\Java\\jdk-17' }))).not.toMatch(/8\.3 short name/);
    expect(warningsOf(basic({ javaHome: 'C:\\Program Files (x86)\\Java\\jre8', platforms: ['linux'] }))).not.toMatch(/8\.3 short name/);
  });

  it('README.md says how the Windows script finds and checks Java', () => {
    const readme = fileNamed(buildAnaplanConnectFiles(basic()), 'README.md').content;
    expect(readme).toMatch(/the Windows script looks for Java as `AnaplanClient\.bat` does .*not the `PATH`/);
    expect(readme).toMatch(/the script stops first instead, with exit code 1 and the reason in the log, and runs `OnFailure`/);
  });
});

describe('secrets from the environment (item 5: AnaplanClient.bat\'s delayed expansion)', () => {
  it.each<[string, AnaplanConnectExportRequest, string[]]>([
    ['the password', basic(), ['PasswordVariable']],
    ['the key passphrase', pem(), ['KeyPassphraseVariable']],
    ['the proxy password', oauth({ connection: { proxyUrl: 'http://proxy:8080', proxyUser: 'svc', proxyPasswordEnvVar: 'PROXY_PW' } }), ['ProxyPasswordVariable']],
    ['the password and the proxy password', basic({ connection: { proxyUrl: 'http://proxy:8080', proxyUser: 'svc', proxyPasswordEnvVar: 'PROXY_PW' } }), ['PasswordVariable', 'ProxyPasswordVariable']],
  ])('%s: checked for " ! and a trailing \\ before anything is sent, exit code 2', (_label, input, settings) => {
    const lines = linesOf(input);
    const run = lines.findIndex((line) => line.endsWith('call :run_anaplan_connect'));
    for (const setting of settings) {
      const at = indexOf(lines, `set "SecretVariable=%${setting}%"`);
      expect(at).toBeLessThan(run);
      expect(lines.slice(at, at + 12)).toEqual([
        `set "SecretVariable=%${setting}%"`,
        'set "SecretValue="',
        `for /f "tokens=1* delims==" %%a in ('set %SecretVariable%') do if /i "%%a"=="%SecretVariable%" set "SecretValue=%%b"`,
        'set "SecretBare=%SecretValue:"=%"',
        'set "SecretMarked=%SecretValue:"=Q%"',
        'set "SecretValue="',
        'if not "%SecretBare%"=="%SecretMarked%" goto :bad_secret',
        'set "SecretMarked=%SecretBare:!=%"',
        'if not "%SecretBare%"=="%SecretMarked%" goto :bad_secret',
        'if "%SecretBare:~-1%"=="\\" goto :bad_secret',
        'set "SecretBare="',
        'set "SecretMarked="',
      ]);
    }
    const label = indexOf(lines, ':bad_secret');
    expect(lines[label + 3]).toMatch(/^>&2 echo ERROR: the environment variable "%SecretVariable%" holds a double quote or "!", or ends with "\\", .*deletes each "!" and then every "\^" in the other arguments/);
    expect(lines[label + 4]).toBe('exit /b 2');
    // The value is never written into a line cmd.exe parses, only compared with its quotes taken out.
    expect(lines.filter((line) => line.includes('%SecretValue%'))).toEqual([]);
  });

  it('no check, and no label, without a secret from the environment', () => {
    const lines = linesOf(basic({ password: { source: 'inline', value: 'x' } }));
    expect(lines.filter((line) => line.includes('Secret'))).toEqual([]);
  });

  it.each<[string, AnaplanConnectExportRequest, RegExp]>([
    ['the password', basic({ platforms: ['linux', 'windows'] }), /On Windows, the password in ANAPLAN_PASSWORD must not contain " or ! or end with \\\./],
    ['the key passphrase', pem(), /On Windows, the key passphrase in ANAPLAN_KEY_PASSPHRASE must not contain " or ! or end with \\\./],
    ['the proxy password', oauth({ connection: { proxyUrl: 'http://proxy:8080', proxyUser: 'svc', proxyPasswordEnvVar: 'PROXY_PW' } }), /On Windows, the proxy password in PROXY_PW must not contain " or ! or end with \\\./],
  ])('the warning about %s says all of it', (_label, input, first) => {
    const warnings = warningsOf(input);
    expect(warnings).toMatch(first);
    for (const fragment of [
      /delayed expansion, which deletes each ! \(and the text between two of them\) and then, on a line holding one, every \^ in all the other arguments as well/,
      /a " would end the quoted argument, and a \\ before the closing quote makes Java read a quote/,
      /stops with exit code 2 before anything is sent, so no failed sign-in counts towards a lockout/,
      /Java also reads its command line in the Windows ANSI code page \(Windows-1252 in Western Europe and the Americas\): a character outside it, .* arrives in Anaplan Connect as "\?"/,
    ]) {
      expect(warnings).toMatch(fragment);
    }
    expect(warningsOf({ ...input, platforms: ['linux'] } as AnaplanConnectExportRequest)).not.toMatch(/delayed expansion/);
  });
});

describe('the failure hook (item 6: the log path in double quotes)', () => {
  const HOOKS = [
    '"C:\\Program Files\\notify.exe" --log "%ANAPLAN_JOB_LOG%" --code %ANAPLAN_JOB_EXIT_CODE%',
    'notify.cmd "%ANAPLAN_JOB_LOG%" & echo done > "C:\\R&D\\hook.txt"',
    'powershell -File "C:\\ops\\alert.ps1" -Log "%ANAPLAN_JOB_LOG%" | more',
    'echo "unbalanced ^ & <x>',
    'a ^ b & c "d ^ e" f < g',
  ];

  it.each(HOOKS)('the set line gives cmd.exe back %s exactly', (command) => {
    const lines = linesOf(basic({ onFailure: command }));
    const line = lines.find((candidate) => candidate.startsWith('set "OnFailure=')) ?? '';
    expect(line).toBe(batCommandSetLine('OnFailure', command, 'The on-failure command'));
    expect(setLineValue(line)).toBe(command);
  });

  it('runs it as written: put on the line by delayed expansion, after cmd.exe parsed it; cmd /s keeps its quotes', () => {
    const lines = linesOf(basic({ onFailure: HOOKS[0] }));
    const at = indexOf(lines, 'cmd /d /v:off /s /c "!OnFailure!"');
    expect(lines.slice(at - 4, at + 3)).toEqual([
      'set "ANAPLAN_JOB_EXIT_CODE=%ExitCode%"',
      'set "ANAPLAN_JOB_LOG=%LogFile%"',
      'rem OnFailure runs as written: delayed expansion puts it on the line after cmd.exe has read the line.',
      'setlocal EnableDelayedExpansion',
      'cmd /d /v:off /s /c "!OnFailure!"',
      'if errorlevel 1 >&2 echo WARNING: the OnFailure command failed.',
      'exit /b %ExitCode%',
    ]);
    // The only delayed expansion in the script, right before it exits.
    expect(lines.filter((line) => /![A-Za-z_]+!/.test(line))).toEqual(['cmd /d /v:off /s /c "!OnFailure!"']);
    expect(lines.filter((line) => /EnableDelayedExpansion/.test(line))).toEqual(['setlocal EnableDelayedExpansion']);
  });

  it('refuses "!" in the command, not double quotes', () => {
    expectBadInput(() => buildAnaplanConnectFiles(basic({ onFailure: 'notify.cmd "Failed!"' })), /The on-failure command contains "!"/);
    expect(() => buildAnaplanConnectFiles(basic({ onFailure: HOOKS[0] }))).not.toThrow();
  });

  it('the settings comment, the warning and README.md say to quote "%ANAPLAN_JOB_LOG%"', () => {
    const input = basic({ onFailure: HOOKS[0] });
    expect(batOf(input)).toContain('\r\nrem Write "%%ANAPLAN_JOB_LOG%%" in double quotes: the log path may hold spaces or an ampersand. Empty: none.\r\n');
    expect(warningsOf(input)).toMatch(/Write "%ANAPLAN_JOB_LOG%" in double quotes in it: the log path can hold spaces or &/);
    expect(fileNamed(buildAnaplanConnectFiles(input), 'README.md').content).toContain('and `"%ANAPLAN_JOB_LOG%"` in double quotes (the log path can hold spaces or `&`)');
  });
});

describe('the dated log (item 7)', () => {
  it('takes the date in the invariant culture, whatever the account\'s calendar', () => {
    const bat = batOf(basic());
    expect(bat).toContain(
      `for /f "delims=" %%T in ('powershell -NoProfile -NonInteractive -Command "[DateTime]::Now.ToString('yyyyMMdd-HHmmss', [Globalization.CultureInfo]::InvariantCulture)"') do set "RunStamp=%%T"`,
    );
    expect(bat).not.toContain('Get-Date');
  });
});

describe('one list of sections, rendered by both dialects (item 8)', () => {
  it('the .sh and the .bat follow SCRIPT_LAYOUT: the same parts in the same order', () => {
    const files = buildAnaplanConnectFiles(basic({ platforms: ['linux', 'windows'], javaHome: 'C:\\Java\\jdk-17' }));
    const sh = fileNamed(files, 'anaplan-connect.sh').content.split('\n');
    const bat = fileNamed(files, 'anaplan-connect.bat').content.split('\r\n');
    // A line each dialect writes in each section (labels: the .sh has none).
    const landmarks: Record<string, [RegExp, RegExp]> = {
      header: [/^# Anaplan Connect job: /, /^rem Anaplan Connect job: /],
      settings: [/^AnaplanUser=/, /^set "AnaplanUser=/],
      operation: [/^Operation=\(/, /^set Operation=/],
      marker: [/Do not edit below this line/, /Do not edit below this line/],
      argument: [/--check\) CheckOnly=yes/, /^if "%~1"=="--check"/],
      log: [/^LogFile=/, /^set "LogFile=/],
      folder: [/AnaplanClient\.sh was not found/, /^if not exist "\.\\AnaplanClient\.bat"/],
      java: [/^ {2}export JAVA_HOME=/, /^if defined JavaHome set "JAVA_HOME=/],
      credentials: [/^AnaplanPassword=\$\{!PasswordVariable-\}/, /^if not defined %PasswordVariable% goto :no_password/],
      operationCheck: [/Operation is empty/, /^if not defined Operation goto :no_operation/],
      modelCheck: [/^NeedsModel=no/, /^if not defined CheckOnly if not defined WorkspaceId goto :no_model/],
      run: [/^run_anaplan_connect\(\) \{/, /^>>"%LogFile%" 2>&1 call :run_anaplan_connect/],
    };
    const sections = SCRIPT_LAYOUT.flat().filter((section) => section in landmarks);
    expect(sections).toEqual(Object.keys(landmarks));
    for (const [dialect, lines] of [[0, sh], [1, bat]] as const) {
      const at = sections.map((section) => lines.findIndex((line) => (landmarks[section] as [RegExp, RegExp])[dialect].test(line)));
      expect(at.every((index) => index >= 0), `${dialect}: ${JSON.stringify(at)}`).toBe(true);
      expect(at).toEqual([...at].sort((a, b) => a - b));
    }
  });
});
