/**
 * Anaplan Connect 4.1.0 sends Basic and proxy credentials as ISO-8859-1 (OkHttp
 * `Credentials.basic`, anaplan-facts §8): a character above U+00FF becomes "?" on the wire, so a
 * password holding one can never sign in through a job. The assistant signs in the same way, so
 * its test login succeeds exactly when the job's will.
 */

/** The distinct characters of `text` that ISO-8859-1 cannot hold, in order of appearance. */
export function charactersOutsideLatin1(text: string): string[] {
  return [...new Set([...text].filter((character) => (character.codePointAt(0) ?? 0) > 0xff))];
}

/** Whether `text` holds characters beyond ASCII (which ISO-8859-1 and UTF-8 encode differently). */
export function hasNonAscii(text: string): boolean {
  return /[^\u0000-\u007f]/.test(text);
}

/** `Basic base64(user:password)` with the bytes Anaplan Connect sends: ISO-8859-1. Callers refuse what it cannot hold first. */
export function latin1BasicCredentials(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'latin1').toString('base64')}`;
}

/** "€", or "€ and ł", or "€, ł and 売" */
export function listCharacters(characters: readonly string[]): string {
  const quoted = characters.map((character) => `"${character}"`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}
