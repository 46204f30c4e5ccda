import { readFile } from 'node:fs/promises';
import { AppError } from '../core/errors.js';

/** Reads a file a person named on the command line, with an error that says which file and why. */
export async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError('bad_input', `Cannot read the ${what} file ${path} (${code === 'ENOENT' ? 'it does not exist' : (code ?? 'error')}).`);
  }
}
