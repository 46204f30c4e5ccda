import type { Profile, Settings } from '../store/settings-schema.js';

/**
 * What expires and silently stops an unattended job (anaplan-facts §4 and §7): the certificate,
 * a rotatable client's refresh token, and an exception user's password. Pure: the CLI's
 * `status`, the start page and the desktop notification all read the same list.
 */

export type ExpiryKind = 'certificate' | 'refresh-token' | 'password';
export type ExpiryLevel = 'ok' | 'warn' | 'expired';
export type ExpiryThreshold = 30 | 14 | 7;

export interface Expiry {
  profileId: string;
  profileName: string;
  kind: ExpiryKind;
  /** ISO; null when unknown. */
  expiresAt: string | null;
  /** Whole days left (rounded up while in the future, 0 or negative once past); null when unknown. */
  daysLeft: number | null;
  level: ExpiryLevel;
  /** The smallest warning step reached (30, 14, 7); null when none is (or the entry has expired or is unknown). */
  threshold: ExpiryThreshold | null;
  /** What expires, when, and what to do. */
  message: string;
}

export interface ExpiryOptions {
  /** The usual exception-user password policy is 90 days; tenants differ. */
  passwordMaxAgeDays?: number;
  /** Entries this close (in days) are 'warn'. */
  warnDays?: number;
}

export const DEFAULT_PASSWORD_MAX_AGE_DAYS = 90;
export const DEFAULT_WARN_DAYS = 30;
export const WARNING_STEPS: readonly ExpiryThreshold[] = [30, 14, 7];

const DAY_MS = 24 * 60 * 60 * 1000;

export function expiriesOf(settings: Pick<Settings, 'profiles'>, now: Date, options: ExpiryOptions = {}): Expiry[] {
  return expiriesOfProfiles(settings.profiles, now, options);
}

/**
 * A certificate counts when the profile signs in with it (or has no method yet); a refresh token
 * only for rotatable clients (non-rotatable ones never expire); a password only for Basic profiles.
 */
export function expiriesOfProfiles(profiles: readonly Profile[], now: Date, options: ExpiryOptions = {}): Expiry[] {
  const passwordMaxAgeDays = options.passwordMaxAgeDays ?? DEFAULT_PASSWORD_MAX_AGE_DAYS;
  const warnDays = options.warnDays ?? DEFAULT_WARN_DAYS;
  const entries: Expiry[] = [];
  for (const profile of profiles) {
    const uses = (method: NonNullable<Profile['authMethod']>) => profile.authMethod === method || profile.authMethod === null;
    if (profile.certificate && uses('certificate')) {
      entries.push(entry(profile, 'certificate', parseDate(profile.certificate.notAfter), now, warnDays, passwordMaxAgeDays));
    }
    if (profile.oauth?.rotatable && uses('oauth')) {
      entries.push(entry(profile, 'refresh-token', parseDate(profile.oauth.refreshTokenExpiresAt), now, warnDays, passwordMaxAgeDays));
    }
    // The OAuth integration user is an SSO exception user too: its password expires as a Basic user's does (anaplan-facts §4, §7).
    if (profile.authMethod === 'basic' || (profile.authMethod === 'oauth' && profile.oauth)) {
      const checked = parseDate(profile.authMethod === 'basic' ? profile.basicPasswordCheckedAt : (profile.oauth?.signedInAt ?? null));
      const estimate = checked === null ? null : new Date(checked.getTime() + passwordMaxAgeDays * DAY_MS);
      entries.push(entry(profile, 'password', estimate, now, warnDays, passwordMaxAgeDays));
    }
  }
  return entries.sort(soonestFirst);
}

function entry(profile: Profile, kind: ExpiryKind, expires: Date | null, now: Date, warnDays: number, passwordMaxAgeDays: number): Expiry {
  const base = { profileId: profile.id, profileName: profile.name, kind };
  if (expires === null) {
    return { ...base, expiresAt: null, daysLeft: null, level: 'ok', threshold: null, message: unknownMessage(profile, kind) };
  }
  const remaining = expires.getTime() - now.getTime();
  const expired = remaining <= 0;
  // Rounded up while in the future, so "7 days left" and "within the 7-day step" agree.
  // Once past, whole days since (0 = less than a day ago).
  const daysLeft = (expired ? -Math.floor(-remaining / DAY_MS) : Math.ceil(remaining / DAY_MS)) || 0;
  const level: ExpiryLevel = expired ? 'expired' : daysLeft <= warnDays ? 'warn' : 'ok';
  const reached = WARNING_STEPS.filter((step) => daysLeft <= step);
  const threshold = level === 'warn' ? (reached[reached.length - 1] ?? null) : null;
  const expiresAt = expires.toISOString();
  return { ...base, expiresAt, daysLeft, level, threshold, message: message(profile, kind, expiresAt, daysLeft, expired, passwordMaxAgeDays) };
}

