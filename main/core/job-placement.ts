import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { NextStep } from '../export/index.js';
import type { FileToWrite, WrittenFile } from '../fs/atomic.js';
import { shellWord } from '../pki/posix-shell.js';
import { writeExportFiles, type HomeFile } from './export-job.js';
import { canHandOver, foldersClosedTo, handOver, installCommands, stagingDir, type JobAccount } from './job-account.js';

/**
 * Everything the job reads, placed for the account that runs it (cron's svc-anaplan, not the
 * person at the keyboard: anaplan-facts §7). One place for every front door: the CLI's `oauth`,
 * `import-cert` and `export`, and the same steps in the UI.
 *
 * As root the files are made that account's own; otherwise nothing is written that cannot be
 * handed over: what belongs in the account's home is staged, and the exact commands that place
 * it (`sudo install -o …`) are returned.
 */
export interface Placement {
  /** Commands a person with root must run before the job can work; empty when nothing is left. */
  handOverCommands: string[];
}

/** The sentence that goes with hand-over commands, for warnings and next steps. */
export function handOverNotice(account: JobAccount, commands: readonly string[]): string {
  return `The job runs as ${account.name}, but this account cannot give it files. Run these commands to hand over what the job reads: ${commands.join(' ; ')}`;
}

/**
 * Where the device grant writes Anaplan Connect's token store for `account`: the folder itself,
 * or (another account, not root) a staging folder, placed afterwards by the commands returned.
 */
export function tokenStorePlacement(account: JobAccount, storeDir: string) {
  const staged = !account.current && !canHandOver() ? stagingDir(account) : null;
  const existed = existsSync(storeDir);
  return {
    writeDir: staged ?? storeDir,
    /** After the store was written at `written`: its path where the job finds it, and what is left to do. */
    async place(written: string): Promise<Placement & { tokenStore: string }> {
      const tokenStore = join(storeDir, basename(written));
      const handOverCommands = staged
        ? installCommands(account, [{ from: written, to: tokenStore }])
        : // A folder that was there already (the account's home, for one) is never given away.
          await handOver(account, [...(existed || storeDir === account.home ? [] : [storeDir]), tokenStore]);
      return { tokenStore, handOverCommands };
    },
  };
}

export interface JobFilesInput {
  account: JobAccount;
  outDir: string;
  files: readonly FileToWrite[];
  /** keystore-access.txt for the account's home, when the job reads its password from there. */
  homeFile: HomeFile | null;
  overwrite: boolean;
  /** A log folder of the person's choosing: not made here. */
  logDir?: string | undefined;
}

/**
 * Writes the job's files and keystore-access.txt for the account: as root its job folder (when
 * made here), logs and home file become its own; otherwise keystore-access.txt is staged and
 * the commands that place it are returned, with a warning for a folder the account cannot open.
 */
export async function writeJobFiles(input: JobFilesInput): Promise<Placement & { files: WrittenFile[]; warnings: string[] }> {
  const { account, outDir, homeFile } = input;
  const staged = homeFile && !account.current && !canHandOver() ? { ...homeFile, dir: stagingDir(account) } : null;
  const outDirExisted = existsSync(outDir);
  const written = await writeExportFiles(outDir, input.files, staged ?? homeFile, input.overwrite);
  const jobFiles = written.files.filter((file) => !staged || !file.path.startsWith(staged.dir)).map((file) => file.path);
  const handOverCommands = [
    ...(await handOver(account, [...(await jobFolders(account, outDir, outDirExisted, input.logDir)), ...jobFiles])),
    ...(homeFile && !staged ? await handOver(account, homeFileChain(account, homeFile)) : []),
    ...(staged && homeFile ? installCommands(account, [{ from: join(staged.dir, staged.file.name), to: join(homeFile.dir, homeFile.file.name) }]) : []),
  ];
  const closed = account.current ? [] : await foldersClosedTo(account, join(outDir, 'anaplan-connect.sh'));
  const warnings = [
    ...written.warnings,
    ...(closed.length > 0
      ? [`${account.name} cannot open ${closed.join(', ')}, which ${closed.length === 1 ? 'holds' : 'hold'} the job folder: the job could not start. Run: chmod o+x ${closed.map(shellWord).join(' ')} (or move the job folder where ${account.name} can reach it).`]
      : []),
    ...(handOverCommands.length > 0 ? [handOverNotice(account, handOverCommands)] : []),
  ];
  return { files: written.files, warnings, handOverCommands };
}

/**
 * The folders the job account must own: the job folder when this export created it; else (a
 * folder that was there already is never given away) the logs folder the script writes into by
 * default, created here 0700.
 */
async function jobFolders(account: JobAccount, outDir: string, existed: boolean, logDir: string | undefined): Promise<string[]> {
  if (account.current) return [];
  if (!existed) return [outDir];
  if (logDir) return [];
  const logs = join(outDir, 'logs');
  await mkdir(logs, { recursive: true, mode: 0o700 });
  return [logs];
}

/** keystore-access.txt and the folders the assistant made for it under the account's home (.anaplan, .anaplan/api-client). */
function homeFileChain(account: JobAccount, homeFile: HomeFile): string[] {
  const chain: string[] = [];
  for (let dir = homeFile.dir; dir.startsWith(`${account.home}/`); dir = dirname(dir)) chain.push(dir);
  return [...chain, join(homeFile.dir, homeFile.file.name)];
}

/**
 * The certificate, chain and keystore import wrote, for the account: a folder made for them is
 * handed over too, one that was there already is not.
 */
export async function placeImportedFiles(account: JobAccount, outDir: string, outDirExisted: boolean, paths: readonly string[]): Promise<Placement> {
  return { handOverCommands: await handOver(account, [...(outDirExisted ? [] : [outDir]), ...paths]) };
}

/** The hand-over as the first item of "Before tonight's run", when there is one. */
export function handOverSteps(account: JobAccount, commands: readonly string[]): NextStep[] {
  return commands.length > 0 ? [{ text: `Hand ${account.name} what the job reads, as root (this account cannot give files to another):`, command: commands.join('\n') }] : [];
}

/** What an import wrote that the job reads. */
export function importedPaths(result: { certificatePath: string; chainPath: string | null; keystorePath: string }): string[] {
  return [result.certificatePath, ...(result.chainPath ? [result.chainPath] : []), result.keystorePath];
}
