import { readdirSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppError } from '../../main/errors.js';
import { ensurePrivateDir, ensurePrivateDirSync, writeFileAtomic, writeFilesSafely, writeFilesSafelyReporting } from '../../main/fs/atomic.js';
import { failure, modeOf, restoreUmaskAfterEach, snapshot, useTempDir } from '../support/fixtures.js';

const dir = useTempDir('atomic-test-');
restoreUmaskAfterEach();

async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  return error;
}

describe('writeFileAtomic', () => {
  it.each([
    [0o600, 0o000],
    [0o755, 0o000],
    [0o600, 0o077],
    [0o755, 0o077],
    [0o644, 0o022],
  ])('applies mode %o exactly under umask %o', async (mode, umask) => {
    process.umask(umask);
    const path = join(dir(), 'file.txt');
    await writeFileAtomic(path, 'hello', mode);
    expect(await modeOf(path)).toBe(mode);
    expect(await readFile(path, 'utf8')).toBe('hello');
  });

  it('replaces an existing file and narrows its mode', async () => {
    const path = join(dir(), 'secret.txt');
    await writeFile(path, 'old', { mode: 0o666 });
    await chmod(path, 0o666);
    await writeFileAtomic(path, new TextEncoder().encode('new'), 0o600);
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(dir())).toEqual(['secret.txt']);
  });

  it('leaves no temp file behind when it fails', async () => {
    // The target is a folder: the rename fails after the temp file was written.
    await mkdir(join(dir(), 'taken'));
    await expectAppError(writeFileAtomic(join(dir(), 'taken'), 'x', 0o644), 'io');
    expect(await readdir(dir())).toEqual(['taken']);
  });
});

describe('ensurePrivateDir', () => {
  it('creates missing folders with 0700, even under a permissive umask', async () => {
    process.umask(0);
    const deep = join(dir(), 'a', 'b', 'c');
    await ensurePrivateDir(deep);
    for (const folder of [join(dir(), 'a'), join(dir(), 'a', 'b'), deep]) {
      expect(await modeOf(folder)).toBe(0o700);
    }
  });

  it('leaves the mode of existing folders alone', async () => {
    const existing = join(dir(), 'shared');
    await mkdir(existing);
    await chmod(existing, 0o755);
    await ensurePrivateDir(join(existing, 'new'));
    expect(await modeOf(existing)).toBe(0o755);
    expect(await modeOf(join(existing, 'new'))).toBe(0o700);
  });

  it('refuses a path that is a file', async () => {
    await writeFile(join(dir(), 'file'), 'x');
    await expectAppError(ensurePrivateDir(join(dir(), 'file')), 'io');
  });
});

describe('ensurePrivateDirSync (the settings folder, opened synchronously)', () => {
  it('creates missing folders with 0700 and leaves existing ones alone', async () => {
    process.umask(0);
    const existing = join(dir(), 'shared');
    await mkdir(existing);
    await chmod(existing, 0o755);
    ensurePrivateDirSync(join(existing, 'a', 'b'));
    expect(await modeOf(existing)).toBe(0o755);
    expect(await modeOf(join(existing, 'a'))).toBe(0o700);
    expect(await modeOf(join(existing, 'a', 'b'))).toBe(0o700);
    ensurePrivateDirSync(existing);
    expect(await modeOf(existing)).toBe(0o755);
  });

  it('refuses a path that is a file', async () => {
    await writeFile(join(dir(), 'file'), 'x');
    expect(() => ensurePrivateDirSync(join(dir(), 'file'))).toThrow(/not a folder/);
  });
});

