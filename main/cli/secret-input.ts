import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { AppError } from '../errors.js';
import { readNamedFile } from './read-input.js';

/**
 * Secrets reach the CLI through a file, an environment variable or a prompt: never as a flag
 * value, which would sit in shell history and in the process list.
 */
export interface SecretSource {
  file?: string | undefined;
  env?: string | undefined;
}

export async function readSecret(label: string, flag: string, source: SecretSource, options: { allowPrompt: boolean }): Promise<string> {
  const given = readGivenSecret(label, flag, source);
  if (given !== null) return given;
  if (!options.allowPrompt || !process.stdin.isTTY) {
    throw new AppError('bad_input', `No ${label} given. Pass --${flag}-file PATH or --${flag}-env VARIABLE (there is no terminal to ask on).`);
  }
  const value = await promptHidden(`${capitalise(label)}: `);
  if (!value) throw new AppError('bad_input', `No ${label} entered.`);
  return value;
}

/** The secret from --X-file or --X-env, or null when neither was given. */
export function readGivenSecret(label: string, flag: string, source: SecretSource): string | null {
  if (source.file && source.env) throw new AppError('bad_input', `Give the ${label} either with --${flag}-file or with --${flag}-env, not both.`);
  if (source.file) return readSecretFile(label, source.file);
  if (source.env) {
    const value = process.env[source.env];
    if (!value) throw new AppError('bad_input', `The environment variable ${source.env} (named by --${flag}-env) is empty or not set.`);
    return value;
  }
  return null;
}

/** A secret is a line of text; a file far bigger is the wrong file (or /dev/zero). */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

function readSecretFile(label: string, path: string): string {
  const text = readNamedFile(path, `the ${label} file`, MAX_SECRET_FILE_BYTES).toString('utf8');
  // One trailing line end is what editors and `echo` add; it is not part of the secret.
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new AppError('bad_input', `The ${label} file ${path} is empty.`);
  return value;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    let muted = false;
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (!muted) process.stderr.write(chunk);
        callback();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    process.stderr.write(question);
    muted = true;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
