import { AppError } from '../errors.js';
import { readFileUpTo } from '../fs/bounded-read.js';

/** A keystore or certificate is a few kilobytes; the certificate importer reads at most this much too. */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;

/** Reads a file a person named on the command line, with an error that says which file and why. */
export async function readInput(path: string, what: string): Promise<Buffer> {
  return readNamedFile(path, `the ${what} file`, MAX_INPUT_BYTES);
}

/**
 * Reads `path` (`description` names it in messages, e.g. "the keystore file") up to `limit` bytes.
 * Pipes work (`--password-file <(…)`); /dev/zero or a huge file is refused after `limit` bytes
 * instead of filling the memory.
 */
export function readNamedFile(path: string, description: string, limit: number): Buffer {
  let bytes: Buffer | null;
  try {
    bytes = readFileUpTo(path, limit);
  } catch (error) {
    throw new AppError('bad_input', `Cannot read ${description} ${path} (${reasonOf(error)}).`);
  }
  if (!bytes) throw new AppError('bad_input', `Cannot read ${description} ${path}: it is larger than ${limit.toLocaleString('en')} bytes, far too big for what it should be. Check the path.`);
  return bytes;
}

function reasonOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  switch (code) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return 'the path contains a character no file name can hold';
    default:
      return code ?? 'error';
  }
}
