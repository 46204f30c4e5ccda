import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * The calibrated cmd.exe the windows suite runs the exported .bat files with: Wine 8 from Debian 12
 * with Wine 10's cmd.exe and findstr.exe loaded as native, set up by scripts/wine-cmd-setup.sh in
 * WINE_CMD_ROOT (default /opt/wine-cmd), whose probes compare it with what Windows does
 * (calibration.tsv). Its known differences are kept out of the test values and, where the .bat
 * itself would meet them, out of the .bat: k01, carets in a line holding "!" under delayed
 * expansion; k02, %~dp0 with "%" in the folder name; k03, CALL doubling quoted carets; k04, for /f
 * options written unquoted with ^ escapes; k05, for /f splitting quoted text at its delims.
 */
export const WINE_CMD_ROOT = process.env.WINE_CMD_ROOT || '/opt/wine-cmd';

const CALIBRATED = 'cmd calibration: ok';

let skipReason: string | null | undefined;

/** Why the suite cannot run here, in one line, or null when it can. */
export function windowsSkipReason(): string | null {
  if (skipReason === undefined) skipReason = findSkipReason();
  return skipReason;
}

function findSkipReason(): string | null {
  if (process.env.WINE_CMD_SKIP_REASON) return `no calibrated cmd.exe: ${process.env.WINE_CMD_SKIP_REASON}`;
  const status = readText(join(WINE_CMD_ROOT, 'status'));
  if (status === null) {
    return `no calibrated cmd.exe in ${WINE_CMD_ROOT} (set it up once as root on Debian 12 amd64: bash scripts/wine-cmd-setup.sh; or point WINE_CMD_ROOT at one)`;
  }
  if (status !== CALIBRATED) return `${WINE_CMD_ROOT}/status says "${status}", so its cmd.exe does not behave as Windows' does (see ${WINE_CMD_ROOT}/calibration.tsv)`;
  const env = readText(join(WINE_CMD_ROOT, 'env.sh'));
  if (env === null) return `${WINE_CMD_ROOT}/env.sh is missing: run bash scripts/wine-cmd-setup.sh again`;
  if (!/findstr\.exe/.test(wineSettings().WINEDLLOVERRIDES ?? '')) {
    return `${WINE_CMD_ROOT} was set up without Wine 10's findstr.exe (Wine 8's is a stub that always exits 0): run bash scripts/wine-cmd-setup.sh again`;
  }
  if (spawnSync('wine', ['--version'], { stdio: 'ignore' }).status !== 0) return 'wine is not installed (scripts/wine-cmd-setup.sh installs it)';
  const prefix = wineSettings().WINEPREFIX ?? '';
  const uid = process.getuid?.() ?? -1;
  try {
    const owner = statSync(prefix).uid;
    if (owner !== uid) return `the Wine prefix ${prefix} belongs to uid ${owner} and Wine runs a prefix only for its owner (this is uid ${uid})`;
  } catch {
    return `the Wine prefix ${prefix} named in ${WINE_CMD_ROOT}/env.sh does not exist: run bash scripts/wine-cmd-setup.sh again`;
  }
  if (!existsSync(RECORDER)) return `${RECORDER} is missing: run bash scripts/wine-cmd-setup.sh again`;
  if (spawnSync(MINGW_GCC, ['--version'], { stdio: 'ignore' }).status !== 0) return `${MINGW_GCC} is not installed (scripts/wine-cmd-setup.sh installs it): it builds the java.exe stand-in`;
  return null;
}

/** The cmd.exe the suite runs, for the gate's line: "Wine 10 cmd.exe (libwine 10.0~repack-6) on wine-8.0 (…)". */
export function cmdVersion(): string {
  const libwine = readText(join(WINE_CMD_ROOT, 'cmd10', 'libwine.version')) ?? 'unknown version';
  const wine = spawnSync('wine', ['--version'], { encoding: 'utf8' }).stdout.trim();
  return `Wine 10 cmd.exe (libwine ${libwine}) on ${wine}`;
}

/** The recorder: writes GetCommandLineW() as UTF-8 to RECORD_FILE and exits with RECORD_EXIT. */
export const RECORDER = join(WINE_CMD_ROOT, 'recorder.exe');

const MINGW_GCC = 'x86_64-w64-mingw32-gcc';

/** Builds java-stand-in.c into path (java.exe answering -fullversion as JDK 17 does). */
export function buildJavaStandIn(path: string): void {
  const source = join(import.meta.dirname, 'java-stand-in.c');
  const flags = ['-Os', '-s', '-nostdlib', '-ffreestanding', '-fno-stack-protector', '-e', 'entry'];
  const built = spawnSync(MINGW_GCC, [...flags, '-o', path, source, '-lkernel32'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`${MINGW_GCC} could not build ${source}: ${built.stderr}`);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

let settings: Record<string, string> | undefined;

/** The variables env.sh exports (WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES, WINE_CMD_RECORDER). */
export function wineSettings(): Record<string, string> {
  if (settings) return settings;
  settings = {};
  for (const line of (readText(join(WINE_CMD_ROOT, 'env.sh')) ?? '').split('\n')) {
    const match = /^export ([A-Z_]+)=(?:'([^']*)'|(\S*))$/.exec(line.trim());
    if (match?.[1]) settings[match[1]] = match[2] ?? match[3] ?? '';
  }
  return settings;
}

/** The environment of every wine call: env.sh's settings, a UTF-8 locale (Unix names and variables reach Windows as Unicode), no display. */
export function wineEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES } = wineSettings();
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES, ...extra };
}

