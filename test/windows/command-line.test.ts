import { describe, expect, test } from 'vitest';
import { splitCommandLine, windowsPath } from './cmd.js';

/**
 * The splitter the windows suite reads recorded command lines with: the Microsoft C runtime's
 * rules (Microsoft's "Parsing C++ command-line arguments" table), which Java's launcher follows.
 * Pure TypeScript: runs whether or not Wine is here.
 */
describe('splitting a Windows command line as Java and the C runtime do', () => {
  test.each([
    ['"abc" d e', ['abc', 'd', 'e']],
    ['a\\\\\\b d"e f"g h', ['a\\\\\\b', 'de fg', 'h']],
    ['a\\\\\\"b c d', ['a\\"b', 'c', 'd']],
    ['a\\\\\\\\"b c" d e', ['a\\\\b c', 'd', 'e']],
    ['a"b"" c d', ['ab" c d']],
  ])("Microsoft's table: %s", (line, expected) => {
    expect(splitCommandLine(`prog ${line}`)).toEqual(['prog', ...expected]);
  });

  test('the program name runs to the next quote, backslashes and all; spaces and tabs between arguments are dropped', () => {
    expect(splitCommandLine('"C:\\Program Files\\x\\"java.exe  \t-user  "a b:c"')).toEqual(['C:\\Program Files\\x\\', 'java.exe', '-user', 'a b:c']);
    expect(splitCommandLine('Z:\\bin\\recorder.exe')).toEqual(['Z:\\bin\\recorder.exe']);
    expect(splitCommandLine('p ""  "" x')).toEqual(['p', '', '', 'x']);
  });

  test('a value quoted the way the .bat writes words (trailing backslashes doubled) comes back unchanged', () => {
    for (const value of ['C:\\data\\', 'a b\\\\', '& ^ % ( ) ; , = < > | * ?', 'CORP\\svc:p w', '']) {
      const trailing = /\\*$/.exec(value)?.[0] ?? '';
      expect(splitCommandLine(`p "${value}${trailing}"`)).toEqual(['p', value]);
    }
  });

  test("Linux paths are named on Wine's Z: drive", () => {
    expect(windowsPath('/tmp/a b&c/x.bat')).toBe('Z:\\tmp\\a b&c\\x.bat');
    expect(() => windowsPath('relative/x.bat')).toThrow(/absolute/);
  });
});
