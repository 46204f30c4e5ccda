// Issue 13, findings 8 and 9, on the mechanism itself (main/fs/atomic.ts, and the token store
// that writes through it):
// - 8: a mode set on a file found "unchanged" (or on a folder just created) went through the
//   path, so another account swapping that name for a symbolic link between the check and the
//   chmod changed the mode of the file the link points to. Modes are now set on a handle opened
//   with O_NOFOLLOW, on the very file that was checked; and a folder others can write in (without
//   the sticky bit), the target or one above it, is named in a warning.
// - 9: a replaced file holding a secret is never copied to a backup, not even for a moment; a
//   failed multi-file write still puts the folder back.
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTokenStore, tokenStoreFileName, writeTokenStore } from '../../main/anaplan/token-store.js';
import { ensurePrivateDirSync, writeFilesSafelyReporting, writeStepHooks, type WriteStep } from '../../main/fs/atomic.js';
import { failure, modeOf, useTempDir } from '../support/fixtures.js';

const work = useTempDir('atomic-races-');
const POSIX = process.platform !== 'win32';

afterEach(() => {
  delete writeStepHooks.reached;
});

/** Runs `attack` once, the first time the write reaches `step` (for the file or folder named `name`). */
function atStep(step: WriteStep, name: string, attack: (path: string) => void): void {
  let done = false;
  writeStepHooks.reached = (reached, path) => {
    if (done || reached !== step || !path.endsWith(`/${name}`)) return;
    done = true;
    attack(path);
  };
}

/** A file only its owner may read: what a root-only file is to root. */
function privateFileOutside(): string {
  const outside = join(work(), 'elsewhere');
  mkdirSync(outside, { recursive: true });
  const path = join(outside, 'shadow');
  writeFileSync(path, 'not yours\n', { mode: 0o600 });
  return path;
}

const swapForLinkTo = (target: string) => (path: string) => {
  unlinkSync(path);
  symlinkSync(target, path);
};

describe.skipIf(!POSIX)('finding 8: a name swapped for a link just before its mode is set', () => {
  it("an 'unchanged' file swapped for a link: the linked file keeps its mode, and the write refuses", async () => {
    const dir = join(work(), 'out');
    await mkdir(dir);
    await writeFile(join(dir, 'README.md'), 'notes\n', { mode: 0o600 });
    const victim = privateFileOutside();
    atStep('before-mode', 'README.md', swapForLinkTo(victim));

    const error = await failure(writeFilesSafelyReporting(dir, [{ name: 'README.md', content: 'notes\n', mode: 0o644 }], { overwrite: true }));
    expect(error.message).toMatch(/README\.md/);
    expect(error.message).toMatch(/link|changed/);
    expect(await modeOf(victim)).toBe(0o600);
    expect(readFileSync(victim, 'utf8')).toBe('not yours\n');
  });

  it("an 'unchanged' file swapped for another file: that file's mode is not touched either", async () => {
    const dir = join(work(), 'out');
    await mkdir(dir);
    await writeFile(join(dir, 'README.md'), 'notes\n', { mode: 0o600 });
    atStep('before-mode', 'README.md', (path) => {
      writeFileSync(`${path}.theirs`, 'notes\n', { mode: 0o600 });
      renameSync(`${path}.theirs`, path);
    });
    await failure(writeFilesSafelyReporting(dir, [{ name: 'README.md', content: 'notes\n', mode: 0o644 }], { overwrite: true }));
    expect(await modeOf(join(dir, 'README.md'))).toBe(0o600);
  });

  it('the token store holding the same token, swapped for a link: the linked file keeps its mode', async () => {
    const clientId = '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e';
    const dir = join(work(), 'home');
    const { path } = await writeTokenStore(dir, clientId, 'refresh-1', { overwrite: false });
    await chmod(path, 0o644); // as Anaplan Connect leaves it under a 022 umask: to be made 0600
    const victim = privateFileOutside();
    await chmod(victim, 0o640);
    atStep('before-mode', tokenStoreFileName(clientId), swapForLinkTo(victim));

    await failure(writeTokenStore(dir, clientId, 'refresh-1', { overwrite: false }));
    expect(await modeOf(victim)).toBe(0o640);
  });

  it('a folder just created, swapped for a link before it is made 0700: the linked folder keeps its mode', async () => {
    const victim = join(work(), 'shared-folder');
    await mkdir(victim);
    await chmod(victim, 0o755);
    atStep('before-mode', 'new', (path) => {
      rmSync(path, { recursive: true });
      symlinkSync(victim, path);
    });
    expect(() => ensurePrivateDirSync(join(work(), 'new'))).toThrow();
    expect(await modeOf(victim)).toBe(0o755);
  });
});

