import { listCharacters } from '../anaplan/latin1.js';
import { AppError } from '../errors.js';
import { refuseControlCharacters } from './script-text.js';

const BAT_SCRIPT = 'the Windows script (anaplan-connect.bat)';

/**
 * Values in the .bat travel three parsers: cmd.exe reading `set "Name=value"`, cmd.exe again
 * inside AnaplanClient.bat (which turns on delayed expansion before it reads its arguments),
 * and the Windows C runtime splitting the java command line. What survives all three:
 * - ASCII only: the file is ASCII throughout (see refuseNonAscii);
 * - `%` is written `%%` in the set line (a lone % would start a variable reference);
 * - `"` is refused: it would end the quoted setting and let the rest be read as commands;
 * - `!` is refused: AnaplanClient.bat's delayed expansion would delete or expand it;
 * - a value that ends a quoted java argument must not end with `\` (`\"` is an escaped quote).
 */
export function refuseBatchUnsafe(value: string, field: string): void {
  refuseCommandUnsafe(value, field);
  if (value.includes('"')) {
    throw new AppError(
      'bad_input',
      `${field} contains a double quote ("), which cannot be written safely into ${BAT_SCRIPT}: cmd.exe would end the setting there and read the rest as commands. Nothing was generated. Remove the double quote, or generate the Linux script only.`,
      { field },
    );
  }
}

/** What no value of the .bat may hold, a command line (OnFailure) included: control characters, non-ASCII, `!`. */
function refuseCommandUnsafe(value: string, field: string): void {
  refuseControlCharacters(value, field, BAT_SCRIPT);
  refuseNonAscii(value, field);
  if (value.includes('!')) {
    throw new AppError(
      'bad_input',
      `${field} contains "!", which AnaplanClient.bat cannot pass on to Anaplan Connect (it runs with delayed expansion, which deletes or replaces text around "!"). Nothing was generated. Remove the "!", or generate the Linux script only.`,
      { field },
    );
  }
}

/**
 * The .bat is ASCII throughout, so that no code page can change what it says. It is written as
 * UTF-8, but cmd.exe reads a batch file in the console's OEM code page (437, 850, 932...), which
 * the export cannot know, and `chcp 65001` cannot be proven here (Wine's cmd does not model code
 * pages). Even read right, a value passes on through Java's command line, which the Java launcher
 * reads in the Windows ANSI code page (1252, 1250, 932...): a character outside it becomes "?".
 * So a value beyond ASCII is refused, saying why and what to do.
 */
function refuseNonAscii(value: string, field: string): void {
  const characters = [...new Set([...value].filter((character) => (character.codePointAt(0) ?? 0) > 0x7f))];
  if (characters.length === 0) return;
  throw new AppError(
    'bad_input',
    `${field} contains ${listCharacters(characters)}, outside ASCII, which ${BAT_SCRIPT} cannot carry unchanged: cmd.exe reads a batch file in the console's code page (such as 437 or 850), not as the UTF-8 it is written in, so the value would reach Anaplan Connect garbled; and Java reads its command line in the Windows ANSI code page (such as 1252), where a character it lacks becomes "?" whatever the script does. Nothing was generated. Use plain ASCII there (for a name: rename the import, export, process or file in Anaplan, or the file or folder on disk; for a password or passphrase: have the job read it from an environment variable), or generate the Linux script only, which passes such values unchanged.`,
    { field },
  );
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

/**
 * `set "Name=command"` for a command line the script runs (OnFailure): it may hold double quotes,
 * such as `"C:\Program Files\notify.exe" "%ANAPLAN_JOB_LOG%"`. cmd.exe's quote state flips at every
 * `"`, so the command's own quotes can leave part of it outside quotes on the set line: there
 * `^ & | < >` get a caret (cmd.exe removes it and keeps the character), and `%` is doubled everywhere.
 * The value that arrives is the command exactly as given.
 */
export function batCommandSetLine(name: string, value: string, field: string): string {
  refuseCommandUnsafe(value, field);
  return `set "${name}=${escapeForCmd(value, true)}"`;
}

/**
 * A command line to paste into a command prompt (schtasks.txt), escaped for cmd.exe: where a
 * character stands outside double quotes in cmd.exe's reading (its quote state flips at every `"`,
 * a backslash does not escape it), `^ & | < >` get a caret, which cmd.exe removes. The program
 * gets the line as written. `%` is refused: at a command prompt nothing keeps `%NAME%` from
 * expanding inside quotes, and outside them the usual `%^` trick is not proven here (Wine's cmd
 * keeps the caret).
 */
export function cmdCommandLine(line: string, field: string, fix: string): string {
  if (line.includes('%')) {
    throw new AppError('bad_input', `${field} contains "%", which a command prompt reads as the start of a variable name. Nothing was generated. ${fix}`, { field });
  }
  return escapeForCmd(line, false);
}

const CMD_OPERATORS = '^&|<>';

/** `^ & | < >` escaped where they stand outside double quotes, starting inside or outside; `%` doubled (a batch line). */
function escapeForCmd(text: string, insideQuotes: boolean): string {
  let inside = insideQuotes;
  let out = '';
  for (const character of text) {
    if (character === '"') inside = !inside;
    if (character === '%') out += '%%';
    else out += !inside && CMD_OPERATORS.includes(character) ? `^${character}` : character;
  }
  return out;
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
 * trailing `^` would join the next line to the comment, so both are doubled. A comment is for
 * people only, so text beyond ASCII is written in ASCII (é as e, – as -, others as ?): the file
 * stays ASCII throughout (see refuseNonAscii).
 */
export function batRem(text: string, field = 'A comment'): string {
  refuseControlCharacters(text, field, BAT_SCRIPT);
  return text === '' ? 'rem' : `rem ${escapePercent(asciiComment(text)).replaceAll('^', '^^')}`;
}

const ASCII_PUNCTUATION: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"', '\u00ab': '"', '\u00bb': '"', '\u2039': '"', '\u203a': '"',
  '\u2013': '-', '\u2014': '-', '\u2212': '-', '\u2026': '...', '\u00a0': ' ', '\u00df': 'ss', '\u00e6': 'ae', '\u00c6': 'AE', '\u00f8': 'o', '\u00d8': 'O',
};

function asciiComment(text: string): string {
  return [...text.normalize('NFKD').replace(/\p{M}/gu, '')]
    .map((character) => ((character.codePointAt(0) ?? 0) <= 0x7f ? character : (ASCII_PUNCTUATION[character] ?? '?')))
    .join('');
}

function escapePercent(value: string): string {
  return value.replaceAll('%', '%%');
}
