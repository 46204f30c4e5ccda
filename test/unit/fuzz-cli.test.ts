// Bad input, fuzzed (issue 7): mutated command lines for every command but `ui` (unknown flags,
// missing values, empty, huge, control-character and Unicode values, numbers out of range, paths
// that do not exist, are folders or are devices, with and without --json). Every case carries at
// least one change that must make the command fail, so each must end with a non-zero exit, one
// JSON error object on stdout with --json, a readable "Error (code): …" on stderr without it, no
// stack trace, and no file created or changed. Most cases run in-process through main(argv); a
// sample runs the built binary. Nothing reaches the network: URLs point at the local emulator,
// and a proxy on a closed local port catches anything that would leave the machine.
//
// Deterministic: the seed is printed; FUZZ_SEED=<n> reproduces a run, FUZZ_RUNS=<n> sets the in-process count.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.js';
import { buildPkcs12 } from '../../main/pki/keystore.js';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { ROOT, runCli } from '../support/cli.js';
import { snapshot } from '../support/fixtures.js';
import { INPUT_BUDGET_MS, Rng, armour, encodeDer, errorPayloadProblem, fuzzLoop, fuzzRuns, fuzzSeed, messageProblem, parseDer, report } from '../support/fuzz.js';

const SEED = fuzzSeed();
/** A well-formed client ID the emulator does not know (its seed client would start a real device sign-in and wait). */
const CLIENT_ID = '0123456789abcdef0123456789abcdef';
const PASSPHRASE = 'fuzz key pass 9';
const KEYSTORE_PASSWORD = 'keystore pass 1';
/** A port nothing listens on: the proxy for anything that would otherwise leave the machine. */
const CLOSED_PROXY = 'http://127.0.0.1:9';

let emulator: Emulator;
let root: string;
/** What the commands may write into, and must not: home, settings, cwd, output folders, token stores. */
let sandbox: string;
let fixtures: string;
const path = {
  cert: '',
  key: '',
  encryptedKey: '',
  keystore: '',
  garbage: '',
  empty: '',
  folder: '',
  underAFile: '',
  passwordFile: '',
  badRoots: '',
  tokens: '',
  outNew: '',
  outExisting: '',
  existingFile: '',
  jobHome: '',
};

/** The environment of every run: nothing of the person's own home, settings, secrets or proxies. */
function fuzzEnv(): Record<string, string> {
  return {
    HOME: join(sandbox, 'home'),
    ANAPLAN_SETUP_HOME: join(sandbox, 'settings'),
    AC_OAUTH_KEYSTORE_DIR: path.tokens,
    HTTPS_PROXY: CLOSED_PROXY,
    HTTP_PROXY: CLOSED_PROXY,
    https_proxy: CLOSED_PROXY,
    http_proxy: CLOSED_PROXY,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    FUZZ_PASSWORD: 'not-the-password-1',
    FUZZ_PASSPHRASE: PASSPHRASE,
    FUZZ_KEYSTORE_PASSWORD: KEYSTORE_PASSWORD,
    FUZZ_EMPTY: '',
    FUZZ_SHORT: 'abc',
    FUZZ_COLON: 'has a : colon in it',
  };
}

const savedEnv: Record<string, string | undefined> = {};
let savedCwd: string;
let savedIsTty: PropertyDescriptor | undefined;

