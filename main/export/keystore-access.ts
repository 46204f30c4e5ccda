import { join } from 'node:path';
import { AppError } from '../errors.js';

/**
 * Anaplan Connect's keystore password file (anaplan-facts §5): without `-keystorepass` it reads
 * `~/.anaplan/api-client/keystore-access.txt`, drops whitespace, URL-decodes the text as UTF-8
 * (`+` is a space) and XORs every character with 129. So the file holds
 * urlencode_utf8(xor129(password)). Obfuscation, not encryption.
 */

export const KEYSTORE_ACCESS_RELATIVE_PATH = '.anaplan/api-client/keystore-access.txt';

export function keystoreAccessPath(homeDir: string): string {
  return join(homeDir, ...KEYSTORE_ACCESS_RELATIVE_PATH.split('/'));
}

const XOR_MASK = 129;

/** XOR of every UTF-16 code unit, as Java's `(char) (c ^ 129)`. */
function xor129(text: string): string {
  let result = '';
  for (let i = 0; i < text.length; i++) result += String.fromCharCode(text.charCodeAt(i) ^ XOR_MASK);
  return result;
}

/** In a `u` regex a surrogate pair is one code point, so only a half pair matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Characters java.net.URLEncoder keeps as they are (a space becomes '+'). */
const URL_SAFE = /^[A-Za-z0-9.\-*_]$/;

/**
 * The file's text, without a line ending (Anaplan Connect drops whitespace, so one may be added).
 * Refuses a password Java would not read back unchanged: XOR 129 keeps a UTF-16 surrogate a
 * surrogate of the same kind, so pairs (emoji) survive, but a lone surrogate becomes '?' in
 * Java's UTF-8 encoder and never decodes back.
 */
export function encodeKeystoreAccess(password: string): string {
  if (password.length === 0) throw new AppError('bad_input', 'The keystore password is empty: there is nothing to write to keystore-access.txt.');
  if (LONE_SURROGATE.test(password)) {
    throw new AppError(
      'bad_input',
      'The keystore password contains a broken character (half of a UTF-16 surrogate pair, usually from a damaged copy and paste). Anaplan Connect could not read it back from keystore-access.txt: type the password again.',
    );
  }
  let encoded = '';
  for (const char of xor129(password)) {
    if (char === ' ') encoded += '+';
    else if (URL_SAFE.test(char)) encoded += char;
    else for (const byte of Buffer.from(char, 'utf8')) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/**
 * Reads the file's text exactly as Anaplan Connect does: drop whitespace (java.util.Scanner's
 * tokens), java.net.URLDecoder.decode(text, "UTF-8"), XOR 129. Throws where Java throws (a bad
 * %-escape), and where Java would quietly read U+FFFD (bytes that are not UTF-8): such a file
 * cannot hold a working password.
 */
export function decodeKeystoreAccess(fileText: string): string {
  return xor129(javaUrlDecode(fileText.replace(JAVA_WHITESPACE, '')));
}

/** Java's Character.isWhitespace (JDK 17): the delimiters of Scanner.next(). No-break spaces are not among them. */
const JAVA_WHITESPACE = /[\t\n\u000B\f\r\u001C-\u001F \u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]/g;

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function javaUrlDecode(text: string): string {
  let result = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (char === '+') {
      result += ' ';
      i++;
    } else if (char === '%') {
      // Java decodes a run of consecutive escapes as one byte sequence.
      const bytes: number[] = [];
      while (i < text.length && text[i] === '%') {
        bytes.push(escapedByte(text.slice(i + 1, i + 3)));
        i += 3;
      }
      result += utf8Text(bytes);
    } else {
      result += char;
      i++;
    }
  }
  return result;
}

/** Integer.parseInt(two chars, 16), as URLDecoder uses it: a sign counts as a character, so "+1" is 1 and "-0" is 0. */
function escapedByte(pair: string): number {
  if (pair.length < 2) throw unreadable('it ends in the middle of a %-escape');
  const match = /^([+-]?)([0-9A-Fa-f]+)$/.exec(pair);
  if (!match) throw unreadable(`"%${pair}" is not a %-escape`);
  const value = parseInt(match[2] as string, 16) * (match[1] === '-' ? -1 : 1);
  if (value < 0) throw unreadable(`"%${pair}" is not a %-escape`);
  return value;
}

function utf8Text(bytes: number[]): string {
  try {
    return UTF8.decode(Uint8Array.from(bytes));
  } catch {
    throw unreadable('its %-escapes are not UTF-8, so Anaplan Connect would read replacement characters instead of the password');
  }
}

function unreadable(why: string): AppError {
  return new AppError('bad_input', `keystore-access.txt cannot hold a working password: ${why}. Write the file again with the assistant.`);
}
