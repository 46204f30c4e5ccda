export interface PassphraseCheck {
  ok: boolean;
  problem: string | null;
  strength: 'weak' | 'fair' | 'strong';
  hint: string;
}

export const MIN_PASSPHRASE_LENGTH = 8;

/** Bases of the passwords found first in every leaked-password list, plus this product's words. */
const COMMON_WORDS = [
  'password',
  'passphrase',
  'qwerty',
  'azerty',
  'letmein',
  'welcome',
  'admin',
  'secret',
  'changeme',
  'iloveyou',
  'monkey',
  'dragon',
  'master',
  'anaplan',
  'integration',
  'summer',
  'winter',
  'spring',
  'autumn',
];

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Whether a passphrase can protect the private key file, and a simple, honest strength estimate
 * from length and variety (it cannot know whether the words mean something to an attacker).
 */
export function checkPassphrase(passphrase: string): PassphraseCheck {
  const refusal = refusalOf(passphrase);
  const { strength, hint } = estimate(passphrase);
  return refusal ? { ok: false, problem: refusal, strength: 'weak', hint } : { ok: true, problem: null, strength, hint };
}

function refusalOf(passphrase: string): string | null {
  if (passphrase.includes(':')) {
    // anaplan-facts §5: -privatekey is split at the LAST ':', so the part after it is the passphrase.
    return "The passphrase must not contain ':'. Anaplan Connect takes the key as -privatekey FILE:PASSPHRASE and splits that at the last ':', so a passphrase containing ':' can never be given to it.";
  }
  if (CONTROL_CHARACTER.test(passphrase)) {
    return 'The passphrase must not contain line breaks, tabs or other control characters: they cannot be typed reliably, and scripts would cut the passphrase at them.';
  }
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    return `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long. Longer is better: four or more random words work well.`;
  }
  return null;
}

function estimate(passphrase: string): { strength: PassphraseCheck['strength']; hint: string } {
  const characters = [...passphrase];
  const length = characters.length;
  const distinct = new Set(characters).size;
  const classes = characterClasses(passphrase);
  const folded = foldLeet(passphrase);
  // "Built on" a common word: the word is most of it (a long passphrase may contain one by chance).
  const commonWord = COMMON_WORDS.find((word) => folded.includes(word) && length - word.length < 8);
  const extras = extraHints(passphrase);

  if (commonWord) {
    return { strength: 'weak', hint: join(`It is built on "${commonWord}", one of the first words attackers try. Use random words instead.`, extras) };
  }
  if (length < 12 || distinct < 6 || isSequence(passphrase)) {
    return { strength: 'weak', hint: join('Short or repetitive passphrases are guessed quickly. Use 16 or more characters, for example four random words.', extras) };
  }
  if (length >= 20 || (length >= 16 && classes >= 2 && distinct >= 10)) {
    return { strength: 'strong', hint: join('Long and varied. Keep it in a password manager: without it the key file cannot be used.', extras) };
  }
  return { strength: 'fair', hint: join('Acceptable; 16 or more characters (or four or more random words) would be much harder to guess.', extras) };
}

const LEET: Readonly<Record<string, string>> = { '@': 'a', '4': 'a', '0': 'o', '1': 'i', '!': 'i', '3': 'e', '$': 's', '5': 's', '7': 't' };

/** "P@ssw0rd!" -> "password": lower case, common look-alike substitutions undone, only letters kept. */
function foldLeet(passphrase: string): string {
  return [...passphrase.toLowerCase()].map((character) => LEET[character] ?? character).join('').replace(/[^a-z]/g, '');
}

function characterClasses(passphrase: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(passphrase)).length;
}

/** abcdefgh, 12345678, 87654321: each character one step from the previous one. */
function isSequence(passphrase: string): boolean {
  const codes = [...passphrase.toLowerCase()].map((character) => character.codePointAt(0) ?? 0);
  const steps = new Set(codes.slice(1).map((code, index) => code - (codes[index] ?? 0)));
  return steps.size === 1 && [...steps].every((step) => Math.abs(step) <= 1);
}

function extraHints(passphrase: string): string[] {
  const hints: string[] = [];
  if (passphrase !== passphrase.trim()) hints.push('It starts or ends with a space, which is easy to lose when it is copied.');
  if (/[^\x20-\x7e]/.test(passphrase)) {
    hints.push('It contains non-ASCII characters: some tools encode those differently, so plain ASCII is the safest choice.');
  }
  return hints;
}

function join(first: string, rest: readonly string[]): string {
  return [first, ...rest].join(' ');
}