beforeAll(async () => {
  console.log(`fuzz-cli: FUZZ_SEED=${SEED} (0x${SEED.toString(16)}); set FUZZ_SEED to reproduce, FUZZ_RUNS to change the in-process count`);
  emulator = await startEmulator();
  root = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
  fixtures = join(root, 'fixtures');
  sandbox = join(root, 'sandbox');
  for (const dir of [fixtures, join(fixtures, 'folder'), sandbox, join(sandbox, 'home'), join(sandbox, 'settings'), join(sandbox, 'cwd'), join(sandbox, 'tokens'), join(sandbox, 'out'), join(sandbox, 'job-home')]) {
    mkdirSync(dir, { recursive: true });
  }
  path.cert = join(fixtures, 'cert.pem');
  path.key = join(fixtures, 'key.pem');
  path.encryptedKey = join(fixtures, 'key-encrypted.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.key, '-subj', '/CN=Fuzz Tester/emailAddress=fuzz@example.com', '-days', '30', '-out', path.cert], { stdio: 'ignore' });
  execFileSync('openssl', ['pkcs8', '-topk8', '-in', path.key, '-v2', 'aes-256-cbc', '-passout', `pass:${PASSPHRASE}`, '-out', path.encryptedKey], { stdio: 'ignore' });
  path.keystore = join(fixtures, 'keystore.p12');
  writeFileSync(path.keystore, buildPkcs12(createPrivateKey(readFileSync(path.key)), new X509Certificate(readFileSync(path.cert)), [], { alias: 'anaplan-connect', password: KEYSTORE_PASSWORD }));
  path.garbage = join(fixtures, 'garbage.bin');
  writeFileSync(path.garbage, new Rng(SEED, 'garbage').bytes(3000));
  path.empty = join(fixtures, 'empty.txt');
  writeFileSync(path.empty, '');
  path.folder = join(fixtures, 'folder');
  path.underAFile = join(path.garbage, 'below');
  path.passwordFile = join(fixtures, 'password.txt');
  writeFileSync(path.passwordFile, 'not-the-password-1\n');
  path.badRoots = join(fixtures, 'roots.json');
  writeFileSync(path.badRoots, '{"mode": "replace", "roots": [{"name": ""}]');
  path.tokens = join(sandbox, 'tokens');
  path.outNew = join(sandbox, 'out', 'new');
  path.outExisting = join(sandbox, 'out');
  path.existingFile = join(sandbox, 'out', 'existing.txt');
  writeFileSync(path.existingFile, 'keep me\n');
  path.jobHome = join(sandbox, 'job-home');

  for (const [name, value] of Object.entries(fuzzEnv())) {
    savedEnv[name] = process.env[name];
    process.env[name] = value;
  }
  for (const name of ['ANAPLAN_PASSWORD', 'KEYSTORE_PASSWORD', 'KEY_PASSPHRASE', 'FUZZ_UNSET']) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
  savedCwd = process.cwd();
  process.chdir(join(sandbox, 'cwd'));
  // No terminal: whatever would prompt must fail instead of waiting.
  savedIsTty = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
  Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
}, 60_000);

afterAll(async () => {
  process.chdir(savedCwd);
  if (savedIsTty) Object.defineProperty(process.stdin, 'isTTY', savedIsTty);
  else delete (process.stdin as { isTTY?: boolean }).isTTY;
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await emulator?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The command lines

interface Base {
  name: string;
  args: () => string[];
  /** Flags that stay as they are (dropping them could send a request to a real Anaplan host). */
  keep: readonly string[];
  /** Changes that each make this command fail before it writes or sends anything. */
  poisons: ReadonlyArray<() => string[]>;
  /** Flags that take any text (names, folders, commands): hostile text goes there. */
  freeText?: readonly string[];
  /** True when the command line fails by itself (the emulator refuses it, the certificate is self-signed): a poison is then optional. */
  failsAlone?: boolean;
}

const urls = (): string[] => ['--auth-url', emulator.url, '--api-url', emulator.url];
const URL_FLAGS = ['--auth-url', '--api-url', '--oauth-url', '--device-authorization-url', '--token-url'];

/** Paths that are not what a flag wants: missing, a folder, below a file, a device, empty, absurdly long. */
const badPaths = (): string[] => ['/nonexistent/fuzz/file', path.folder, path.underAFile, '/dev/zero', '/dev/null', path.empty, `${'a/'.repeat(2000)}x`, 'relative/missing.pem', 'x\ny'];
const badFiles = (): string[] => [...badPaths(), path.garbage];

function one(flag: string, values: () => readonly string[]): () => string[] {
  return () => [flag, pickFrom(values())];
}

// Set by each case, so poisons and noise draw from the case's own stream.
let caseRng = new Rng(0);
function pickFrom<T>(items: readonly T[]): T {
  return caseRng.pick(items);
}

const GENERIC_POISONS: ReadonlyArray<() => string[]> = [
  () => [pickFrom(['--frobnicate', '--JSON', '--jsn', '-x', '--json=1', '--user-name', '---', '-'])],
  () => [pickFrom(['extra', 'login', '""', '0', '--', 'ü'])].concat(['surplus']),
  () => [pickFrom(['--out', '--region', '--timeout', '--alias', '--client-id', '--user', '--email', '--platform', '--warn-days'])],
];

const NETWORK_POISONS: ReadonlyArray<() => string[]> = [
  one('--timeout', () => ['0', '-1', '601', 'abc', '1.5', '', ' ', 'Infinity', 'NaN', '99999999999999999999']),
  one('--region', () => ['zz9', 'ü', 'x'.repeat(10_000), '\u0001', '..', 'eu3;ls', 'US1\u0000']),
  () => [pickFrom(URL_FLAGS), pickFrom(['http://example.com', 'ftp://127.0.0.1', 'not a url', 'https://user:pw@127.0.0.1', 'https://127.0.0.1/?q=1', 'javascript:alert(1)', 'https://', 'http://[::1', '\u0000'])],
  one('--proxy', () => ['not a url', 'ftp://127.0.0.1:21', 'http://user:secret@127.0.0.1:9']),
  () => ['--proxy', 'http://user@127.0.0.1:9', '--proxy-password-file', pickFrom(badPaths())],
  () => ['--proxy', 'http://127.0.0.1:9', '--proxy-password-env', 'FUZZ_PASSWORD'],
];

const SECRET_ENV_POISON = (flag: string): (() => string[]) => one(flag, () => ['FUZZ_UNSET', 'FUZZ_EMPTY']);
const SECRET_FILE_POISON = (flag: string): (() => string[]) => one(flag, () => badPaths());

const BASES: readonly Base[] = [
  { name: 'regions', args: () => ['regions'], keep: [], poisons: [] },
  {
    name: 'login basic',
    args: () => ['login', '--method', 'basic', '--user', 'fuzz@example.com', '--password-env', 'FUZZ_PASSWORD', ...urls(), '--timeout', '5'],
    keep: URL_FLAGS,
    failsAlone: true,
    poisons: [
      ...NETWORK_POISONS,
      one('--user', () => ['not-an-email', '', '@', 'a@b', ' ', 'x@'.repeat(5000)]),
      one('--method', () => ['', 'BASIC', 'saml', 'basic ', 'certificate\u0000']),
      SECRET_ENV_POISON('--password-env'),
      SECRET_FILE_POISON('--password-file'),
      () => ['--password-file', path.passwordFile, '--password-env', 'FUZZ_PASSWORD'],
    ],
  },
  {
    name: 'login keystore',
    args: () => ['login', '--method', 'certificate', '--keystore', path.keystore, '--alias', 'anaplan-connect', '--keystore-password-env', 'FUZZ_KEYSTORE_PASSWORD', ...urls()],
    keep: URL_FLAGS,
    failsAlone: true,
    poisons: [
      ...NETWORK_POISONS,
      one('--keystore', () => [...badFiles(), path.cert]),
      one('--alias', () => ['', 'UPPER', 'a b', 'x'.repeat(100), '\u0007', 'other']),
      SECRET_ENV_POISON('--keystore-password-env'),
      () => ['--keystore-password-env', 'FUZZ_PASSWORD'],
      () => ['--certificate', path.cert],
    ],
  },
  {
    name: 'login certificate',
    args: () => ['login', '--method', 'certificate', '--certificate', path.cert, '--key', path.encryptedKey, '--passphrase-env', 'FUZZ_PASSPHRASE', ...urls()],
    keep: URL_FLAGS,
    failsAlone: true,
    poisons: [...NETWORK_POISONS, one('--certificate', () => [...badFiles(), path.key]), one('--key', () => [...badFiles(), path.cert]), () => ['--passphrase-env', 'FUZZ_PASSWORD'], SECRET_FILE_POISON('--passphrase-file')],
  },
  {
    name: 'login oauth',
    args: () => ['login', '--method', 'oauth', '--client-id', CLIENT_ID, '--token-store-dir', path.tokens, ...urls(), '--oauth-url', emulator.url],
    keep: URL_FLAGS,
    failsAlone: true,
    poisons: [...NETWORK_POISONS, one('--encoding', () => ['xml', '', 'FORM']), one('--client-id', () => ['', ' ', 'not hex!', 'x'.repeat(300)]), one('--token-store-dir', () => badPaths())],
  },
  {
    name: 'keygen',
    args: () => ['keygen', '--email', 'fuzz@example.com', '--name', 'Fuzz Tester', '--country', 'GB', '--passphrase-env', 'FUZZ_PASSPHRASE', '--out', path.outNew],
    keep: ['--passphrase-env'],
    freeText: ['--org', '--org-unit', '--locality', '--state', '--name'],
    poisons: [
      one('--email', () => ['not-an-email', '', `${'a'.repeat(60)}@example.com`, 'a@b', '\u0000@x.y']),
      one('--name', () => ['', ' ', 'x'.repeat(10_000)]),
      one('--country', () => ['GBR', '12', 'g', '🇬🇧', 'XX']),
      one('--bits', () => ['1024', '1', 'abc', '', '99999999999999999999', '-2048', '2048.5', '4097']),
      one('--ca', () => ['letsencrypt', '', 'SECTIGO']),
      one('--out', () => [path.existingFile, path.underAFile, '']),
      one('--org', () => ['o'.repeat(200)]),
      one('--passphrase-env', () => ['FUZZ_UNSET', 'FUZZ_EMPTY', 'FUZZ_SHORT', 'FUZZ_COLON']),
      SECRET_FILE_POISON('--passphrase-file'),
      () => ['--no-passphrase'],
      one('--profile', () => ['', ' ', 'p'.repeat(81)]),
    ],
  },
  {
    name: 'import-cert',
    args: () => ['import-cert', path.cert, '--key', path.encryptedKey, '--passphrase-env', 'FUZZ_PASSPHRASE', '--out', path.outNew, '--keystore-password-env', 'FUZZ_KEYSTORE_PASSWORD'],
    keep: [],
    failsAlone: true,
    freeText: ['--email', '--out'],
    poisons: [
      one('--key', () => [...badFiles(), path.cert]),
      one('--alias', () => ['', 'UPPER', 'a b', 'x'.repeat(100)]),
      one('--keystore-password-env', () => ['FUZZ_UNSET', 'FUZZ_EMPTY', 'FUZZ_SHORT']),
      SECRET_FILE_POISON('--keystore-password-file'),
      SECRET_FILE_POISON('--file-password-file'),
      one('--roots', () => [...badFiles(), path.badRoots]),
      one('--profile', () => ['', 'p'.repeat(81)]),
    ],
  },
  {
    name: 'oauth',
    args: () => ['oauth', '--client-id', CLIENT_ID, '--token-store-dir', path.tokens, ...urls(), '--oauth-url', emulator.url, '--timeout', '5'],
    keep: URL_FLAGS,
    failsAlone: true,
    poisons: [...NETWORK_POISONS, one('--client-id', () => ['', ' ', 'x'.repeat(300), 'not hex!']), one('--encoding', () => ['xml', '', 'FORM'])],
  },
  {
    name: 'export basic',
    args: () => ['export', '--method', 'basic', '--user', 'fuzz@example.com', '--platform', 'all', '--out', path.outNew],
    keep: [],
    freeText: ['--on-failure', '--java-home', '--log-dir', '--anaplan-connect-dir', '--schedule-account', '--proxy-user', '--password-variable'],
    poisons: [
      one('--platform', () => ['mac', '', 'ALL']),
      one('--workspace-id', () => ['xyz', 'A'.repeat(31), 'G'.repeat(32), '']),
      one('--model-id', () => ['xyz', 'A'.repeat(33)]),
      one('--password-source', () => ['file', '', 'ENV']),
      one('--password-variable', () => ['1ABC', 'A-B', '', 'A B', 'ü']),
      one('--max-retry-count', () => ['2', '16', 'abc', '-1', '']),
      one('--retry-timeout', () => ['2', '121', 'x']),
      one('--http-timeout', () => ['59', '301', '1e400']),
      one('--chunk-size', () => ['0', '51', '2.5']),
      one('--schedule', () => ['25:00', '12:60', 'noon', '7', ' ']),
      one('--operation', () => ['delete', '', 'IMPORT']),
      one('--proxy', () => ['not a url', 'ftp://proxy:21']),
      one('--proxy-password-variable', () => ['1X', '']),
      one('--out', () => [path.existingFile, path.underAFile, '']),
      () => ['--password-source', 'inline', '--password-file', pickFrom(badPaths())],
      one('--user', () => ['not-an-email', '']),
      one('--region', () => ['zz9', 'ü']),
    ],
  },
  {
    name: 'export keystore',
    args: () => ['export', '--method', 'certificate', '--keystore', path.keystore, '--alias', 'anaplan-connect', '--keystore-password-env', 'FUZZ_KEYSTORE_PASSWORD', '--job-home', path.jobHome, '--out', path.outNew],
    keep: ['--keystore'],
    freeText: ['--job-home', '--log-dir', '--on-failure'],
    poisons: [
      one('--keystore', () => [...badFiles(), path.cert]),
      one('--alias', () => ['', 'other', 'UPPER']),
      one('--keystore-password-source', () => ['env', '', 'FILE']),
      SECRET_ENV_POISON('--keystore-password-env'),
      () => ['--keystore-password-env', 'FUZZ_PASSWORD'],
      () => ['--certificate', path.cert, '--key', path.key],
      one('--out', () => [path.existingFile, path.underAFile]),
    ],
  },
  {
    name: 'export certificate',
    args: () => ['export', '--method', 'certificate', '--certificate', path.cert, '--key', path.key, '--key-passphrase-source', 'none', '--out', path.outNew],
    keep: [],
    poisons: [one('--certificate', () => [...badFiles(), path.key]), one('--key-passphrase-source', () => ['file', '']), () => ['--key-passphrase-source', 'inline', '--passphrase-env', 'FUZZ_UNSET'], one('--out', () => [path.existingFile, path.underAFile])],
  },
  {
    name: 'export oauth',
    args: () => ['export', '--method', 'oauth', '--client-id', CLIENT_ID, '--token-store-dir', path.tokens, '--out', path.outNew],
    keep: [],
    freeText: ['--token-store-dir', '--java-home'],
    poisons: [one('--client-id', () => ['', ' ', 'x'.repeat(300), 'not hex!']), one('--out', () => [path.existingFile, path.underAFile]), one('--method', () => ['OAUTH', ''])],
  },
  {
    name: 'status',
    args: () => ['status'],
    keep: [],
    poisons: [one('--warn-days', () => ['0', '366', 'abc', '', ' ', '1.5', '-3']), one('--password-max-age-days', () => ['0', '3651', 'x', '1e9'])],
  },
];

/** Values that are fine for free-text flags or harmless where they land: the command still fails on its poison. */
const HOSTILE_TEXT = ['', ' ', 'ü', '日本語', '🙂', '\u202Etxt.exe', 'e\u0301', 'x'.repeat(100_000), '\t', '\r\n', '\u001b[31mred', '\u0007', '"quoted"', "'single'", '$(id)', '`id`', '%PATH%', '..', '../../etc', '-1', 'C:\\Windows', '\\\\server\\share', '\uFFFD', '\uD800'];
/** Only in-process: a real argv cannot hold NUL. */
const NUL_TEXT = ['\u0000', 'a\u0000b'];
const FREE_TEXT_FLAGS = ['--org', '--org-unit', '--locality', '--state', '--email', '--on-failure', '--java-home', '--log-dir', '--anaplan-connect-dir', '--schedule-account', '--process', '--import', '--file', '--local-file', '--export', '--proxy-user', '--job-home'];

interface CliCase {
  base: string;
  argv: string[];
  steps: string[];
}

/** Flag/value pairs of an argument list (the command name and positionals stand alone). */
function groups(argv: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (arg.startsWith('--') && next !== undefined && !next.startsWith('--')) {
      out.push([arg, next]);
      i++;
    } else {
      out.push([arg]);
    }
  }
  return out;
}

function makeCase(rng: Rng, inProcess: boolean, index: number): CliCase {
  caseRng = rng;
  const base = BASES[index % BASES.length] as Base;
  const steps = [base.name];
  const [command, ...rest] = base.args();
  let parts = groups(rest);
  const noise = rng.pick([0, 1, 1, 2, 3]);
  for (let n = 0; n < noise; n++) {
    const roll = rng.int(6);
    if (roll === 0 && parts.length > 1) {
      // Reorder: a flag with its value moves elsewhere.
      const [moved] = parts.splice(rng.int(parts.length), 1);
      if (moved) parts.splice(rng.int(parts.length + 1), 0, moved);
      steps.push('reorder');
    } else if (roll === 1) {
      const droppable = parts.filter((part) => !base.keep.includes(part[0] ?? ''));
      const dropped = droppable.length > 0 ? rng.pick(droppable) : undefined;
      if (dropped) parts = parts.filter((part) => part !== dropped);
      steps.push(`drop ${dropped?.[0] ?? 'nothing'}`);
    } else if (roll === 2) {
      // Hostile text: into a free-text flag of the command, else as the value of one of its own flags.
      const value = rng.pick(inProcess ? [...HOSTILE_TEXT, ...NUL_TEXT] : HOSTILE_TEXT);
      const replaceable = parts.filter((part) => part.length === 2 && !base.keep.includes(part[0] ?? ''));
      const target = base.freeText || replaceable.length === 0 ? undefined : rng.pick(replaceable);
      const flag = target?.[0] ?? rng.pick(base.freeText ?? FREE_TEXT_FLAGS);
      parts = target ? parts.map((part) => (part === target ? [flag, value] : part)) : [...parts, [flag, value]];
      steps.push(`${flag} ${JSON.stringify(value.slice(0, 20))}${value.length > 20 ? '…' : ''}`);
    } else if (roll === 3) {
      const pairs = parts.filter((part) => part.length === 2 && !base.keep.includes(part[0] ?? ''));
      const pair = pairs.length > 0 ? rng.pick(pairs) : undefined;
      if (pair) parts = parts.map((part) => (part === pair ? [`${pair[0]}=${pair[1]}`] : part));
      steps.push(`--flag=value for ${pair?.[0] ?? 'nothing'}`);
    } else {
      steps.push('toggle --json');
      parts = parts.some((part) => part[0] === '--json') ? parts.filter((part) => part[0] !== '--json') : [...parts, ['--json']];
    }
  }
  const poison = base.failsAlone && rng.chance(0.4) ? [] : rng.pick([...base.poisons, ...GENERIC_POISONS])();
  const poisoned = inProcess ? poison : poison.map((arg) => arg.replace(/\u0000/g, ''));
  steps.push(`poison ${poisoned.map((arg) => JSON.stringify(arg.slice(0, 40))).join(' ')}`);
  let argv = [command ?? '', ...parts.flat(), ...poisoned];
  if (rng.chance(0.03)) {
    const typo = rng.pick(['logni', 'EXPORT', 'import', 'key-gen', 'statuss', ' ', 'regions\u0007']);
    argv = [typo, ...argv.slice(1)];
    steps.push(`command → ${JSON.stringify(typo)}`);
  }
  return { base: base.name, argv, steps };
}

// ---------------------------------------------------------------------------------------------
// Running and judging

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Far beyond the per-input budget: a case still running then is stopped waiting for, and reported. */
const HANG_MS = 15_000;

/** main(argv) in this process, with stdout and stderr captured and process.exitCode put back. */
async function inProcess(argv: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const collect = (into: 'out' | 'err') =>
    ((chunk: string | Uint8Array) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (into === 'out') stdout += text;
      else stderr += text;
      return true;
    }) as typeof process.stdout.write;
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = collect('out');
  process.stderr.write = collect('err');
  process.exitCode = undefined;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms: a hang`)), HANG_MS);
  });
  try {
    const code = await Promise.race([main(argv), hang]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = undefined;
  }
}

const SOURCE_PATHS = [join(ROOT, 'main'), join(ROOT, 'out'), join(ROOT, 'node_modules')];

/** null when the outcome is what a person may see after a bad command line; else what is wrong. */
function judge(cliCase: CliCase, outcome: Outcome): string | null {
  const { code, stdout, stderr } = outcome;
  const all = `${stdout}\n${stderr}`;
  if (/^\s+at \S/m.test(all)) return `a stack trace: ${all.slice(0, 600)}`;
  if (all.includes('node:internal')) return `"node:internal" in the output: ${all.slice(0, 400)}`;
  const leaked = SOURCE_PATHS.find((source) => all.includes(source));
  if (leaked) return `a path of our sources (${leaked}) in the output: ${all.slice(0, 400)}`;
  if (code === 0) return `exit code 0 for a command line that must fail; stdout: ${stdout.slice(0, 300)} stderr: ${stderr.slice(0, 300)}`;
  if (code !== 1 && code !== 2) return `exit code ${code} (expected 1 or 2)`;
  if (cliCase.argv.includes('--json')) {
    const lines = stdout.split('\n').filter((line) => line !== '');
    const last = lines.at(-1);
    if (!last) return `--json, but nothing on stdout (stderr: ${stderr.slice(0, 300)})`;
    if (cliCase.base !== 'oauth' && lines.length !== 1) return `--json, but ${lines.length} lines on stdout: ${stdout.slice(0, 300)}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(last);
    } catch {
      return `--json, but stdout is not JSON: ${stdout.slice(0, 300)}`;
    }
    const error = jsonError(parsed);
    if (!error) return `--json, but not an error object: ${last.slice(0, 300)}`;
    const problem = errorPayloadProblem(error);
    if (problem) return problem;
    if ((code === 2) !== (error.code === 'bad_input')) return `exit code ${code} for error code ${String(error.code)}`;
    return null;
  }
  if (stdout.trim() !== '') return `output on stdout for a failed command: ${stdout.slice(0, 300)}`;
  const match = /^Error \(([a-z_]+)\): ([^\n]+)/m.exec(stderr);
  if (!match) return `no "Error (code): message" line on stderr: ${JSON.stringify(stderr.slice(0, 400))}`;
  const problem = errorPayloadProblem({ code: match[1], message: match[2] });
  if (problem) return problem;
  return messageProblem(stderr.replace(/^error: .*$/gm, ''));
}