function soonestFirst(a: Expiry, b: Expiry): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return Date.parse(a.expiresAt) - Date.parse(b.expiresAt);
  }
  return a.profileName.localeCompare(b.profileName) || a.kind.localeCompare(b.kind);
}

function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time);
}

/** "on 2026-06-01 (in 10 days)" / "on 2026-06-01 (today)" / "on 2026-06-01 (3 days ago)". */
function when(expiresAt: string, daysLeft: number, past: boolean): string {
  const day = expiresAt.slice(0, 10);
  if (past) return daysLeft === 0 ? `on ${day} (today)` : `on ${day} (${-daysLeft} ${plural(-daysLeft)} ago)`;
  return `on ${day} (in ${daysLeft} ${plural(daysLeft)})`;
}

const plural = (n: number) => (n === 1 ? 'day' : 'days');

function quote(value: string): string {
  return /^[\w@.+:/=-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

function commonName(subject: string): string | null {
  return /(?:^|[,/]\s*)CN\s*=\s*([^,/]+)/.exec(subject)?.[1]?.trim() ?? null;
}

function renewCertificate(profile: Profile): string {
  const certificate = profile.certificate;
  const email = certificate?.email || profile.email || 'EMAIL';
  const name = (certificate && commonName(certificate.subject)) || 'NAME';
  return (
    `Renew it: make a new request with the same subject (the wizard's "Make a new request", or ` +
    `\`anaplan-setup keygen --email ${quote(email)} --name ${quote(name)} --profile ${quote(profile.name)} --out DIR\`), ` +
    `buy the certificate, import it (\`anaplan-setup import-cert\`) and have the Tenant Administrator upload the new certificate.pem in Anaplan.`
  );
}

function signInAgain(profile: Profile): string {
  const oauth = profile.oauth;
  const client = oauth ? quote(oauth.clientId) : 'CLIENT_ID';
  const dir = oauth ? quote(oauth.tokenStoreDir) : 'DIR';
  return (
    `Sign in again with the device grant (the wizard's device sign-in, or ` +
    `\`anaplan-setup oauth --client-id ${client} --rotatable --token-store-dir ${dir}\`) so the job gets a new refresh token.`
  );
}

function newPassword(profile: Profile): string {
  const user = profile.email || 'the exception user';
  if (profile.authMethod === 'oauth') {
    return `${user} is the exception user who approved the device sign-in: once its password expires it cannot approve a new code, and Anaplan may stop honouring its refresh token. Set a new password in Anaplan before then, then sign in with the device grant again.`;
  }
  return (
    `Set a new password for ${user} in Anaplan, then update where the job reads it ` +
    `(the ${profile.exportOptions.passwordEnvVar} variable, the prompt or the script) and test the login again.`
  );
}

function passwordEstimate(passwordMaxAgeDays: number): string {
  return (
    `This is an estimate: ${passwordMaxAgeDays} days after the password was last confirmed working here, the usual policy for exception users; ` +
    `Anaplan does not tell the assistant the real date. If your tenant's policy differs, give its number of days with \`anaplan-setup status --password-max-age-days N\`.`
  );
}

function message(profile: Profile, kind: ExpiryKind, expiresAt: string, daysLeft: number, past: boolean, passwordMaxAgeDays: number): string {
  switch (kind) {
    case 'certificate': {
      const what = `The certificate of ${profile.certificate?.email || profile.name}`;
      return `${what} ${past ? 'expired' : 'expires'} ${when(expiresAt, daysLeft, past)}; ${past ? 'jobs signing in with it fail' : 'after that, jobs signing in with it fail'}. ${renewCertificate(profile)}`;
    }
    case 'refresh-token':
      return past
        ? `The rotatable refresh token expired ${when(expiresAt, daysLeft, past)}; jobs can no longer sign in with it. ${signInAgain(profile)}`
        : `The rotatable refresh token expires ${when(expiresAt, daysLeft, past)} unless a job uses it before then (each refresh brings a new one). ${signInAgain(profile)}`;
    case 'password':
      return (
        `The password of ${profile.email || (profile.authMethod === 'oauth' ? 'the OAuth exception user' : 'the Basic user')} ${past ? 'has probably expired' : 'probably expires'} ${when(expiresAt, daysLeft, past)}. ` +
        `${newPassword(profile)} ${passwordEstimate(passwordMaxAgeDays)}`
      );
  }
}

function unknownMessage(profile: Profile, kind: ExpiryKind): string {
  switch (kind) {
    case 'certificate':
      return `The expiry date of the certificate is not known (its notAfter could not be read). Import the certificate again to check it.`;
    case 'refresh-token':
      return `When the rotatable refresh token expires is not known yet. ${signInAgain(profile)}`;
    case 'password':
      return `When the password of ${profile.email || 'the Basic user'} expires is not known: the login has not been tested here yet. Test the login once so the assistant can estimate it (exception-user passwords often expire every 90 days).`;
  }
}
