import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../../main/errors.js';
import { decodeKeystoreAccess, encodeKeystoreAccess, KEYSTORE_ACCESS_RELATIVE_PATH, keystoreAccessPath } from '../../main/export/keystore-access.js';

/**
 * keystore-access.txt (anaplan-facts §5), checked against a real JDK: a small program reads each
 * file exactly as Anaplan Connect's Program.getKeyStorePassword does (java.util.Scanner tokens
 * joined, URLDecoder.decode(text, "UTF-8"), every char XORed with 129) and prints the password
 * as UTF-8 hex; it also encodes passwords with java.net.URLEncoder for a byte-for-byte comparison.
 */

const HAS_JDK = spawnSync('javac', ['-version']).status === 0;
if (!HAS_JDK) console.warn('SKIPPED keystore-access Java cross-checks: no JDK (javac) on this machine.');

const JAVA_PROBE = String.raw`
import java.io.File;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Scanner;

public class KeystoreAccessProbe {
  static String xor129(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) out.append((char) (c ^ 129));
    return out.toString();
  }

  static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) out.append(String.format("%02x", b));
    return out.toString();
  }

  // As Anaplan Connect's Program.readFileContents: Scanner tokens (whitespace dropped) joined.
  static String readFileContents(File file) throws Exception {
    StringBuilder contents = new StringBuilder((int) file.length());
    try (Scanner scanner = new Scanner(file)) {
      while (scanner.hasNext()) contents.append(scanner.next());
    }
    return contents.toString();
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    for (int i = 1; i < args.length; i++) {
      if (mode.equals("read")) {
        try {
          String password = xor129(URLDecoder.decode(readFileContents(new File(args[i])), "UTF-8"));
          System.out.println(hex(password.getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
          System.out.println("ERROR");
        }
      } else {
        // encode: the argument is the password as UTF-16 code units in hex ("0061,d83d"), so lone surrogates can be given.
        StringBuilder password = new StringBuilder();
        if (!args[i].isEmpty()) for (String unit : args[i].split(",")) password.append((char) Integer.parseInt(unit, 16));
        String encoded = URLEncoder.encode(xor129(password.toString()), "UTF-8");
        String readBack = xor129(URLDecoder.decode(encoded, "UTF-8"));
        System.out.println(encoded + " " + readBack.equals(password.toString()));
      }
    }
  }
}
`;

let dir: string;
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keystore-access-'));
  if (!HAS_JDK) return;
  await writeFile(join(dir, 'KeystoreAccessProbe.java'), JAVA_PROBE);
  const compiled = spawnSync('javac', ['-d', dir, join(dir, 'KeystoreAccessProbe.java')], { encoding: 'utf8' });
  if (compiled.status !== 0) throw new Error(`javac failed: ${compiled.stderr}`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function java(mode: 'read' | 'encode', args: string[]): string[] {
  const result = spawnSync('java', ['-cp', dir, 'KeystoreAccessProbe', mode, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`java failed: ${result.stderr}`);
  return result.stdout.split('\n').slice(0, args.length);
}

/** What Anaplan Connect reads from each file text: the password as UTF-8 hex, or ERROR. */
async function javaReads(fileTexts: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const text of fileTexts) {
    const path = join(dir, `keystore-access-${fileCount++}.txt`);
    await writeFile(path, text, 'utf8');
    paths.push(path);
  }
  return java('read', paths);
}

function utf16Units(text: string): string {
  return Array.from({ length: text.length }, (_, i) => text.charCodeAt(i).toString(16).padStart(4, '0')).join(',');
}

function utf8Hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

const PASSWORDS = [
  'simple',
  'with spaces  and   more',
  ' leading and trailing ',
  'colon:colon:',
  'per%cent%20%',
  'plus+plus++',
  `quotes "double" 'single' \`back\``,
  '$HOME ${PATH} $(id)',
  'back\\slash & ampersand | pipe ; semicolon < > ? # = , / @ ! ^ ~ [ ] { }',
  '.-*_ kept by URLEncoder',
  'pässwörd€',
  'ÄÖÜß àéîõü ñ ç',
  'Пароль-日本語-كلمة',
  'emoji 😀🔐 and 👩‍💻 joined',
  '\u00A1\u00A0\u0081\u0080\u00FF', // XOR 129 gives space, '!', NUL, 0x01 and 0x7E
  '\uFE7E BOM after XOR',           // XOR 129 gives U+FEFF, which Java's UTF-8 keeps
  '\uFFFF\uFFFE\uFFFD noncharacters',
  'tab\tand\nnewline\r\n',
  'x'.repeat(300),
];

/** Random well-formed text: code points from every range that matters (ASCII, Latin-1, BMP, astral). */
function randomPassword(): string {
  const ranges: [number, number][] = [[0x00, 0x7f], [0x80, 0xff], [0x100, 0xd7ff], [0xe000, 0xffff], [0x10000, 0x10ffff]];
  let text = '';
  for (let n = randomInt(1, 24); n > 0; n--) {
    const [low, high] = ranges[randomInt(ranges.length)] as [number, number];
    text += String.fromCodePoint(randomInt(low, high + 1));
  }
  return text;
}

describe('the password file path', () => {
  test('is ~/.anaplan/api-client/keystore-access.txt under the given home', () => {
    expect(KEYSTORE_ACCESS_RELATIVE_PATH).toBe('.anaplan/api-client/keystore-access.txt');
    expect(keystoreAccessPath('/home/batch')).toBe('/home/batch/.anaplan/api-client/keystore-access.txt');
  });
});

describe('encodeKeystoreAccess', () => {
  test('XORs with 129, then URL-encodes as UTF-8 like java.net.URLEncoder', () => {
    // 'a' ^ 129 = U+00E0 (C3 A0); '!' ^ 129 = U+00A0 (C2 A0); U+00A1 ^ 129 = ' ' → '+'; U+00AF ^ 129 = '.' (kept).
    expect(encodeKeystoreAccess('a')).toBe('%C3%A0');
    expect(encodeKeystoreAccess('!')).toBe('%C2%A0');
    expect(encodeKeystoreAccess('\u00A1\u00AF')).toBe('+.');
    expect(encodeKeystoreAccess('€')).toBe('%E2%80%AD');
    expect(encodeKeystoreAccess('secret')).toMatch(/^[A-Za-z0-9.\-*_+%]+$/);
  });

  test('refuses a lone surrogate and an empty password with bad_input', () => {
    for (const password of ['a\uD83Db', '\uDE00', 'end\uD83D', '']) {
      let caught: unknown;
      try {
        encodeKeystoreAccess(password);
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'bad_input'), JSON.stringify(password)).toBe(true);
    }
    expect(() => encodeKeystoreAccess('a\uD83D')).toThrow(/surrogate/);
  });

  test('decode(encode(p)) is p for fuzzed passwords', () => {
    for (let i = 0; i < 2_000; i++) {
      const password = randomPassword();
      expect(decodeKeystoreAccess(encodeKeystoreAccess(password)), utf16Units(password)).toBe(password);
    }
    for (const password of PASSWORDS) expect(decodeKeystoreAccess(encodeKeystoreAccess(password))).toBe(password);
  });
});

