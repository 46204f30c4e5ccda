import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { RECORDER, runBat, splitCommandLine, windowsPath, writeBat, windowsSkipReason } from './cmd.js';
import { IDS, exportJob, expectExported, useBench, type Bench } from './harness.js';

/**
 * schtasks.txt says: paste the last line into a command prompt. Here that line runs through the
 * calibrated cmd.exe (written into a .bat; the line holds no "%", the one character a .bat reads
 * otherwise than a prompt) with a stand-in schtasks.exe first on the PATH, a copy of the recorder,
 * and schtasks' arguments, split as the C runtime splits them, must be what the export meant:
 * the job's .bat path quoted as one /TR value, the account as /RU, 02:30 as /ST, nothing cut off
 * at a "&" or a caret lost.
 */
const skip = windowsSkipReason();

interface Pasted {
  status: number | null;
  stderr: string;
  line: string;
  argv: string[] | null;
}

/** Exports a Windows job with a daily schedule and runs the last line of its schtasks.txt. */
async function pasteSchtasksLine(bench: Bench, name: string, anaplanConnectDir: string, account: string): Promise<Pasted> {
  const out = join(bench.dir, name);
  expectExported(
    await exportJob(bench, 'windows', out, [
      '--method', 'basic', '--user', 'ops@example.com', ...IDS, '--operation', 'process', '--process', 'Nightly Load',
      '--anaplan-connect-dir', anaplanConnectDir, '--schedule', '02:30', '--schedule-account', account,
    ]),
  );
  const text = await readFile(join(out, 'schtasks.txt'), 'utf8');
  const line = text.split('\r\n').filter((candidate) => candidate !== '').at(-1) ?? '';
  expect(line.startsWith('schtasks ')).toBe(true);
  expect(line).not.toContain('%');
  const standIn = join(bench.dir, 'schtasks-stand-in');
  await mkdir(standIn, { recursive: true });
  await copyFile(RECORDER, join(standIn, 'schtasks.exe'));
  const record = join(bench.dir, 'schtasks-record');
  await rm(record, { force: true });
  const pasted = join(bench.dir, 'pasted.bat');
  await writeBat(pasted, ['@echo off', line]);
  const run = await runBat(pasted, { cwd: bench.elsewhere, env: { WINEPATH: windowsPath(standIn), RECORD_FILE: windowsPath(record) } });
  let argv: string[] | null = null;
  try {
    argv = splitCommandLine(await readFile(record, 'utf8')).slice(1);
  } catch {
    // schtasks was not run
  }
  return { status: run.status, stderr: run.stderr, line, argv };
}

/** schtasks' switches and their values; a word that is neither (a piece of a split value) is kept under "". */
function switches(argv: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current = '';
  for (const word of argv) {
    if (/^\/[A-Za-z0-9]+$/.test(word)) {
      current = word.toUpperCase();
      if (!map.has(current)) map.set(current, []);
    } else {
      map.set(current, [...(map.get(current) ?? []), word]);
      if (current !== '') current = '';
    }
  }
  return map;
}

function expectIntended(pasted: Pasted, batPath: string, account: string): void {
  expect(pasted.argv, `schtasks was not run (exit ${pasted.status}): ${pasted.stderr}\n${pasted.line}`).not.toBeNull();
  const argv = pasted.argv ?? [];
  const options = switches(argv);
  expect(argv[0]?.toUpperCase(), pasted.line).toBe('/CREATE');
  expect(options.get('/TR'), pasted.line).toEqual([`"${batPath}"`]);
  expect(options.get('/RU'), pasted.line).toEqual([account]);
  expect(options.get('/ST')).toEqual(['02:30']);
  expect(options.get('/SC')?.map((value) => value.toUpperCase())).toEqual(['DAILY']);
  expect(options.get('/TN')?.length).toBe(1);
  expect(options.get('/TN')?.[0]).toMatch(/^Anaplan Connect/);
  // No word outside a switch: nothing of a value was split off.
  expect(options.get(''), pasted.line).toBeUndefined();
  expect(pasted.status, pasted.stderr).toBe(0);
}

describe.skipIf(skip !== null)('the schtasks.txt line, pasted into cmd.exe', () => {
  const bench = useBench();

  test('a folder with spaces, account CORP\\svc: schtasks gets the .bat path as one quoted /TR value', async () => {
    const pasted = await pasteSchtasksLine(bench, 'spaces', 'C:\\Anaplan Connect\\jobs nightly', 'CORP\\svc');
    expectIntended(pasted, 'C:\\Anaplan Connect\\jobs nightly\\anaplan-connect.bat', 'CORP\\svc');
  });

  test('a folder named with & and ^ (C:\\R&D\\Anaplan ^Connect): nothing is cut off at the & and the caret stays', async () => {
    const pasted = await pasteSchtasksLine(bench, 'ampersand', 'C:\\R&D\\Anaplan ^Connect', 'CORP\\svc');
    expectIntended(pasted, 'C:\\R&D\\Anaplan ^Connect\\anaplan-connect.bat', 'CORP\\svc');
  });

  test('an account with a space and a folder with ( ) ; , =: both arrive as one value each', async () => {
    const pasted = await pasteSchtasksLine(bench, 'parens', 'C:\\Jobs (x86);a,b=c\\Anaplan', 'CORP\\svc anaplan');
    expectIntended(pasted, 'C:\\Jobs (x86);a,b=c\\Anaplan\\anaplan-connect.bat', 'CORP\\svc anaplan');
  });
});