/**
 * Starts the prefix's wineserver once, to stay 600 s after its last client, and Wine's services
 * with their output on /dev/null: the first wine process of a server starts them, and they keep
 * whatever stdout and stderr it had until the server ends. (A server already running is kept.)
 */
export function warmUp(): void {
  spawnSync('wineserver', ['-p600'], { env: wineEnvironment({}), stdio: 'ignore' });
  spawnSync('wine', ['cmd', '/c', 'exit 0'], { env: wineEnvironment({}), stdio: 'ignore', timeout: 120_000 });
}

/** A Linux path as Wine's Z: drive shows it: /tmp/a b/x.bat -> Z:\tmp\a b\x.bat. */
export function windowsPath(path: string): string {
  if (!isAbsolute(path)) throw new Error(`windowsPath needs an absolute path: ${path}`);
  return `Z:${path.replaceAll('/', '\\')}`;
}

export interface CmdRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `wine cmd /c Z:\…\file.bat` from cwd, with env added to the Windows environment (Wine passes the
 * Unix environment on). The .bat's own path must need no quoting (a plain folder, no spaces): run a
 * .bat in another folder through a launcher there. stdout and stderr go to files, never to pipes
 * (see warmUp); the exit status is cmd's, which is the .bat's exit /b code.
 */
export async function runBat(bat: string, options: { cwd: string; env?: Record<string, string> }): Promise<CmdRun> {
  const target = windowsPath(bat);
  if (/[\s"&^%!()]/.test(target)) throw new Error(`runBat runs .bat files in plain folders only; use a launcher for ${bat}`);
  const outputs = await mkdtemp(join(tmpdir(), 'windows-output-'));
  const stdoutFile = join(outputs, 'stdout');
  const stderrFile = join(outputs, 'stderr');
  try {
    const stdoutFd = openSync(stdoutFile, 'w');
    const stderrFd = openSync(stderrFile, 'w');
    let run;
    try {
      run = spawnSync('wine', ['cmd', '/c', target], { cwd: options.cwd, env: wineEnvironment(options.env ?? {}), stdio: ['ignore', stdoutFd, stderrFd], timeout: 90_000 });
    } finally {
      closeSync(stdoutFd);
      closeSync(stderrFd);
    }
    if (run.error) throw run.error;
    return { status: run.status, stdout: await readFile(stdoutFile, 'utf8'), stderr: await readFile(stderrFile, 'utf8') };
  } finally {
    await rm(outputs, { recursive: true, force: true });
  }
}

/** Writes a .bat file: the lines joined with CRLF, ending with one, as cmd.exe reads them. */
export async function writeBat(path: string, lines: string[]): Promise<void> {
  await writeFile(path, `${lines.join('\r\n')}\r\n`);
}

/**
 * Splits a Windows command line as the Microsoft C runtime does (VS 2008 and later, the UCRT; Java's
 * launcher follows the same rules), which is how Java's main() and schtasks.exe see their arguments:
 *
 * - the program name (argv[0]) runs to the next space or tab, or from a leading `"` to the next `"`,
 *   with no escapes;
 * - arguments are separated by spaces and tabs outside double quotes; `"` starts and ends quoting
 *   and is not part of the argument;
 * - 2n backslashes followed by `"` stand for n backslashes and the `"` quotes; 2n+1 backslashes
 *   followed by `"` for n backslashes and a literal `"`; backslashes before anything else are literal;
 * - inside quotes, `""` is a literal `"` and quoting goes on.
 */
export function splitCommandLine(line: string): string[] {
  const argv: string[] = [];
  let i = 0;
  // argv[0]
  let program = '';
  if (line[0] === '"') {
    const end = line.indexOf('"', 1);
    program = end === -1 ? line.slice(1) : line.slice(1, end);
    i = end === -1 ? line.length : end + 1;
  } else {
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') program += line[i++];
  }
  argv.push(program);
  for (;;) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length) return argv;
    let argument = '';
    let quoted = false;
    while (i < line.length && (quoted || (line[i] !== ' ' && line[i] !== '\t'))) {
      const char = line[i];
      if (char === '\\') {
        let backslashes = 0;
        while (line[i] === '\\') {
          backslashes++;
          i++;
        }
        if (line[i] === '"') {
          argument += '\\'.repeat(Math.floor(backslashes / 2));
          if (backslashes % 2 === 1) {
            argument += '"';
            i++;
          }
        } else {
          argument += '\\'.repeat(backslashes);
        }
      } else if (char === '"') {
        if (quoted && line[i + 1] === '"') {
          argument += '"';
          i += 2;
        } else {
          quoted = !quoted;
          i++;
        }
      } else {
        argument += char;
        i++;
      }
    }
    argv.push(argument);
  }
}
