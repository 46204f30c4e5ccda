import { AppError } from '../errors.js';

/**
 * Rules shared by both script writers. A value that breaks a line (CR, LF) or cannot be held by
 * a shell at all (NUL) would let a setting escape its quotes, so it is refused, never escaped.
 */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function refuseControlCharacters(value: string, field: string, scriptName: string): void {
  if (CONTROL_CHARACTER.test(value)) {
    throw new AppError(
      'bad_input',
      `${field} contains a line break or another control character, which cannot be written safely into ${scriptName}. Nothing was generated. Remove it and try again.`,
      { field },
    );
  }
}

