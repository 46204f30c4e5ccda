import { basename } from 'node:path';
import { readZipEntries } from '../fs/zip.js';
import type { ExportSettings } from './generated-file.js';
import { KEYSTORE_ACCESS_RELATIVE_PATH } from './keystore-access.js';

/**
 * Which secret a file of an earlier export holds, read from the file itself: the export keeps no
 * record of what it wrote before. Used so that a script holding a secret in plain text is not
 * kept as a .bak copy when it is replaced.
 */

/** Tags the header line of every script that holds a secret: `anaplan-setup:inline-secret=<kind>`. */
export const INLINE_SECRET_MARKER = 'anaplan-setup:inline-secret';

const SECRET_KINDS = {
  password: { setting: 'AnaplanPassword', words: 'the password' },
  'keystore-password': { setting: 'KeystorePassword', words: 'the keystore password' },
  'key-passphrase': { setting: 'KeyPassphrase', words: 'the key passphrase' },
} as const;
type SecretKind = keyof typeof SECRET_KINDS;

function inlineSecretKind(settings: ExportSettings): SecretKind | null {
  switch (settings.method) {
    case 'oauth':
      return null;
    case 'basic':
      return settings.password.source === 'inline' ? 'password' : null;
    case 'certificate':
      if (settings.credentials.form === 'keystore') return settings.credentials.keystorePassword.source === 'inline' ? 'keystore-password' : null;
      return settings.credentials.keyPassphrase.source === 'inline' ? 'key-passphrase' : null;
  }
}

/** The header line of a script holding a secret (none otherwise), as comment text for either dialect. */
export function inlineSecretHeaderNotes(settings: ExportSettings): string[] {
  const kind = inlineSecretKind(settings);
  if (kind === null) return [];
  return [`${INLINE_SECRET_MARKER}=${kind}. This script holds ${SECRET_KINDS[kind].words} in plain text: keep it private, and delete copies you no longer need.`];
}

/**
 * What a file holds, as words for a message ("the password in plain text"), or null when it
 * holds no secret that the exporter writes: scripts by their marker line or their settings
 * (scripts from versions before the marker, edited by hand), the job bundle by its entries.
 */
export function secretHeldIn(name: string, content: Buffer): string | null {
  if (name.endsWith('.zip')) return secretInBundle(content);
  if (name.endsWith('.sh') || name.endsWith('.bat')) {
    const kind = secretKindInScript(content.toString('utf8'));
    return kind === null ? null : `${SECRET_KINDS[kind].words} in plain text`;
  }
  return null;
}

const MARKER_LINE = new RegExp(`^(?:#|rem\\b).*\\b${INLINE_SECRET_MARKER}=(${Object.keys(SECRET_KINDS).join('|')})\\b`, 'im');
const SETTINGS_END = /^(?:#|rem)\s*_+\s*Do not edit below this line/im;

function secretKindInScript(text: string): SecretKind | null {
  const settingsBlock = text.slice(0, SETTINGS_END.exec(text)?.index ?? text.length);
  const marked = MARKER_LINE.exec(text)?.[1]?.toLowerCase();
  // The marker names the secret even where its setting was renamed; a setting since pointed at a variable outweighs it.
  if (marked !== undefined && isSecretKind(marked)) return settingValue(settingsBlock, SECRET_KINDS[marked].setting) === 'elsewhere' ? null : marked;
  for (const [kind, { setting }] of Object.entries(SECRET_KINDS)) {
    if (isSecretKind(kind) && settingValue(settingsBlock, setting) === 'secret') return kind;
  }
  return null;
}

function isSecretKind(value: string): value is SecretKind {
  return Object.hasOwn(SECRET_KINDS, value);
}

/**
 * `Name='value'` (bash) or `set "Name=value"` (cmd): a secret when the value is not empty, and
 * 'elsewhere' when it is read from another variable (`${!PasswordVariable-}` as the env scripts
 * do below the settings, `"$VAR"`, `%VAR%`).
 */
function settingValue(settingsBlock: string, setting: string): 'secret' | 'elsewhere' | 'absent' {
  const assignment = new RegExp(`^[ \\t]*(?:export[ \\t]+|set[ \\t]+"?)?${setting}=(.*)$`, 'gim');
  let found: 'elsewhere' | 'absent' = 'absent';
  for (const match of settingsBlock.matchAll(assignment)) {
    const value = (match[1] ?? '').trim().replace(/"$/, '');
    if (VARIABLE_REFERENCE.test(value)) found = 'elsewhere';
    else if (value !== '' && value !== "''" && value !== '""') return 'secret';
  }
  return found;
}

const VARIABLE_REFERENCE = /^(?:"?\$\{!?[A-Za-z_][A-Za-z0-9_]*-?\}"?|"?\$[A-Za-z_][A-Za-z0-9_]*"?|%[A-Za-z_][A-Za-z0-9_]*%)$/;

const KEYSTORE_ACCESS_NAME = basename(KEYSTORE_ACCESS_RELATIVE_PATH);

function secretInBundle(zip: Buffer): string | null {
  const held = new Set<string>();
  for (const entry of readZipEntries(zip, (name) => /\.(sh|bat)$/.test(name) || basename(name) === KEYSTORE_ACCESS_NAME)) {
    if (basename(entry.name) === KEYSTORE_ACCESS_NAME) {
      held.add(`the keystore password (in ${KEYSTORE_ACCESS_NAME}, only obfuscated)`);
      continue;
    }
    const kind = secretKindInScript(entry.content.toString('utf8'));
    if (kind !== null) held.add(`${SECRET_KINDS[kind].words} in plain text`);
  }
  return held.size === 0 ? null : [...held].join(' and ');
}
