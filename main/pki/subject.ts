import { AppError } from '../errors.js';
import type { CaProfile, SubjectField } from './ca-profiles.js';
import { COMMON_COUNTRY_MISTAKES, ISO_COUNTRY_CODES } from './country-codes.js';

export interface CsrSubject {
  commonName: string;
  email: string;
  organization?: string;
  organizationalUnit?: string;
  locality?: string;
  state?: string;
  country?: string;
}

/** What checkSubject needs of a CA profile (the contract's CaProfile has it too: the renderer checks with the same rules). */
export type SubjectRules = Pick<CaProfile, 'name' | 'fields' | 'emailMaxLength'>;

/** A message shown next to the field in the UI. */
export interface FieldProblem {
  field: SubjectField;
  message: string;
}

/** Anaplan's CSR template order: C, ST, L, O, OU, CN, emailAddress (anaplan-facts §3). */
export const SUBJECT_ORDER: readonly SubjectField[] = ['country', 'state', 'locality', 'organization', 'organizationalUnit', 'commonName', 'email'];

/** The attribute names OpenSSL prints and accepts in -subj. */
export const SHORT_NAMES: Readonly<Record<SubjectField, string>> = {
  country: 'C',
  state: 'ST',
  locality: 'L',
  organization: 'O',
  organizationalUnit: 'OU',
  commonName: 'CN',
  email: 'emailAddress',
};

export const FIELD_LABELS: Readonly<Record<SubjectField, string>> = {
  commonName: 'Name (CN)',
  email: 'Email address',
  organization: 'Organization (O)',
  organizationalUnit: 'Organizational unit (OU)',
  locality: 'City or locality (L)',
  state: 'State or province (ST)',
  country: 'Country (C)',
};

