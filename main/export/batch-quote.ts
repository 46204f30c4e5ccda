import { AppError } from '../core/errors.js';
import { refuseControlCharacters } from './script-text.js';

const BAT_SCRIPT = 'the Windows script (anaplan-connect.bat)';

/**
 * Values in the .bat travel three parsers: cmd.exe reading `set "Name=value"`, cmd.exe again
 * inside AnaplanClient.bat (which turns on delayed expansion before it reads its arguments),
 * and the Windows C runtime splitting the java command line. What survives all three:
 * - `%` is written `%%` in the set line (a lone % would start a variable reference);
 * - `"` is refused: it would end the quoted setting and let the rest be read as commands;
 * - `!` is refused: AnaplanClient.bat's delayed expansion would delete or expand it;
 * - a value that ends a quoted java argument must not end with `\` (`\"` is an escaped quote).
 */
export function refuseBatchUnsafe(value: string, field: string): void {
  refuseControlCharacters(value, field, BAT_SCRIPT);
  if (value.includes('"')) {
    throw new AppError(
      'bad_input',
      `${field} contains a double quote ("), which cannot be written safely into ${BAT_SCRIPT}: cmd.exe would end the setting there and read the rest as commands. Nothing was generated. Remove the double quote, or generate the Linux script only.`,
      { field },
    );
  }
  if (value.includes('!')) {
    throw new AppError(
      'bad_input',
      `${field} contains "!", which AnaplanClient.bat cannot pass on to Anaplan Connect (it runs with delayed expansion, which deletes or replaces text around "!"). Nothing was generated. Remove the "!", or generate the Linux script only.`,
      { field },
    );
  }
}

/** `set "Name=value"`: everything between the quotes is literal to cmd.exe except `%`. */
export function batSetLine(name: string, value: string, field: string, options: { javaArgument: boolean }): string {
  refuseBatchUnsafe(value, field);
  if (options.javaArgument && value.endsWith('\\')) {
    throw new AppError(
      'bad_input',
      `${field} ends with a backslash (\\), which Java on Windows would read together with the closing quote as a literal quote. Nothing was generated. Remove the trailing backslash, or generate the Linux script only.`,
      { field },
    );
  }
  return `set "${name}=${escapePercent(value)}"`;
}

const OPTION_NAME = /^--?[A-Za-z][A-Za-z0-9_:-]*$/;

/**
 * One word of the Operation line (`set Operation=-file "Sales.csv" ...`): options bare, values in
 * double quotes, `%` doubled, and trailing backslashes doubled so the C runtime keeps them
 * (2n backslashes before a closing quote stand for n backslashes).
 */
export function batOperationWord(value: string, field: string): string {
  if (OPTION_NAME.test(value)) return value;
  refuseBatchUnsafe(value, field);
  const trailing = /\\*$/.exec(value)?.[0] ?? '';
  return `"${escapePercent(value)}${trailing}"`;
}

/**
 * `rem text`. cmd.exe still expands %...% on rem lines (a `%~` can abort the script) and a
 * trailing `^` would join the next line to the comment, so both are doubled.
 */
export function batRem(text: string, field = 'A comment'): string {
  refuseControlCharacters(text, field, BAT_SCRIPT);
  return text === '' ? 'rem' : `rem ${escapePercent(text).replaceAll('^', '^^')}`;
}

function escapePercent(value: string): string {
  return value.replaceAll('%', '%%');
}