describe('writeFilesSafely', () => {
  const files = [
    { name: 'job.sh', content: '#!/bin/bash\necho hi\n', mode: 0o755 },
    { name: 'README.md', content: '# Read me\n', mode: 0o644 },
  ];

  it('creates the files with exact modes and reports them', async () => {
    process.umask(0o077);
    const result = await writeFilesSafely(dir(), files, { overwrite: false });
    expect(result).toEqual([
      { path: join(dir(), 'job.sh'), status: 'created' },
      { path: join(dir(), 'README.md'), status: 'created' },
    ]);
    expect(await snapshot(dir())).toEqual({
      'README.md': { content: '# Read me\n', mode: 0o644 },
      'job.sh': { content: '#!/bin/bash\necho hi\n', mode: 0o755 },
    });
  });

  it('creates a missing target folder privately', async () => {
    const target = join(dir(), 'export', 'prod');
    await writeFilesSafely(target, files, { overwrite: false });
    expect(await modeOf(target)).toBe(0o700);
    expect((await readdir(target)).sort()).toEqual(['README.md', 'job.sh']);
  });

  it('reports identical files as unchanged and still fixes their mode', async () => {
    await writeFile(join(dir(), 'job.sh'), files[0]!.content);
    await chmod(join(dir(), 'job.sh'), 0o600);
    const result = await writeFilesSafely(dir(), files, { overwrite: false });
    expect(result.map((entry) => entry.status)).toEqual(['unchanged', 'created']);
    expect(await modeOf(join(dir(), 'job.sh'))).toBe(0o755);
    expect((await readdir(dir())).sort()).toEqual(['README.md', 'job.sh']);
  });

  it('refuses files that exist with other content, lists every one, and writes nothing', async () => {
    await writeFile(join(dir(), 'job.sh'), 'mine\n');
    await writeFile(join(dir(), 'README.md'), 'my notes\n');
    await writeFile(join(dir(), 'other.txt'), 'untouched\n');
    const before = await snapshot(dir());

    const error = await expectAppError(
      writeFilesSafely(dir(), [...files, { name: 'new.txt', content: 'new', mode: 0o644 }], { overwrite: false }),
      'file_exists',
    );
    expect(error.message).toContain('job.sh');
    expect(error.message).toContain('README.md');
    expect(error.message).not.toContain('new.txt');
    expect(error.message).toContain('--overwrite');
    expect(error.message).toMatch(/another folder/);
    expect(await snapshot(dir())).toEqual(before);
  });

  it('with overwrite, keeps numbered backups and never overwrites an existing backup', async () => {
    const path = join(dir(), 'job.sh');
    await writeFile(path, 'version 1\n');
    await writeFilesSafely(dir(), [{ name: 'job.sh', content: 'version 2\n', mode: 0o755 }], { overwrite: true });
    await writeFilesSafely(dir(), [{ name: 'job.sh', content: 'version 3\n', mode: 0o755 }], { overwrite: true });
    const result = await writeFilesSafely(dir(), [{ name: 'job.sh', content: 'version 4\n', mode: 0o755 }], { overwrite: true });

    expect(result).toEqual([{ path, status: 'replaced' }]);
    expect(await readFile(path, 'utf8')).toBe('version 4\n');
    expect(await readFile(`${path}.bak`, 'utf8')).toBe('version 1\n');
    expect(await readFile(`${path}.1.bak`, 'utf8')).toBe('version 2\n');
    expect(await readFile(`${path}.2.bak`, 'utf8')).toBe('version 3\n');
    expect((await readdir(dir())).sort()).toEqual(['job.sh', 'job.sh.1.bak', 'job.sh.2.bak', 'job.sh.bak']);
  });

  it('makes no backup of an unchanged file', async () => {
    await writeFile(join(dir(), 'job.sh'), files[0]!.content);
    await writeFilesSafely(dir(), files, { overwrite: true });
    expect((await readdir(dir())).sort()).toEqual(['README.md', 'job.sh']);
  });

  it('leaves the folder as it was when a write fails before the renames', async () => {
    await writeFile(join(dir(), 'job.sh'), 'mine\n');
    const before = await snapshot(dir());
    // 250 characters is a valid name, but its temp file name (".NAME.<random>.tmp") is too long,
    // so the second temp file fails after the first one was written.
    const tooLongForTemp = `${'x'.repeat(246)}.txt`;
    const error = await expectAppError(
      writeFilesSafely(
        dir(),
        [
          { name: 'job.sh', content: 'theirs\n', mode: 0o755 },
          { name: tooLongForTemp, content: 'x', mode: 0o644 },
        ],
        { overwrite: true },
      ),
      'io',
    );
    expect(error.message).toMatch(/too long/);
    expect(await snapshot(dir())).toEqual(before);
  });

  it.each(['../escape.txt', 'sub/file.txt', 'sub\\file.txt', '..', '.', '', 'a..b', 'line\nbreak'])(
    'refuses the name %j and writes nothing',
    async (name) => {
      await expectAppError(writeFilesSafely(dir(), [...files, { name, content: 'x', mode: 0o644 }], { overwrite: true }), 'bad_input');
      expect(await readdir(dir())).toEqual([]);
      expect(await readdir(join(dir(), '..'))).not.toContain('escape.txt');
    },
  );

  it('refuses the same name twice', async () => {
    await expectAppError(writeFilesSafely(dir(), [files[0]!, files[0]!], { overwrite: false }), 'bad_input');
    expect(await readdir(dir())).toEqual([]);
  });

  it('refuses to replace a folder or a symbolic link, even with overwrite', async () => {
    await mkdir(join(dir(), 'job.sh'));
    await expectAppError(writeFilesSafely(dir(), files, { overwrite: true }), 'file_exists');
    expect(await readdir(dir())).toEqual(['job.sh']);

    const outside = join(dir(), 'job.sh', 'outside.md');
    await writeFile(outside, 'outside\n');
    await symlink(outside, join(dir(), 'README.md'));
    await expectAppError(writeFilesSafely(dir(), [files[1]!], { overwrite: true }), 'file_exists');
    expect(await readFile(outside, 'utf8')).toBe('outside\n');
    expect((await readdir(dir())).sort()).toEqual(['README.md', 'job.sh']);
  });
});

