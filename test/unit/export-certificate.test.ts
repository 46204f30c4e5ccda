import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import {
  anaplanConnectExportWarnings,
  buildAnaplanConnectFiles,
  type CertificateExportRequest,
} from '../../main/export/index.js';
import {
  CONNECTION_ARGS,
  HOSTILE_OPERATION,
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

type Credentials = CertificateExportRequest['credentials'];
type KeystoreCredentials = Extract<Credentials, { form: 'keystore' }>;
type PemCredentials = Extract<Credentials, { form: 'pem' }>;

const KEYSTORE: KeystoreCredentials = { form: 'keystore', keystorePath: '/srv/keys/anaplan.p12', alias: 'anaplan-connect', keystorePassword: { source: 'file' } };
const PEM: PemCredentials = {
  form: 'pem',
  certificatePath: '/srv/keys/certificate.pem',
  privateKeyPath: '/srv/keys/private-key.pem',
  keyPassphrase: { source: 'none' },
};

/** Every form and secret source the export offers. */
const CASES: Array<[string, Credentials]> = [
  ['keystore, password from keystore-access.txt', KEYSTORE],
  ['keystore, password inline', { ...KEYSTORE, keystorePassword: { source: 'inline', value: 'Store-Secret-7%' } }],
  ['pem, key not encrypted', PEM],
  ['pem, passphrase from env', { ...PEM, keyPassphrase: { source: 'env', envVar: 'ANAPLAN_KEY_PASSPHRASE' } }],
  ['pem, passphrase inline', { ...PEM, keyPassphrase: { source: 'inline', value: 'Key-Secret-9%' } }],
];

function isInline(credentials: Credentials): boolean {
  return credentials.form === 'keystore' ? credentials.keystorePassword.source === 'inline' : credentials.keyPassphrase.source === 'inline';
}

function certInput(credentials: Credentials, overrides: Partial<CertificateExportRequest> = {}): CertificateExportRequest {
  return {
    method: 'certificate',
    user: 'integration.user@example.com',
    certificateNotAfter: '2027-05-31',
    credentials,
    ...sharedFields(),
    ...overrides,
  };
}

// Paths and secrets a hostile or unlucky user might enter (Linux only: " and ! are refused for the .bat).
const HOSTILE_DIR_NAME = `keys 'q' "dq" $(touch pwned) \`touch pwned\` $HOME !x *`;
const HOSTILE_KEYSTORE_PASSWORD = `st'o"re: $(touch pwned) \`touch pwned\` $HOME !* \\ %PATH% ^`;
// Anything but ":" (which Anaplan Connect's split at the last ":" would cut).
const HOSTILE_PASSPHRASE = `pa ss'w"o $(touch pwned) \`touch pwned\` $HOME !* \\ %PATH% ^`;

function hostileCredentials(credentials: Credentials, dir: string): Credentials {
  if (credentials.form === 'keystore') {
    return {
      ...credentials,
      keystorePath: join(dir, 'anaplan $(touch pwned).p12'),
      // The job's HOME (setUpJob's <tmp>/home) is where keystore-access.txt was written: JobHome.
      keystorePassword: credentials.keystorePassword.source === 'inline' ? { source: 'inline', value: HOSTILE_KEYSTORE_PASSWORD } : { source: 'file', jobHome: join(dirname(dir), 'home') },
    };
  }
  return {
    ...credentials,
    certificatePath: join(dir, "it's `touch pwned`.pem"),
    // A ":" in the path is fine: Anaplan Connect splits at the last ":", which the script adds.
    privateKeyPath: join(dir, 'key:v2 $(touch pwned).pem'),
    keyPassphrase: credentials.keyPassphrase.source === 'inline' ? { source: 'inline', value: HOSTILE_PASSPHRASE } : credentials.keyPassphrase,
  };
}

const isRoot = process.getuid?.() === 0;

let tmp: string;
useTempDir('export-certificate-', (dir) => (tmp = dir));

describe('generated files', () => {
  const writeSh = (input: CertificateExportRequest) => writeShIn(tmp, input);

  const hostileInput = (credentials: Credentials) =>
    certInput(hostileCredentials(credentials, join('/srv', HOSTILE_DIR_NAME)), { platforms: ['linux'], operation: HOSTILE_OPERATION });

  itPassesShellChecks(CASES, writeSh, { ordinary: (credentials) => certInput(credentials), hostile: hostileInput });

  it.each(CASES)('%s: line ends, modes and file set', (_label, credentials) => {
    const files = buildAnaplanConnectFiles(certInput(credentials));
    const { sh, bat } = expectScriptsAndReadme(files);
    const secret = isInline(credentials);
    expect(sh.mode).toBe(secret ? 0o700 : 0o755);
    expect(bat.mode).toBe(secret ? 0o600 : 0o644);
    const readme = fileNamed(files, 'README.md');
    expect(readme.mode).toBe(0o644);
    expect(readme.content).not.toContain('\r');
  });

  it('writes a secret only into the scripts, and only when the user chose inline', () => {
    const sentinel = 'Sentinel-Secret-4b7e';
    for (const [label, credentials] of CASES) {
      const chosen: Credentials =
        credentials.form === 'keystore'
          ? credentials.keystorePassword.source === 'inline'
            ? { ...credentials, keystorePassword: { source: 'inline', value: sentinel } }
            : credentials
          : credentials.keyPassphrase.source === 'inline'
            ? { ...credentials, keyPassphrase: { source: 'inline', value: sentinel } }
            : credentials;
      const files = buildAnaplanConnectFiles(certInput(chosen));
      for (const file of files) {
        const expected = isInline(chosen) && file.name !== 'README.md';
        expect({ label, file: file.name, holds: file.content.includes(sentinel) }).toEqual({ label, file: file.name, holds: expected });
      }
      expect(anaplanConnectExportWarnings(certInput(chosen)).join('\n')).not.toContain(sentinel);
      const sh = fileNamed(files, 'anaplan-connect.sh').content;
      const [settings] = sh.split('#________________ Do not edit below this line ________________\n');
      if (!isInline(chosen)) expect(settings).not.toMatch(/^(KeystorePassword|KeyPassphrase)=/m);
      // The keystore password travels on the command line only when it was chosen inline.
      if (chosen.form === 'keystore') expect(sh.includes('-keystorepass')).toBe(isInline(chosen));
    }
  });

  it('puts the settings above the marker, in both dialects', () => {
    const settingsOf = (credentials: Credentials) => {
      const files = buildAnaplanConnectFiles(certInput(credentials));
      const [sh] = fileNamed(files, 'anaplan-connect.sh').content.split('#________________ Do not edit below this line ________________\n');
      const [bat] = fileNamed(files, 'anaplan-connect.bat').content.split('rem ___ Do not edit below this line ___\r\n');
      return { sh: sh?.split('\n') ?? [], bat: bat?.split('\r\n') ?? [] };
    };
    const keystore = settingsOf({ ...KEYSTORE, keystorePassword: { source: 'inline', value: "it's 100%" } });
    expect(keystore.sh).toEqual(expect.arrayContaining(["KeystoreFile='/srv/keys/anaplan.p12'", "KeystoreAlias='anaplan-connect'", "KeystorePassword='it'\\''s 100%'"]));
    expect(keystore.bat).toEqual(
      expect.arrayContaining(['set "KeystoreFile=/srv/keys/anaplan.p12"', 'set "KeystoreAlias=anaplan-connect"', `set "KeystorePassword=it's 100%%"`]),
    );
    const pem = settingsOf({ ...PEM, keyPassphrase: { source: 'env' } as PemCredentials['keyPassphrase'] });
    expect(pem.sh).toEqual(
      expect.arrayContaining(["CertificateFile='/srv/keys/certificate.pem'", "PrivateKeyFile='/srv/keys/private-key.pem'", "KeyPassphraseVariable='ANAPLAN_KEY_PASSPHRASE'"]),
    );
    expect(pem.bat).toEqual(expect.arrayContaining(['set "KeyPassphraseVariable=ANAPLAN_KEY_PASSPHRASE"']));
  });

  it('.sh: the credentials come first on the AnaplanClient.sh line, with the trailing colon for a key that is not encrypted', () => {
    const callOf = (credentials: Credentials) =>
      fileNamed(buildAnaplanConnectFiles(certInput(credentials)), 'anaplan-connect.sh')
        .content.split('\n')
        .map((line) => line.trim())
        .filter((line) => line.startsWith('./AnaplanClient.sh '));
    const tail = '"${Connection[@]}" "$@"';
    const [keystoreFile, keystoreInline, pemNone, pemEnv, pemInline] = CASES.map(([, credentials]) => callOf(credentials));
    expect(keystoreFile).toEqual([`./AnaplanClient.sh -keystore "$KeystoreFile" -keystorealias "$KeystoreAlias" ${tail}`]);
    expect(keystoreInline).toEqual([`./AnaplanClient.sh -keystore "$KeystoreFile" -keystorealias "$KeystoreAlias" -keystorepass "$KeystorePassword" ${tail}`]);
    expect(pemNone).toEqual([`./AnaplanClient.sh -certificate "$CertificateFile" -privatekey "$PrivateKeyFile:" ${tail}`]);
    expect(pemEnv).toEqual([`./AnaplanClient.sh -certificate "$CertificateFile" -privatekey "$PrivateKeyFile:$KeyPassphrase" ${tail}`]);
    expect(pemInline).toEqual(pemEnv);
  });

  it('headers name the method, the registration and the expiry date', () => {
    const files = buildAnaplanConnectFiles(certInput(PEM));
    const sh = fileNamed(files, 'anaplan-connect.sh').content;
    const bat = fileNamed(files, 'anaplan-connect.bat').content;
    expect(sh).toContain('# Anaplan Connect job: Certificate authentication (certificate and private key files).\n');
    expect(sh).toContain('# The certificate expires on 2027-05-31: renew it before then (see README.md).\n');
    expect(bat).toContain('rem The certificate expires on 2027-05-31: renew it before then (see README.md).\r\n');
    expect(sh).toMatch(/# The certificate must be registered in Anaplan by a Tenant Administrator/);
    const keystoreSh = fileNamed(buildAnaplanConnectFiles(certInput(KEYSTORE, { certificateNotAfter: undefined })), 'anaplan-connect.sh').content;
    expect(keystoreSh).toContain('# Anaplan Connect job: Certificate authentication (keystore).\n');
    expect(keystoreSh).not.toContain('expires');
  });
});

describe('.bat (no Windows here: the text is checked, and cmd.exe and Java are imitated)', () => {
  const WINDOWS_KEYSTORE: KeystoreCredentials = { ...KEYSTORE, keystorePath: 'C:\\keys\\anaplan 100%.p12' };
  const WINDOWS_PEM: PemCredentials = { ...PEM, certificatePath: 'C:\\keys\\certificate.pem', privateKeyPath: 'C:\\keys\\private key.pem' };
  const TAIL = '-service "%%ServiceUrl%%" -auth "%%AuthUrl%%" %%WorkspaceOption%% %%ModelOption%% %%Operation%%';

  function batOf(credentials: Credentials, operation = ['-W']): string[] {
    return fileNamed(buildAnaplanConnectFiles(certInput(credentials, { platforms: ['windows'], operation })), 'anaplan-connect.bat').content.split('\r\n');
  }
  const callLines = (lines: string[]) => lines.filter((line) => line.startsWith('call '));

  it('writes the call line with every auth and connection option before the Operation', () => {
    expect(callLines(batOf(WINDOWS_KEYSTORE))).toEqual([`call .\\AnaplanClient.bat -keystore "%%KeystoreFile%%" -keystorealias "%%KeystoreAlias%%" ${TAIL}`]);
    expect(callLines(batOf({ ...WINDOWS_KEYSTORE, keystorePassword: { source: 'inline', value: 'x' } }))).toEqual([
      `call .\\AnaplanClient.bat -keystore "%%KeystoreFile%%" -keystorealias "%%KeystoreAlias%%" -keystorepass "%%KeystorePassword%%" ${TAIL}`,
    ]);
    expect(callLines(batOf(WINDOWS_PEM))).toEqual([`call .\\AnaplanClient.bat -certificate "%%CertificateFile%%" -privatekey "%%PrivateKeyFile%%:" ${TAIL}`]);
    expect(callLines(batOf({ ...WINDOWS_PEM, keyPassphrase: { source: 'env', envVar: 'MY_KEY_PW' } }))).toEqual([
      `call .\\AnaplanClient.bat -certificate "%%CertificateFile%%" -privatekey "%%PrivateKeyFile%%:%%%KeyPassphraseVariable%%%" ${TAIL}`,
    ]);
    expect(callLines(batOf({ ...WINDOWS_PEM, keyPassphrase: { source: 'inline', value: 'x' } }))).toEqual([
      `call .\\AnaplanClient.bat -certificate "%%CertificateFile%%" -privatekey "%%PrivateKeyFile%%:%%KeyPassphrase%%" ${TAIL}`,
    ]);
  });

  it('keeps Windows paths with a drive colon as they are in the settings', () => {
    const pem = batOf({ ...WINDOWS_PEM, keyPassphrase: { source: 'inline', value: 'Key-Secret-9%' } });
    expect(pem).toContain('set "CertificateFile=C:\\keys\\certificate.pem"');
    expect(pem).toContain('set "PrivateKeyFile=C:\\keys\\private key.pem"');
    expect(pem).toContain('set "KeyPassphrase=Key-Secret-9%%"');
    expect(batOf(WINDOWS_KEYSTORE)).toContain('set "KeystoreFile=C:\\keys\\anaplan 100%%.p12"');
  });

  it('checks the files, keystore-access.txt under %USERPROFILE% and the passphrase variable, exit code 2', () => {
    const keystore = batOf(WINDOWS_KEYSTORE);
    expect(keystore).toContain('if not exist "%KeystoreFile%" goto :no_keystore');
    expect(keystore).toContain('if not exist "%USERPROFILE%\\.anaplan\\api-client\\keystore-access.txt" goto :no_keystore_access');
    const message = keystore[keystore.indexOf(':no_keystore_access') + 1];
    expect(message).toMatch(/^>&2 echo ERROR: "%USERPROFILE%\\\.anaplan\\api-client\\keystore-access\.txt" was not found\. Anaplan Connect reads the keystore password from that file/);
    expect(message).toMatch(/--keystore-password-file/);
    expect(keystore[keystore.indexOf(':no_keystore_access') + 2]).toBe('exit /b 2');
    expect(batOf({ ...WINDOWS_KEYSTORE, keystorePassword: { source: 'inline', value: 'x' } }).join('\n')).not.toContain('keystore-access.txt" goto');

    const pem = batOf({ ...WINDOWS_PEM, keyPassphrase: { source: 'env' } as PemCredentials['keyPassphrase'] });
    for (const line of [
      'if not exist "%CertificateFile%" goto :no_certificate',
      'if not exist "%PrivateKeyFile%" goto :no_private_key',
      'if not defined KeyPassphraseVariable goto :no_passphrase',
      'if not defined %KeyPassphraseVariable% goto :no_passphrase',
    ]) {
      expect(pem).toContain(line);
    }
    for (const label of [':no_certificate', ':no_private_key', ':no_passphrase']) {
      expect(pem[pem.indexOf(label) + 1], label).toMatch(/^>&2 echo ERROR: /);
      expect(pem[pem.indexOf(label) + 2], label).toBe('exit /b 2');
    }
    // The checks run before the call, and none of them is a parenthesised block.
    const call = pem.findIndex((line) => line.startsWith('call '));
    expect(pem.findIndex((line) => line.startsWith('if not exist "%PrivateKeyFile%"'))).toBeLessThan(call);
    expect(pem.filter((line) => /^if .*\($/.test(line))).toEqual([]);
  });

  it.each<[string, PemCredentials['keyPassphrase'], Record<string, string>, string]>([
    ['none', { source: 'none' }, {}, ''],
    ['env', { source: 'env', envVar: 'ANAPLAN_KEY_PASSPHRASE' }, { ANAPLAN_KEY_PASSPHRASE: 's3cret 50% ^&' }, 's3cret 50% ^&'],
    ['inline', { source: 'inline', value: 'Key-Secret 9% ^&' }, {}, 'Key-Secret 9% ^&'],
  ])('passphrase %s: cmd.exe and Java would read C:\\keys\\private key.pem and the passphrase', (_label, keyPassphrase, environment, passphrase) => {
    const lines = batOf({ ...WINDOWS_PEM, keyPassphrase }, ['-process', 'Nightly Load', '-execute']);
    const args = imitateCall(lines, environment);
    const privateKey = args[args.indexOf('-privatekey') + 1] ?? '';
    expect(privateKey).toBe(`C:\\keys\\private key.pem:${passphrase}`);
    // anaplan-facts §5: Anaplan Connect splits -privatekey at the LAST ":".
    const colon = privateKey.lastIndexOf(':');
    expect([privateKey.slice(0, colon), privateKey.slice(colon + 1)]).toEqual(['C:\\keys\\private key.pem', passphrase]);
    expect(args).toEqual(['-certificate', 'C:\\keys\\certificate.pem', '-privatekey', privateKey, ...CONNECTION_ARGS, '-process', 'Nightly Load', '-execute']);
  });

  it('keystore: cmd.exe and Java would read the keystore options before the Operation', () => {
    const lines = batOf({ ...WINDOWS_KEYSTORE, keystorePassword: { source: 'inline', value: 'st:ore 100% ^' } }, ['-W']);
    expect(imitateCall(lines, {})).toEqual([
      '-keystore',
      'C:\\keys\\anaplan 100%.p12',
      '-keystorealias',
      'anaplan-connect',
      '-keystorepass',
      'st:ore 100% ^',
      ...CONNECTION_ARGS,
      '-W',
    ]);
  });
});

/**
 * An imitation, for the simple values above, of what the .bat hands to Java: cmd.exe's percent
 * expansion of each line of a batch file (%% -> %, %name% -> value or nothing), run twice on the
 * call line (once when the line is read, once more by CALL), then the C runtime's splitting of
 * the java command line. AnaplanClient.bat's own `set args=%*` / `!args!` relay is not imitated.
 */
function imitateCall(lines: string[], environment: Record<string, string>): string[] {
  const variables = new Map(Object.entries(environment).map(([name, value]) => [name.toUpperCase(), value]));
  // One pass, left to right: %% is %, %name% its value (nothing when undefined); results are not expanded again.
  const expandOnce = (line: string) => {
    let out = '';
    let rest = line;
    while (rest.length > 0) {
      const match = /%([^%]*)%/.exec(rest);
      if (!match) return out + rest;
      out += rest.slice(0, match.index) + (match[1] === '' ? '%' : (variables.get((match[1] ?? '').toUpperCase()) ?? ''));
      rest = rest.slice(match.index + match[0].length);
    }
    return out;
  };
  let call = '';
  for (const line of lines) {
    let match: RegExpExecArray | null;
    if ((match = /^set "(\w+)=(.*)"$/.exec(line)) || (match = /^set (\w+)=(.*)$/.exec(line))) {
      variables.set((match[1] ?? '').toUpperCase(), expandOnce(match[2] ?? ''));
    } else if ((match = /^if defined (\w+) set (\w+)=(.*)$/.exec(line))) {
      if (variables.get((match[1] ?? '').toUpperCase())) variables.set((match[2] ?? '').toUpperCase(), expandOnce(match[3] ?? ''));
    } else if (line.startsWith('call ')) {
      call = expandOnce(expandOnce(line));
    }
  }
  const words = splitCommandLine(call);
  expect(words.slice(0, 2)).toEqual(['call', '.\\AnaplanClient.bat']);
  return words.slice(2);
}

/** The Microsoft C runtime's rules: whitespace separates, "..." groups, 2n backslashes + " are n backslashes. */
function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '\\') {
      let run = 0;
      while (line[i + run] === '\\') run++;
      if (line[i + run] === '"') {
        word += '\\'.repeat(Math.floor(run / 2));
        if (run % 2 === 1) word += '"';
        else quoted = !quoted;
      } else {
        word += '\\'.repeat(run);
      }
      inWord = true;
      i += run - (line[i + run] === '"' ? 0 : 1);
    } else if (char === '"') {
      quoted = !quoted;
      inWord = true;
    } else if ((char === ' ' || char === '\t') && !quoted) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

describe('validation', () => {
  it('fills the default passphrase variable and trims the alias', () => {
    const files = buildAnaplanConnectFiles(
      certInput({ ...PEM, keyPassphrase: { source: 'env' } as PemCredentials['keyPassphrase'] }),
    );
    expect(fileNamed(files, 'anaplan-connect.sh').content).toContain("\nKeyPassphraseVariable='ANAPLAN_KEY_PASSPHRASE'\n");
    const keystore = buildAnaplanConnectFiles(certInput({ ...KEYSTORE, alias: '  anaplan-connect ' }));
    expect(fileNamed(keystore, 'anaplan-connect.sh').content).toContain("\nKeystoreAlias='anaplan-connect'\n");
  });

  it('refuses a passphrase containing ":", naming the reason, whatever the platform', () => {
    for (const platforms of [['linux'], ['windows'], ['linux', 'windows']] as const) {
      const input = certInput({ ...PEM, keyPassphrase: { source: 'inline', value: 'pass:word' } }, { platforms: [...platforms] });
      expectBadInput(() => buildAnaplanConnectFiles(input), /key passphrase: The key passphrase contains ":"/, /splits -privatekey <file>:<passphrase> at the last ":"/, /nothing was generated/i);
    }
  });

  it.each<[string, Credentials, Partial<CertificateExportRequest>, RegExp]>([
    ['an empty inline passphrase', { ...PEM, keyPassphrase: { source: 'inline', value: '' } }, {}, /key passphrase: .*empty.*"none"/],
    ['a bad passphrase variable name', { ...PEM, keyPassphrase: { source: 'env', envVar: '1-PASS' } }, {}, /key passphrase environment variable: /],
    ['an unknown passphrase source', { ...PEM, keyPassphrase: { source: 'prompt' } as unknown as PemCredentials['keyPassphrase'] }, {}, /key passphrase source: .*"none"/],
    ['an empty inline keystore password', { ...KEYSTORE, keystorePassword: { source: 'inline', value: '' } }, {}, /keystore password: .*empty/],
    ['the keystore password "?"', { ...KEYSTORE, keystorePassword: { source: 'inline', value: '?' } }, {}, /keystore password: .*"\?"/],
    ['an uppercase alias', { ...KEYSTORE, alias: 'Anaplan-Connect' }, {}, /key alias: .*lowercase/],
    ['an alias with a space', { ...KEYSTORE, alias: 'my key' }, {}, /key alias: /],
    ['an empty alias', { ...KEYSTORE, alias: '' }, {}, /key alias: .*empty/],
    ['an empty keystore path', { ...KEYSTORE, keystorePath: '   ' }, {}, /keystore file: .*empty/],
    ['a line break in the certificate path', { ...PEM, certificatePath: '/srv/a\n# injected' }, {}, /certificate file: .*control characters/],
    ['a NUL in the private key path', { ...PEM, privateKeyPath: '/srv/a\u0000b' }, {}, /private key file: .*control characters/],
    ['a path starting with ~/', { ...PEM, privateKeyPath: '~/keys/private-key.pem' }, {}, /private key file: .*"~"/],
    ['an unknown form', { form: 'pkcs11' } as unknown as Credentials, {}, /certificate form: .*"keystore".*"pem"/],
    ['a date that does not exist', PEM, { certificateNotAfter: '2027-02-30' }, /certificate expiry date: .*ISO date/],
    ['a date in another format', PEM, { certificateNotAfter: '31/05/2027' }, /certificate expiry date: /],
    ['a user that is not an email', PEM, { user: 'not-an-email' }, /user: .*email/],
  ])('refuses %s with a message naming the field', (_label, credentials, overrides, message) => {
    expectBadInput(() => buildAnaplanConnectFiles(certInput(credentials, overrides)), message, /nothing was generated/i);
  });

  it('accepts no user, no expiry date, and a full ISO date-time', () => {
    expect(() => buildAnaplanConnectFiles(certInput(PEM, { user: undefined, certificateNotAfter: undefined }))).not.toThrow();
    expect(() => buildAnaplanConnectFiles(certInput(PEM, { user: '', certificateNotAfter: '' }))).not.toThrow();
    const readme = fileNamed(buildAnaplanConnectFiles(certInput(PEM, { certificateNotAfter: '2027-05-31T23:59:59Z' })), 'README.md').content;
    expect(readme).toContain('| Certificate expires | 2027-05-31 |');
  });

  it.each<[string, Credentials, RegExp]>([
    ['a double quote in a path', { ...PEM, certificatePath: '/srv/"q"/certificate.pem' }, /^The certificate file contains a double quote/],
    ['a "!" in the keystore path', { ...KEYSTORE, keystorePath: 'C:\\keys\\wow!.p12' }, /^The keystore file contains "!"/],
    ['a trailing backslash in a path', { ...KEYSTORE, keystorePath: 'C:\\keys\\' }, /^The keystore file ends with a backslash/],
    ['a "!" in the inline passphrase', { ...PEM, keyPassphrase: { source: 'inline', value: 'wow!' } }, /^The key passphrase contains "!"/],
    ['a double quote in the keystore password', { ...KEYSTORE, keystorePassword: { source: 'inline', value: 'say "hi"' } }, /^The keystore password contains a double quote/],
  ])('refuses, for the .bat only, %s', (_label, credentials, message) => {
    expectBadInput(() => buildAnaplanConnectFiles(certInput(credentials)), message, /generate the Linux script only/);
    expect(() => buildAnaplanConnectFiles(certInput(credentials, { platforms: ['linux'] }))).not.toThrow();
  });
});

describe('warnings and README', () => {
  const warningsFor = (credentials: Credentials, overrides: Partial<CertificateExportRequest> = {}) =>
    anaplanConnectExportWarnings(certInput(credentials, overrides)).join('\n');
  const readmeFor = (credentials: Credentials, overrides: Partial<CertificateExportRequest> = {}) =>
    fileNamed(buildAnaplanConnectFiles(certInput(credentials, overrides)), 'README.md').content;

  it.each(CASES)('%s: warns about the process list only when a secret is on the command line', (_label, credentials) => {
    const onCommandLine = credentials.form === 'keystore' ? credentials.keystorePassword.source === 'inline' : credentials.keyPassphrase.source !== 'none';
    const warnings = warningsFor(credentials);
    expect(/can list processes on this machine/.test(warnings)).toBe(onCommandLine);
    if (onCommandLine) expect(warnings).toMatch(credentials.form === 'keystore' ? /-keystorepass/ : /-privatekey <file>:<passphrase>/);
    if (isInline(credentials)) expect(warnings).toMatch(/clear text/);
  });

  it.each(CASES)('%s: registration by a Tenant Administrator, leaf certificate only', (_label, credentials) => {
    expect(warningsFor(credentials)).toMatch(/Tenant Administrator .*\(Administration › Security › Certificates\).*leaf certificate only.*"email should not be blank \[null\]"/s);
    const readme = readmeFor(credentials);
    expect(readme).toContain('Administration › Security › Certificates');
    expect(readme).toContain('"email should not be blank [null]"');
    expect(readme).toContain('of `integration.user@example.com`');
  });

  it('keystore-access.txt: where it must be, for which account, and how to create it', () => {
    const warnings = warningsFor(KEYSTORE);
    expect(warnings).toMatch(/\.anaplan\/api-client\/keystore-access\.txt in the home folder of the account that runs the job/);
    expect(warnings).toMatch(/cron and Task Scheduler run the job as that account/);
    expect(warnings).toMatch(/only obfuscated/);
    const readme = readmeFor(KEYSTORE);
    for (const fragment of [
      '`~/.anaplan/api-client/keystore-access.txt` on Linux',
      '`%USERPROFILE%\\.anaplan\\api-client\\keystore-access.txt` on Windows',
      '`anaplan-setup export … --keystore-password-file`',
      'copy the keystore-access.txt the assistant wrote',
      '| Keystore password | read by Anaplan Connect from `~/.anaplan/api-client/keystore-access.txt`',
      '| Keystore (`-keystore`) | `/srv/keys/anaplan.p12` |',
      '| Key alias (`-keystorealias`) | `anaplan-connect` |',
      'the key\'s own password must be the same',
    ]) {
      expect(readme).toContain(fragment);
    }
    const linuxOnly = warningsFor(KEYSTORE, { platforms: ['linux'] });
    expect(linuxOnly).not.toMatch(/USERPROFILE|Task Scheduler/);
  });

  it('PEM: the key format, the passphrase rules and the last-colon split', () => {
    const readme = readmeFor({ ...PEM, keyPassphrase: { source: 'env', envVar: 'MY_KEY_PW' } });
    for (const fragment of [
      '| Certificate file (`-certificate`) | `/srv/keys/certificate.pem` |',
      '| Private key file (`-privatekey`) | `/srv/keys/private-key.pem` |',
      '| Key passphrase | read from the environment variable `MY_KEY_PW` when the job runs (not stored in the scripts) |',
      '`BEGIN RSA PRIVATE KEY`',
      'read -rs MY_KEY_PW && export MY_KEY_PW',
      'setx MY_KEY_PW "<passphrase>"',
      'splits it at the last `:`',
      '`C:\\keys\\key.pem`',
    ]) {
      expect(readme).toContain(fragment);
    }
    const warnings = warningsFor({ ...PEM, keyPassphrase: { source: 'env', envVar: 'MY_KEY_PW' } });
    expect(warnings).toMatch(/The passphrase in MY_KEY_PW must not contain ":"/);
    expect(warnings).toMatch(/On Windows, the key passphrase in MY_KEY_PW must not contain " or !/);
    expect(readmeFor(PEM)).toContain('| Key passphrase | none: the key is not encrypted |');
    expect(warningsFor(PEM)).toMatch(/The private key is not encrypted/);
  });

  it('the expiry date: when given, when past, when unknown', () => {
    expect(warningsFor(PEM)).toMatch(/The certificate expires on 2027-05-31 \(in 395 days\).*Renew it before then\. The assistant can make a new certificate signing request \(CSR\) with the same subject/s);
    expect(warningsFor(PEM, { certificateNotAfter: '2026-05-01' })).toMatch(/expires on 2026-05-01 \(today\)/);
    expect(warningsFor(PEM, { certificateNotAfter: '2026-04-30' })).toMatch(/The certificate expired on 2026-04-30: Anaplan refuses it/);
    expect(warningsFor(PEM, { certificateNotAfter: undefined })).toMatch(/Certificates expire/);
    expect(readmeFor(PEM)).toContain('| Certificate expires | 2027-05-31 |');
    expect(readmeFor(PEM, { certificateNotAfter: undefined })).not.toContain('| Certificate expires');
    expect(readmeFor(PEM, { user: undefined })).not.toContain('| Certificate user');
  });
});

describe('running the generated .sh against a stand-in AnaplanClient.sh', () => {
  const AUTH_OPTIONS = ['-keystore', '-keystorealias', '-keystorepass', '-certificate', '-privatekey', '-service', '-auth', '-workspace_id', '-model_id'];

  /** Real files at hostile paths for the credentials, and keystore-access.txt in the job's HOME unless told otherwise. */
  async function credentialFiles(credentials: Credentials, job: Job, options: { keystoreAccess?: boolean } = {}): Promise<void> {
    if (credentials.form === 'keystore') {
      await writeFile(credentials.keystorePath, 'not really a keystore');
      if (options.keystoreAccess !== false) {
        await mkdir(join(job.home, '.anaplan', 'api-client'), { recursive: true });
        await writeFile(join(job.home, '.anaplan', 'api-client', 'keystore-access.txt'), 'obfuscated\n', { mode: 0o600 });
      }
    } else {
      await writeFile(credentials.certificatePath, '-----BEGIN CERTIFICATE-----\n');
      await writeFile(credentials.privateKeyPath, '-----BEGIN PRIVATE KEY-----\n', { mode: 0o600 });
    }
  }

  async function hostileJob(credentials: Credentials, options: { keystoreAccess?: boolean; files?: boolean } = {}) {
    const dir = join(tmp, HOSTILE_DIR_NAME);
    await mkdir(dir);
    const hostile = hostileCredentials(credentials, dir);
    const job = await setUpJob(tmp, certInput(hostile, { operation: HOSTILE_OPERATION }));
    if (options.files !== false) await credentialFiles(hostile, job, options);
    return { job, credentials: hostile };
  }

  async function expectRunsWith(job: Job, expected: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    const result = job.run(extraEnv);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const argv = await job.argv();
    expect(argv).toEqual([...expected, ...CONNECTION_ARGS, ...HOSTILE_OPERATION]);
    expectOptionsBeforeOperation(argv, HOSTILE_OPERATION, AUTH_OPTIONS);
    expect(await job.cwd()).toBe(job.folder);
    await expectNothingExecuted(tmp);
  }

  it('keystore, keystore-access.txt: -keystore and -keystorealias only, hostile path byte for byte', async () => {
    const { job, credentials } = await hostileJob(KEYSTORE);
    const { keystorePath } = credentials as KeystoreCredentials;
    await expectRunsWith(job, ['-keystore', keystorePath, '-keystorealias', 'anaplan-connect']);
  });

  it('keystore, inline password: -keystorepass carries it byte for byte, and keystore-access.txt is not needed', async () => {
    const { job, credentials } = await hostileJob({ ...KEYSTORE, keystorePassword: { source: 'inline', value: 'x' } }, { keystoreAccess: false });
    const { keystorePath } = credentials as KeystoreCredentials;
    await expectRunsWith(job, ['-keystore', keystorePath, '-keystorealias', 'anaplan-connect', '-keystorepass', HOSTILE_KEYSTORE_PASSWORD]);
  });

  it('pem, key not encrypted: the trailing colon, even with a ":" in the path', async () => {
    const { job, credentials } = await hostileJob(PEM);
    const { certificatePath, privateKeyPath } = credentials as PemCredentials;
    expect(privateKeyPath).toContain(':');
    await expectRunsWith(job, ['-certificate', certificatePath, '-privatekey', `${privateKeyPath}:`]);
  });

  it('pem, passphrase from env: path:passphrase, and the passphrase is in no file', async () => {
    const { job, credentials } = await hostileJob({ ...PEM, keyPassphrase: { source: 'env', envVar: 'ANAPLAN_KEY_PASSPHRASE' } });
    const { certificatePath, privateKeyPath } = credentials as PemCredentials;
    await expectRunsWith(job, ['-certificate', certificatePath, '-privatekey', `${privateKeyPath}:${HOSTILE_PASSPHRASE}`], { ANAPLAN_KEY_PASSPHRASE: HOSTILE_PASSPHRASE });
    for (const name of await readdir(job.folder)) {
      expect(await readFile(join(job.folder, name), 'utf8'), name).not.toContain(HOSTILE_PASSPHRASE);
    }
  });

  it('pem, passphrase inline: path:passphrase byte for byte', async () => {
    const { job, credentials } = await hostileJob({ ...PEM, keyPassphrase: { source: 'inline', value: 'x' } });
    const { certificatePath, privateKeyPath } = credentials as PemCredentials;
    await expectRunsWith(job, ['-certificate', certificatePath, '-privatekey', `${privateKeyPath}:${HOSTILE_PASSPHRASE}`]);
  });

  it('pem, env: reads a custom variable name, started through a relative path', async () => {
    const credentials: PemCredentials = {
      ...PEM,
      certificatePath: join(tmp, 'certificate.pem'),
      privateKeyPath: join(tmp, 'private-key.pem'),
      keyPassphrase: { source: 'env', envVar: 'MY_KEY_PW' },
    };
    const job = await setUpJob(tmp, certInput(credentials, { operation: ['-W'] }));
    await credentialFiles(credentials, job);
    const result = job.run({ MY_KEY_PW: 'secret' }, 'relative');
    expect(result.status).toBe(0);
    expect(await job.argv()).toEqual(['-certificate', credentials.certificatePath, '-privatekey', `${credentials.privateKeyPath}:secret`, ...CONNECTION_ARGS, '-W']);
  });

  it('keystore: missing keystore-access.txt in HOME, exit 2 with where and how', async () => {
    const { job } = await hostileJob(KEYSTORE, { keystoreAccess: false });
    const result = job.run();
    expect(result.status).toBe(2);
    const expectedPath = join(job.home, '.anaplan/api-client/keystore-access.txt');
    expect(result.stderr).toContain(`ERROR: "${expectedPath}" was not found. Anaplan Connect reads the keystore password from that file, in the home folder of the account that runs this job`);
    expect(result.stderr).toMatch(/anaplan-setup export \.\.\. --keystore-password-file/);
    expect(result.stderr).toMatch(/copy the keystore-access\.txt the assistant wrote/);
    await expect(job.argv()).rejects.toThrow();
  });

  it.skipIf(isRoot)('keystore: unreadable keystore-access.txt, exit 2', async () => {
    const { job } = await hostileJob(KEYSTORE);
    await chmod(join(job.home, '.anaplan/api-client/keystore-access.txt'), 0o000);
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/keystore-access\.txt" cannot be read/);
  });

  it('keystore: missing keystore file, exit 2 naming it', async () => {
    const { job, credentials } = await hostileJob(KEYSTORE, { files: false });
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ERROR: the keystore file "${(credentials as KeystoreCredentials).keystorePath}" was not found.`);
    await expect(job.argv()).rejects.toThrow();
  });

  it('pem: missing certificate or key file, exit 2 naming it', async () => {
    const { job, credentials } = await hostileJob(PEM);
    const { certificatePath, privateKeyPath } = credentials as PemCredentials;
    await rm(privateKeyPath);
    let result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ERROR: the private key file "${privateKeyPath}" was not found.`);
    await rm(certificatePath);
    result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`ERROR: the certificate file "${certificatePath}" was not found.`);
    await expect(job.argv()).rejects.toThrow();
  });

  it.skipIf(isRoot)('pem: unreadable key file, exit 2', async () => {
    const { job, credentials } = await hostileJob(PEM);
    await chmod((credentials as PemCredentials).privateKeyPath, 0o000);
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/the private key file ".*" cannot be read/);
  });

  it('pem, env: missing or empty variable, exit 2 naming it', async () => {
    const { job } = await hostileJob({ ...PEM, keyPassphrase: { source: 'env', envVar: 'ANAPLAN_KEY_PASSPHRASE' } });
    for (const extra of [{}, { ANAPLAN_KEY_PASSPHRASE: '' }]) {
      const result = job.run(extra);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^ERROR: the environment variable ANAPLAN_KEY_PASSPHRASE is not set or is empty, so there is no passphrase for the private key/);
    }
    await expect(job.argv()).rejects.toThrow();
  });

  it('pem, env: a passphrase with ":" stops the job, exit 2', async () => {
    const { job } = await hostileJob({ ...PEM, keyPassphrase: { source: 'env', envVar: 'ANAPLAN_KEY_PASSPHRASE' } });
    const result = job.run({ ANAPLAN_KEY_PASSPHRASE: 'pass:word' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/the passphrase in ANAPLAN_KEY_PASSPHRASE contains ":", which Anaplan Connect cannot take/);
    await expect(job.argv()).rejects.toThrow();
  });

  it('pem, inline: a ":" typed into the setting later stops the job, exit 2', async () => {
    const { job } = await hostileJob({ ...PEM, keyPassphrase: { source: 'inline', value: 'x' } });
    const content = await readFile(job.script, 'utf8');
    const setting = content.split('\n').find((line) => line.startsWith('KeyPassphrase='));
    expect(setting).toBeDefined();
    await writeFile(job.script, content.replace(`${setting}\n`, "KeyPassphrase='pass:word'\n"));
    const result = job.run();
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/KeyPassphrase contains ":"/);
  });

  it("exits with Anaplan Connect's exit code", async () => {
    const { job } = await hostileJob(PEM);
    expect(job.run({ STANDIN_EXIT: '7' }).status).toBe(7);
  });
});