describe('decodeKeystoreAccess', () => {
  test('drops whitespace, reads + as a space, decodes %XX runs as UTF-8, XORs with 129', () => {
    const encoded = encodeKeystoreAccess('pässwörd €');
    expect(decodeKeystoreAccess(`  ${encoded.slice(0, 5)}\r\n\t${encoded.slice(5)}\n`)).toBe('pässwörd €');
    expect(decodeKeystoreAccess('+')).toBe('\u00A1');
  });

  test('follows Integer.parseInt in escapes: "%+1" is byte 1 and "%-0" byte 0', () => {
    expect(decodeKeystoreAccess('%+1%-0')).toBe('\u0080\u0081');
  });

  test('refuses what Java refuses, and %-escapes that are not UTF-8', () => {
    for (const text of ['%', '%4', '%G0', '%-1', 'abc%', '%C3', '%C3a%A4', '%ED%A0%BD', '%FF']) {
      expect(() => decodeKeystoreAccess(text), text).toThrow(/cannot hold a working password/);
    }
  });
});

describe.skipIf(!HAS_JDK)('against a real JDK', () => {
  test('Anaplan Connect reads back every password written by encodeKeystoreAccess', async () => {
    const passwords = [...PASSWORDS, ...Array.from({ length: 300 }, randomPassword)];
    const files = passwords.map((password, i) => (i % 2 ? `${encodeKeystoreAccess(password)}\n` : encodeKeystoreAccess(password)));
    const read = await javaReads(files);
    passwords.forEach((password, i) => expect(read[i], JSON.stringify(password)).toBe(utf8Hex(password)));
  });

  test('the file text is byte for byte what java.net.URLEncoder writes', () => {
    const passwords = [...PASSWORDS, ...Array.from({ length: 100 }, randomPassword)];
    const encoded = java('encode', passwords.map(utf16Units));
    passwords.forEach((password, i) => expect(encoded[i], JSON.stringify(password)).toBe(`${encodeKeystoreAccess(password)} true`));
  });

  test('Java cannot carry a lone surrogate through (it becomes "?"), which is why encode refuses it', () => {
    const [lone, pair] = java('encode', ['0061,d83d,0062', 'd83d,de00']);
    expect(lone).toBe('%C3%A0%3F%C3%A3 false');
    expect(pair).toBe(`${encodeKeystoreAccess('😀')} true`);
  });

  test('decodeKeystoreAccess reads hand-written files as Anaplan Connect does', async () => {
    const files = [
      'abc',
      '+%2B+',
      ' %C3%A0 \t%C3%A0\r\n%C3%A0 ',
      '%C3\n%A0', // whitespace between escapes of one character: dropped first, so the run is whole
      '\u001C%C3%A0\u001F\u000B\f', // Java's whitespace includes the information separators
      '%C3%A0\u2003%C3%A0\u3000', // and Unicode spaces (the file is read in the platform charset, UTF-8 here)
      '\u00A0%C3%A0\u202F', // but not the no-break spaces: they stay and are XORed like any character
      '%+1%-0',
      'Zz09.-*_',
      '%E2%82%AC%F0%9F%98%80',
      '%',
      '%G0',
      '%-1',
    ];
    const read = await javaReads(files);
    files.forEach((text, i) => {
      if (read[i] === 'ERROR') expect(() => decodeKeystoreAccess(text), text).toThrow(/cannot hold a working password/);
      else expect(utf8Hex(decodeKeystoreAccess(text)), JSON.stringify(text)).toBe(read[i]);
    });
    expect(read.filter((line) => line === 'ERROR')).toHaveLength(3);
  });

  test('where the escapes are not UTF-8 Java reads U+FFFD quietly; decode refuses instead', async () => {
    const [read] = await javaReads(['%C3a']);
    expect(read).toBe(utf8Hex(String.fromCharCode(0xfffd ^ 129, 'a'.charCodeAt(0) ^ 129)));
    expect(() => decodeKeystoreAccess('%C3a')).toThrow(/not UTF-8/);
  });
});