/** Upper bounds from X.520 (RFC 5280 appendix A), in characters. */
const X520_MAX_LENGTH: Partial<Record<SubjectField, number>> = {
  commonName: 64,
  organization: 64,
  organizationalUnit: 64,
  locality: 128,
  state: 128,
};

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A deliberately plain address: letters, digits and . _ % + - before the @. It must fit an
 * IA5String (ASCII), and the same text goes into `openssl req -addext`, whose value OpenSSL reads
 * as a config line (where $, #, quotes and backslashes are special).
 */
const EMAIL = /^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** Trimmed (Unicode NFC), country upper-cased, empty optional fields left out. */
export function normalizeSubject(subject: CsrSubject): CsrSubject {
  const clean = (value: string | undefined): string => (value ?? '').normalize('NFC').trim();
  const normalized: CsrSubject = { commonName: clean(subject.commonName), email: clean(subject.email) };
  for (const field of ['organization', 'organizationalUnit', 'locality', 'state', 'country'] as const) {
    const value = clean(subject[field]);
    if (value !== '') normalized[field] = field === 'country' ? value.toUpperCase() : value;
  }
  return normalized;
}

export function fieldValue(subject: CsrSubject, field: SubjectField): string {
  return (field === 'email' ? subject.email : subject[field]) ?? '';
}

/** Every problem with the subject for this CA, in SUBJECT_ORDER; empty when all is well. */
export function checkSubject(subject: CsrSubject, profile: SubjectRules): FieldProblem[] {
  const normalized = normalizeSubject(subject);
  const problems: FieldProblem[] = [];
  for (const field of SUBJECT_ORDER) {
    const use = profile.fields[field];
    if (use === 'ignored') continue;
    // Whitespace around a value (a pasted line break, say) is trimmed; inside it is a problem.
    const value = fieldValue(normalized, field);
    const problem = CONTROL_CHARACTER.test(value)
      ? `${FIELD_LABELS[field]} contains a line break, tab or other control character. Type it on one line.`
      : value === ''
        ? use === 'required'
          ? missingMessage(field, profile)
          : undefined
        : checkValue(field, value, profile);
    if (problem) problems.push({ field, message: problem });
  }
  return problems;
}

/** checkSubject as an AppError('bad_input') listing "field: message" lines, with details.problems. */
export function assertSubject(subject: CsrSubject, profile: CaProfile): void {
  const problems = checkSubject(subject, profile);
  if (problems.length === 0) return;
  throw new AppError(
    'bad_input',
    `The certificate request details need fixing (nothing was created):\n${problems.map((problem) => `${FIELD_LABELS[problem.field]}: ${problem.message}`).join('\n')}`,
    { problems },
  );
}

function missingMessage(field: SubjectField, profile: SubjectRules): string {
  switch (field) {
    case 'commonName':
      return "Enter the person's name (for example Ada Lovelace): it becomes the certificate's common name (CN).";
    case 'email':
      return "Enter the Anaplan user's email address: Anaplan matches the certificate to the user by it.";
    default:
      return `${profile.name} needs the ${FIELD_LABELS[field].toLowerCase()}.`;
  }
}

function checkValue(field: SubjectField, value: string, profile: SubjectRules): string | undefined {
  const length = [...value].length;
  const max = X520_MAX_LENGTH[field];
  if (max !== undefined && length > max) {
    return `${FIELD_LABELS[field]} is ${length} characters long; certificates allow at most ${max}. Shorten it.`;
  }
  switch (field) {
    case 'email':
      return checkEmail(value, profile);
    case 'country':
      return checkCountry(value);
    case 'commonName':
      // anaplan-facts §3: CN is the person's name; the email belongs in emailAddress and the SAN.
      return value.includes('@')
        ? "Enter the person's name here (for example Ada Lovelace), not an email address: the email goes in its own field."
        : undefined;
    default:
      return undefined;
  }
}

function checkEmail(email: string, profile: SubjectRules): string | undefined {
  if (!EMAIL.test(email)) {
    return /[^\x20-\x7e]/.test(email)
      ? 'Use a plain ASCII email address: certificates carry the address as ASCII text (internationalized addresses are not supported here).'
      : 'This is not an email address this assistant can put in a certificate: use name@example.com, with only letters, digits and . _ % + - before the @.';
  }
  if (email.length > profile.emailMaxLength) {
    return `The email address is ${email.length} characters long; Anaplan's certificate request template allows at most ${profile.emailMaxLength}. Use a shorter address for the integration user.`;
  }
  return undefined;
}

function checkCountry(country: string): string | undefined {
  const known = COMMON_COUNTRY_MISTAKES[country];
  if (known) return `${country} is not an ISO 3166 country code: use ${known}.`;
  if (!/^[A-Z]{2}$/.test(country)) {
    return `Use the two-letter ISO 3166 country code (for example GB, US, DE), not "${country}".`;
  }
  if (!ISO_COUNTRY_CODES.has(country)) return `${country} is not an ISO 3166 country code. Use the two-letter code of your country (for example GB, US, DE).`;
  return undefined;
}

/** The fields this CA keeps from a request, in SUBJECT_ORDER, with their values (normalized). */
export function subjectEntries(subject: CsrSubject, profile: CaProfile): Array<{ field: SubjectField; value: string }> {
  const normalized = normalizeSubject(subject);
  return SUBJECT_ORDER.filter((field) => profile.fields[field] !== 'ignored')
    .map((field) => ({ field, value: fieldValue(normalized, field) }))
    .filter((entry) => entry.value !== '');
}

/**
 * "C=GB, ST=…, CN=Ada Lovelace, emailAddress=ada@example.com": the subject as OpenSSL prints it
 * with `-nameopt sep_comma_plus_space,esc_2253,utf8` (RFC 2253 escapes, in request order).
 */
export function subjectLine(subject: CsrSubject, profile: CaProfile): string {
  return subjectEntries(subject, profile)
    .map(({ field, value }) => `${SHORT_NAMES[field]}=${escapeRfc2253(value)}`)
    .join(', ');
}

function escapeRfc2253(value: string): string {
  const escaped = value.replace(/[,+"\\<>;]/g, (character) => `\\${character}`);
  return escaped.startsWith('#') ? `\\${escaped}` : escaped;
}