describe('backups that are not to be kept (reasonNotToKeepBackup)', () => {
  const secretIn = (_name: string, previous: Buffer) => (previous.includes('SECRET') ? 'a secret' : null);

  it('makes no backup of a replaced file holding a secret, keeps the others, and reports it', async () => {
    await writeFile(join(dir(), 'job.sh'), 'password=SECRET\n', { mode: 0o700 });
    await writeFile(join(dir(), 'README.md'), 'old notes\n');
    const report = await writeFilesSafelyReporting(
      dir(),
      [
        { name: 'job.sh', content: 'password from the environment\n', mode: 0o755 },
        { name: 'README.md', content: 'new notes\n', mode: 0o644 },
      ],
      { overwrite: true, reasonNotToKeepBackup: secretIn },
    );
    expect(report.withheldBackups).toEqual([{ path: join(dir(), 'job.sh'), reason: 'a secret' }]);
    expect(report.files.map((f) => f.status)).toEqual(['replaced', 'replaced']);
    expect((await readdir(dir())).sort()).toEqual(['README.md', 'README.md.bak', 'job.sh']);
    expect(await readFile(join(dir(), 'job.sh'), 'utf8')).toBe('password from the environment\n');
    expect(await readFile(join(dir(), 'README.md.bak'), 'utf8')).toBe('old notes\n');
  });

  it('a refusal (conflict without overwrite) still leaves the file holding the secret untouched', async () => {
    await writeFile(join(dir(), 'job.sh'), 'password=SECRET\n');
    await expectAppError(writeFilesSafelyReporting(dir(), [{ name: 'job.sh', content: 'new\n', mode: 0o755 }], { overwrite: false, reasonNotToKeepBackup: secretIn }), 'file_exists');
    expect(await readdir(dir())).toEqual(['job.sh']);
    expect(await readFile(join(dir(), 'job.sh'), 'utf8')).toBe('password=SECRET\n');
  });

  it('is asked before anything is written, so no backup of it ever exists (none to remove, none to leave behind)', async () => {
    await writeFile(join(dir(), 'job.sh'), 'password=SECRET\n');
    const folderWhenAsked: string[][] = [];
    const asking = (name: string, previous: Buffer) => {
      folderWhenAsked.push(readdirSync(dir()).sort());
      return secretIn(name, previous);
    };
    const report = await writeFilesSafelyReporting(dir(), [{ name: 'job.sh', content: 'new\n', mode: 0o755 }], { overwrite: true, reasonNotToKeepBackup: asking });
    expect(folderWhenAsked).toEqual([['job.sh']]);
    expect(report.withheldBackups).toEqual([{ path: join(dir(), 'job.sh'), reason: 'a secret' }]);
    expect(await readdir(dir())).toEqual(['job.sh']);
    expect(await readFile(join(dir(), 'job.sh'), 'utf8')).toBe('new\n');
  });
});

const AS_ROOT = process.getuid?.() === 0;

describe.skipIf(!AS_ROOT)('replacing another account\u2019s file as root (skipped: needs root)', () => {
  const dir = useTempDir('atomic-owner-');

  it('keeps the replaced file\u2019s owner, so a job account can still read its own 0600 file', async () => {
    const path = join(dir(), 'ks_store.jks');
    await writeFile(path, 'old token\n', { mode: 0o600 });
    await chown(path, 4242, 4343);
    await writeFilesSafely(dir(), [{ name: 'ks_store.jks', content: 'rotated token\n', mode: 0o600 }], { overwrite: true });
    const info = await stat(path);
    expect([info.uid, info.gid, info.mode & 0o777]).toEqual([4242, 4343, 0o600]);
    expect(await readFile(path, 'utf8')).toBe('rotated token\n');
  });

  it('a new file, or one root owns, stays root\u2019s', async () => {
    await writeFilesSafely(dir(), [{ name: 'new.txt', content: 'x', mode: 0o600 }], { overwrite: true });
    expect((await stat(join(dir(), 'new.txt'))).uid).toBe(0);
  });
});
