import { refuseControlCharacters } from './script-text.js';

const SH_SCRIPT = 'the Linux script (anaplan-connect.sh)';

/**
 * Single-quotes a value for bash: inside '...' every character is literal (spaces, ", $, `, \,
 * !, *, ...), and a ' is written as '\'' (close, escaped quote, reopen).
 */
export function shQuote(value: string, field: string): string {
  refuseControlCharacters(value, field, SH_SCRIPT);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Anaplan Connect option names (`-file`, `--rotatable`) are left bare, as in the shipped examples. */
const OPTION_NAME = /^--?[A-Za-z][A-Za-z0-9_:-]*$/;

/** One word of a bash array: options bare, everything else single-quoted. */
export function shArrayWord(value: string, field: string): string {
  if (OPTION_NAME.test(value)) return value;
  return shQuote(value, field);
}

/** `# text` with the text checked for line breaks (a newline would end the comment). */
export function shComment(text: string, field = 'A comment'): string {
  refuseControlCharacters(text, field, SH_SCRIPT);
  return text === '' ? '#' : `# ${text}`;
}