describe.skipIf(!POSIX)('finding 8: a folder that other accounts can write in is named in a warning', () => {
  const files = [{ name: 'job.sh', content: '#!/bin/sh\n', mode: 0o700 }];

  it('world-writable without the sticky bit: the target folder, and a folder above the target', async () => {
    const shared = join(work(), 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    const direct = await writeFilesSafelyReporting(shared, files, { overwrite: false });
    expect(direct.warnings).toEqual([expect.stringContaining(shared)]);
    expect(direct.warnings[0]).toMatch(/other accounts/);
    expect(direct.warnings[0]).toMatch(/0777/);

    const below = await writeFilesSafelyReporting(join(shared, 'job'), files, { overwrite: false });
    expect(below.warnings).toEqual([expect.stringContaining(`${shared} `)]);
  });

  it('group-writable without the sticky bit: warned too', async () => {
    const team = join(work(), 'team');
    await mkdir(team);
    await chmod(team, 0o770);
    expect((await writeFilesSafelyReporting(team, files, { overwrite: false })).warnings).toEqual([expect.stringContaining(team)]);
  });

  it('a sticky folder (as /tmp is), or a private one, gives no warning', async () => {
    const sticky = join(work(), 'sticky');
    await mkdir(sticky);
    await chmod(sticky, 0o1777);
    expect((await writeFilesSafelyReporting(sticky, files, { overwrite: false })).warnings).toEqual([]);
    expect((await writeFilesSafelyReporting(join(sticky, 'mine'), files, { overwrite: false })).warnings).toEqual([]);
    expect((await writeFilesSafelyReporting(work(), files, { overwrite: false })).warnings).toEqual([]);
  });

  it('the token store in a world-writable folder: the warning comes back with it', async () => {
    const shared = join(work(), 'shared');
    await mkdir(shared);
    await chmod(shared, 0o777);
    const written = await writeTokenStore(shared, '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e', 'refresh-1', { overwrite: false });
    expect(written.warnings).toEqual([expect.stringContaining(shared)]);
    const quiet = await writeTokenStore(join(work(), 'private'), '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e', 'refresh-1', { overwrite: false });
    expect(quiet).not.toHaveProperty('warnings');
  });
});

describe('finding 9: a replaced file holding a secret has no backup, even for a moment', () => {
  const secretIn = (_name: string, previous: Buffer) => (previous.includes('SECRET') ? 'a secret' : null);

  /** Every name in the folder (temp files included) whose bytes hold the text. */
  const holding = (dir: string, text: string) => readdirSync(dir).filter((name) => lstatSync(join(dir, name)).isFile() && readFileSync(join(dir, name)).includes(text));

  it('no copy of the old secret exists at any step of the write', async () => {
    const dir = work();
    await writeFile(join(dir, 'job.sh'), 'password=SECRET-1\n', { mode: 0o700 });
    await writeFile(join(dir, 'README.md'), 'old notes\n');
    const copies: string[] = [];
    writeStepHooks.reached = () => {
      copies.push(...holding(dir, 'SECRET-1').filter((name) => name !== 'job.sh'));
    };
    const report = await writeFilesSafelyReporting(
      dir,
      [
        { name: 'job.sh', content: 'password from the environment\n', mode: 0o700 },
        { name: 'README.md', content: 'new notes\n', mode: 0o644 },
      ],
      { overwrite: true, reasonNotToKeepBackup: secretIn },
    );
    expect(copies).toEqual([]);
    expect(report.withheldBackups).toEqual([{ path: join(dir, 'job.sh'), reason: 'a secret' }]);
    expect((await readdir(dir)).sort()).toEqual(['README.md', 'README.md.bak', 'job.sh']);
  });

  it.skipIf(!POSIX)('a rename failing after a secret file was replaced: the folder is put back, the old secret only in its own file', async () => {
    const dir = work();
    await writeFile(join(dir, 'a.sh'), 'password=SECRET-a\n', { mode: 0o700 });
    await writeFile(join(dir, 'b.sh'), 'password=SECRET-b\n', { mode: 0o700 });
    await writeFile(join(dir, 'README.md'), 'old notes\n', { mode: 0o644 });
    const copies: string[] = [];
    let sabotaged = false;
    writeStepHooks.reached = (step, path) => {
      copies.push(...holding(dir, 'SECRET-a').filter((name) => name !== 'a.sh'), ...holding(dir, 'SECRET-b').filter((name) => name !== 'b.sh'));
      if (sabotaged || step !== 'renamed') return;
      // Once the first script is replaced, the name of the other becomes a folder: its rename fails.
      const left = path.endsWith('/a.sh') ? 'b.sh' : path.endsWith('/b.sh') ? 'a.sh' : null;
      if (left === null) return;
      sabotaged = true;
      rmSync(join(dir, left));
      mkdirSync(join(dir, left));
      writeFileSync(join(dir, left, 'keep'), 'x');
    };
    const error = await failure(
      writeFilesSafelyReporting(
        dir,
        [
          { name: 'a.sh', content: 'password from the environment\n', mode: 0o755 },
          { name: 'b.sh', content: 'password from the environment\n', mode: 0o755 },
          { name: 'README.md', content: 'new notes\n', mode: 0o644 },
        ],
        { overwrite: true, reasonNotToKeepBackup: secretIn },
      ),
    );
    expect(error.code).toBe('io');
    expect(copies).toEqual([]);
    const restored = readdirSync(dir).filter((name) => name !== 'a.sh' && name !== 'b.sh').sort();
    expect(restored).toEqual(['README.md']);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('old notes\n');
    const stillFile = lstatSync(join(dir, 'a.sh')).isFile() ? 'a.sh' : 'b.sh';
    expect(await readFile(join(dir, stillFile), 'utf8')).toBe(`password=SECRET-${stillFile[0]}\n`);
    expect(await modeOf(join(dir, stillFile))).toBe(0o700);
  });
});

describe('finding 4: a rotated refresh token keeps no backup of the retired one', () => {
  const clientId = '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e';

  it('with .bak up to .999.bak already there, the next rotation is still saved, and adds no backup', async () => {
    const dir = work();
    const { path } = await writeTokenStore(dir, clientId, 'refresh-0', { overwrite: false });
    for (let n = 0; n < 1000; n++) writeFileSync(n === 0 ? `${path}.bak` : `${path}.${n}.bak`, 'an old backup', { mode: 0o600 });
    const before = readdirSync(dir).sort();
    expect(await writeTokenStore(dir, clientId, 'refresh-1', { overwrite: true })).toEqual({ path, status: 'replaced' });
    expect(readTokenStore(await readFile(path), clientId)).toBe('refresh-1');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('25 rotations in a row: the folder holds the store alone, with the newest token', async () => {
    const dir = work();
    const file = tokenStoreFileName(clientId);
    for (let n = 0; n < 25; n++) await writeTokenStore(dir, clientId, `refresh-${n}`, { overwrite: true });
    expect(await readdir(dir)).toEqual([file]);
    expect(readTokenStore(await readFile(join(dir, file)), clientId)).toBe('refresh-24');
  });
});
