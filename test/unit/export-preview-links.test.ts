import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { previewFiles, secretBackupNotices } from '../../main/core/export-job.js';

/**
 * The review reads the files it would replace, to show what changes. It reads them by the rule
 * the writer (main/fs/atomic.ts) applies: a link, folder, FIFO or device where a job file goes is
 * refused, never followed or opened, so a folder holding `README.md -> /root/secret` shows nobody
 * that secret.
 */

const POSIX = process.platform !== 'win32';
let base: string;
let secretFile: string;
const SECRET = 'TOP SECRET: Walrus-4411';
const files = [{ name: 'README.md', content: '# the job\n', mode: 0o644 }];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'preview-links-'));
  secretFile = join(base, 'secret');
  await writeFile(secretFile, SECRET, { mode: 0o600 });
});
afterAll(() => rm(base, { recursive: true, force: true }));

async function folderWith(name: string, make: (path: string) => Promise<void> | void): Promise<string> {
  const dir = join(base, name);
  await mkdir(dir);
  await make(join(dir, 'README.md'));
  return dir;
}

const REFUSAL = /README\.md already exists and is not a regular file \(it is a folder, link or device\)/;

describe.skipIf(!POSIX)('the export review reads no link', () => {
  test('a link to a secret file is refused by the preview, with the writer\u2019s reason, and its target is not read', async () => {
    const dir = await folderWith('link', (path) => symlink(secretFile, path));
    const refused = await previewFiles(dir, files).then(
      () => null,
      (error: Error & { code?: string }) => error,
    );
    expect(refused?.message).toMatch(REFUSAL);
    expect((refused as { code?: string } | null)?.code).toBe('file_exists');
    expect(refused?.message).not.toContain(SECRET);
  });

  test('so are a dangling link, a link to a folder, a folder and a FIFO (which is not opened: no hang)', async () => {
    const dirs = [
      await folderWith('dangling', (path) => symlink(join(base, 'nowhere'), path)),
      await folderWith('link-to-folder', (path) => symlink(base, path)),
      await folderWith('folder', (path) => mkdir(path).then(() => undefined)),
      await folderWith('fifo', (path) => void execFileSync('mkfifo', [path])),
    ];
    for (const dir of dirs) await expect(previewFiles(dir, files), dir).rejects.toThrow(REFUSAL);
  });

  test('the notices about secret backups read no link either', async () => {
    const dir = await folderWith('notices', (path) => symlink(secretFile, path));
    await expect(secretBackupNotices(dir, files)).rejects.toThrow(REFUSAL);
  });

  test('a regular file is still read and compared, and a missing one is new', async () => {
    const dir = await folderWith('regular', (path) => writeFile(path, '# edited by hand\n'));
    expect(await previewFiles(dir, files)).toMatchObject([{ name: 'README.md', status: 'changed', existing: '# edited by hand\n' }]);
    const empty = join(base, 'empty');
    await mkdir(empty);
    expect(await previewFiles(empty, files)).toMatchObject([{ name: 'README.md', status: 'new', existing: null }]);
    expect(await secretBackupNotices(empty, files)).toEqual([]);
  });
});
