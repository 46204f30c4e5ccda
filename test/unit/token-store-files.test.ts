// Writing Anaplan Connect's refresh-token store to disk: where (tokenStoreDir), how (0600 in a
// 0700 folder, atomic, no debris) and when an existing store may be replaced.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { buildTokenStore, readTokenStore, tokenStoreDir, tokenStoreFileName, writeTokenStore } from '../../main/anaplan/token-store.js';
import { AppError } from '../../main/errors.js';

const CLIENT_ID = '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e';
const FILE = tokenStoreFileName(CLIENT_ID);
const POSIX = process.platform !== 'win32';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'token-store-files-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('tokenStoreDir', () => {
  it('is $AC_OAUTH_KEYSTORE_DIR when set, used as given', () => {
    expect(tokenStoreDir({ AC_OAUTH_KEYSTORE_DIR: '/srv/anaplan/oauth' }, '/home/job')).toBe('/srv/anaplan/oauth');
    expect(tokenStoreDir({ AC_OAUTH_KEYSTORE_DIR: ' relative dir ' }, '/home/job')).toBe(' relative dir ');
  });

  it('is the home when the variable is missing or blank (StringUtils.isNotBlank)', () => {
    expect(tokenStoreDir({}, '/home/job')).toBe('/home/job');
    expect(tokenStoreDir({ AC_OAUTH_KEYSTORE_DIR: '' }, '/home/job')).toBe('/home/job');
    expect(tokenStoreDir({ AC_OAUTH_KEYSTORE_DIR: ' \t\n' }, '/home/job')).toBe('/home/job');
    // Java's Character.isWhitespace does not count a no-break space: Anaplan Connect would use it.
    expect(tokenStoreDir({ AC_OAUTH_KEYSTORE_DIR: '\u00a0' }, '/home/job')).toBe('\u00a0');
  });

  it("defaults to the account's home from the account database, as Java's user.home (not $HOME)", () => {
    expect(tokenStoreDir({})).toBe(userInfo().homedir);
  });
});

describe('writeTokenStore', () => {
  it.skipIf(!POSIX)('creates missing folders 0700 and the store 0600, whatever the umask, leaving no temp file', async () => {
    const previous = process.umask(0o000);
    try {
      const dir = join(work, 'fresh', 'nested', 'oauth');
      const written = await writeTokenStore(dir, CLIENT_ID, 'refresh-1', { overwrite: false });
      expect(written).toEqual({ path: join(dir, FILE), status: 'created' });
      expect(await modeOf(written.path)).toBe(0o600);
      for (const folder of [join(work, 'fresh'), join(work, 'fresh', 'nested'), dir]) expect(await modeOf(folder)).toBe(0o700);
      expect(await readdir(dir)).toEqual([FILE]);
      expect(readTokenStore(await readFile(written.path), CLIENT_ID)).toBe('refresh-1');
    } finally {
      process.umask(previous);
    }
  });

  it.skipIf(!POSIX)('leaves an existing folder as it is', async () => {
    const dir = join(work, 'existing-folder');
    await mkdir(dir);
    await chmod(dir, 0o755);
    await writeTokenStore(dir, CLIENT_ID, 'refresh-1', { overwrite: false });
    expect(await modeOf(dir)).toBe(0o755);
  });

  it('the same token again: unchanged, the file not rewritten, its mode made 0600', async () => {
    const dir = join(work, 'unchanged');
    const { path } = await writeTokenStore(dir, CLIENT_ID, 'refresh-1', { overwrite: false });
    const before = await readFile(path);
    if (POSIX) await chmod(path, 0o644);
    expect(await writeTokenStore(dir, CLIENT_ID, 'refresh-1', { overwrite: false })).toEqual({ path, status: 'unchanged' });
    expect((await readFile(path)).equals(before)).toBe(true);
    if (POSIX) expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(dir)).toEqual([FILE]);
  });

  it('another token without overwrite: refused, nothing touched', async () => {
    const dir = join(work, 'refused');
    const { path } = await writeTokenStore(dir, CLIENT_ID, 'refresh-1', { overwrite: false });
    const before = await readFile(path);
    const error = await rejection(writeTokenStore(dir, CLIENT_ID, 'refresh-2', { overwrite: false }));
    expect(error.code).toBe('file_exists');
    expect(error.message).toContain(path);
    expect(error.message).toContain('Nothing was written');
    expect(error.message).not.toContain('refresh-1');
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual([FILE]);
  });

  it('another token with overwrite (a re-registration, a rotation): replaced, 0600, and no copy of the old store kept', async () => {
    const dir = join(work, 'replaced');
    const { path } = await writeTokenStore(dir, CLIENT_ID, 'refresh-1', { overwrite: false });
    if (POSIX) await chmod(path, 0o644); // as Anaplan Connect leaves it under a 022 umask
    expect(await writeTokenStore(dir, CLIENT_ID, 'refresh-2', { overwrite: true })).toEqual({ path, status: 'replaced' });
    expect(await writeTokenStore(dir, CLIENT_ID, 'refresh-3', { overwrite: true })).toEqual({ path, status: 'replaced' });
    // Issue 13: a .bak per rotation kept retired refresh tokens, and ran out of names after 1,000.
    expect(await readdir(dir)).toEqual([FILE]);
    expect(readTokenStore(await readFile(path), CLIENT_ID)).toBe('refresh-3');
    if (POSIX) expect(await modeOf(path)).toBe(0o600);
  });

  it('a damaged store is replaced only with overwrite', async () => {
    const dir = join(work, 'damaged');
    await mkdir(dir);
    await writeFile(join(dir, FILE), buildTokenStore(CLIENT_ID, 'refresh-1').subarray(0, 100));
    expect((await rejection(writeTokenStore(dir, CLIENT_ID, 'refresh-2', { overwrite: false }))).code).toBe('file_exists');
    expect((await writeTokenStore(dir, CLIENT_ID, 'refresh-2', { overwrite: true })).status).toBe('replaced');
    expect(readTokenStore(await readFile(join(dir, FILE)), CLIENT_ID)).toBe('refresh-2');
  });

  it('a folder in the way is never replaced', async () => {
    const dir = join(work, 'folder-in-the-way');
    await mkdir(join(dir, FILE), { recursive: true });
    expect((await rejection(writeTokenStore(dir, CLIENT_ID, 'refresh-1', { overwrite: true }))).code).toBe('file_exists');
  });

  it('bad input is refused before anything is created', async () => {
    const dir = join(work, 'never-created');
    expect((await rejection(writeTokenStore(dir, CLIENT_ID, '  ', { overwrite: true }))).code).toBe('bad_input');
    expect((await rejection(writeTokenStore(dir, 'not a client id', 'refresh-1', { overwrite: true }))).code).toBe('bad_input');
    await expect(stat(dir)).rejects.toThrow();
  });
});