/** The error of an --json answer: {"error":{"code","message"}}, or oauth's {"event":"error","code","message"}. */
function jsonError(value: unknown): { code: unknown; message: unknown } | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && typeof record.error === 'object' && record.error !== null) {
    const error = record.error as Record<string, unknown>;
    return { code: error.code, message: error.message };
  }
  if (record.event === 'error') return { code: record.code, message: record.message };
  return null;
}

describe('mutated command lines: a non-zero exit, a readable error, no stack trace, nothing written', () => {
  it('in-process through main(argv), every command but ui', async () => {
    const rng = new Rng(SEED, 'cli-in-process');
    const errorCodes = new Map<string, number>();
    const before = await snapshot(sandbox);
    const outcome = await fuzzLoop(
      fuzzRuns(2500),
      (index) => makeCase(rng, true, index),
      async (cliCase) => {
        let result: Outcome;
        try {
          result = await inProcess(cliCase.argv);
        } catch (error) {
          return `main() rejected: ${error instanceof Error ? error.stack : String(error)}`;
        }
        const code = (/"code":"([a-z_]+)"/.exec(result.stdout) ?? /^Error \(([a-z_]+)\)/m.exec(result.stderr))?.[1] ?? '?';
        errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
        const after = await snapshot(sandbox);
        const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((entry) => JSON.stringify(before[entry]) !== JSON.stringify(after[entry]));
        // Put the sandbox back, so that one write does not fail every later case.
        for (const entry of changed) if (!(entry in before)) rmSync(join(sandbox, entry), { recursive: true, force: true });
        return judge(cliCase, result) ?? (changed.length > 0 ? `files created or changed: ${changed.join(', ')}` : null);
      },
    );
    // How deep the cases went: bad_input is refused flags and files; bad_credentials and invalid_client came from the emulator.
    console.log(`fuzz-cli in-process: error codes ${JSON.stringify(Object.fromEntries(errorCodes))}`);
    console.log(`fuzz-cli in-process: slowest input #${outcome.slowest.index} took ${Math.round(outcome.slowest.ms)} ms [${outcome.slowest.steps.join(' → ')}]`);
    expect(outcome.problems.length, report(SEED, 'CLI in-process', outcome.problems)).toBe(0);
  }, 180_000);

  it('the built binary, a sample of 30 (as a person or cron runs it)', async () => {
    const rng = new Rng(SEED, 'cli-binary');
    const before = await snapshot(sandbox);
    const outcome = await fuzzLoop(
      30,
      (index) => makeCase(rng, false, index * 7 + 3),
      async (cliCase) => {
        const result = await runCli(cliCase.argv, { env: fuzzEnv(), cwd: join(sandbox, 'cwd') });
        const problem = judge(cliCase, result);
        if (problem) return problem;
        const after = await snapshot(sandbox);
        return JSON.stringify(after) === JSON.stringify(before) ? null : 'files created or changed';
      },
      // A process start costs more than a call; on a busy machine, a few times more.
      INPUT_BUDGET_MS * 3,
    );
    expect(outcome.problems.length, report(SEED, 'CLI binary', outcome.problems)).toBe(0);
  }, 180_000);
});

describe('regressions found by the fuzzer', () => {
  it('/dev/zero as a secret file, keystore, certificate or root list is refused after a bounded read, not read into gigabytes', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['login', '--method', 'basic', '--user', 'fuzz@example.com', '--password-file', '/dev/zero', ...urls()], /Cannot read the password file \/dev\/zero: it is larger than 65,536 bytes/],
      [['login', '--method', 'certificate', '--keystore', '/dev/zero', '--alias', 'anaplan-connect', '--keystore-password-env', 'FUZZ_KEYSTORE_PASSWORD', ...urls()], /Cannot read the keystore file \/dev\/zero: it is larger than 10,485,760 bytes/],
      [['export', '--method', 'certificate', '--certificate', '/dev/zero', '--key', path.key, '--out', path.outNew], /Cannot read the certificate file \/dev\/zero: it is larger than 10,485,760 bytes/],
      [['import-cert', path.cert, '--key', path.key, '--out', path.outNew, '--keystore-password-env', 'FUZZ_KEYSTORE_PASSWORD', '--roots', '/dev/zero'], /^\/dev\/zero is not a file\. Check the path of the supported roots file/],
    ];
    for (const [argv, message] of cases) {
      const started = performance.now();
      const result = await inProcess([...argv, '--json']);
      expect(performance.now() - started, argv.join(' ')).toBeLessThan(2000);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout).error.message).toMatch(message);
    }
  });

  it('a folder where a file belongs says so in words, not "(EISDIR)"', async () => {
    const result = await inProcess(['login', '--method', 'basic', '--user', 'fuzz@example.com', '--password-file', path.folder, ...urls(), '--json']);
    expect(JSON.parse(result.stdout).error.message).toBe(`Cannot read the password file ${path.folder} (it is a folder, not a file).`);
  });

  it('numbers that are not numbers get the flag\'s own message, not "expected number, received NaN"', async () => {
    const cases: Array<[string[], string]> = [
      [['keygen', '--email', 'fuzz@example.com', '--name', 'Fuzz', '--bits', 'abc', '--no-passphrase', '--out', path.outNew], '--bits: must be 2048, 3072 or 4096'],
      [['export', '--method', 'basic', '--user', 'fuzz@example.com', '--out', path.outNew, '--max-retry-count', 'abc'], '--max-retry-count: must be a whole number'],
      [['export', '--method', 'basic', '--user', 'fuzz@example.com', '--out', path.outNew, '--chunk-size', 'Infinity'], '--chunk-size: must be a whole number'],
    ];
    for (const [argv, message] of cases) {
      const result = await inProcess([...argv, '--json']);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'bad_input', message } });
    }
    // `ui` has no --json; its flags are checked before anything is served.
    const ui = await inProcess(['ui', '--port', 'abc', '--no-open']);
    expect(ui.code).toBe(2);
    expect(ui.stderr).toBe('Error (bad_input): --port: must be a port number (0-65535)\n');
  });

  it('export with a certificate whose end date OpenSSL cannot read ("Bad time value") writes the job instead of failing with a RangeError', async () => {
    const der = Buffer.from((/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END/.exec(readFileSync(path.cert, 'utf8'))?.[1] ?? '').replace(/\s+/g, ''), 'base64');
    const tree = parseDer(der);
    const notAfter = tree?.[0]?.children?.[0]?.children?.[4]?.children?.[1]; // Certificate > TBSCertificate > validity > notAfter
    if (!tree || !notAfter) throw new Error('not the certificate layout');
    notAfter.content = Buffer.from('ZZ');
    const certificate = join(fixtures, 'bad-time.pem');
    writeFileSync(certificate, armour('CERTIFICATE', encodeDer(tree)));
    expect(new X509Certificate(readFileSync(certificate)).validTo).toBe('Bad time value');
    const out = join(root, 'bad-time-export');
    const result = await inProcess(['export', '--method', 'certificate', '--certificate', certificate, '--key', path.key, '--key-passphrase-source', 'none', '--platform', 'linux', '--out', out, '--json']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).files).toContain(join(out, 'anaplan-connect.sh'));
  });
});
