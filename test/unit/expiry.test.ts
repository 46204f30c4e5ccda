import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { expiriesOf, type Expiry } from '../../main/core/expiry.js';
import { fileMemory, notificationKey, notifyExpiries, type NotifyMemory } from '../../main/electron/notify.js';
import { ProfileSchema, SettingsSchema, SETTINGS_SCHEMA_VERSION, type Profile, type Settings } from '../../main/store/settings-schema.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY, certificateRecord } from '../support/profiles.js';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY).toISOString();

function certificate(notAfter: string): NonNullable<Profile['certificate']> {
  return certificateRecord(notAfter, NOW.toISOString());
}

function profile(fields: Partial<z.input<typeof ProfileSchema>> & { name: string }): Profile {
  return ProfileSchema.parse({ id: fields.name.toLowerCase(), email: 'ada@example.com', createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...fields });
}

function settings(...profiles: Profile[]): Settings {
  return SettingsSchema.parse({ schemaVersion: SETTINGS_SCHEMA_VERSION, profiles });
}

const certProfile = (days: number, name = 'Prod') => profile({ name, authMethod: 'certificate', certificate: certificate(inDays(days)) });
const only = (s: Settings, options?: Parameters<typeof expiriesOf>[2]): Expiry => {
  const list = expiriesOf(s, NOW, options);
  expect(list).toHaveLength(1);
  return list[0] as Expiry;
};

describe('expiriesOf', () => {
  test('a certificate: notAfter, days left, and what to do (a new CSR with the same subject)', () => {
    const e = only(settings(certProfile(10)));
    expect(e).toMatchObject({ profileId: 'prod', profileName: 'Prod', kind: 'certificate', expiresAt: inDays(10), daysLeft: 10, level: 'warn', threshold: 14 });
    expect(e.message).toContain('2026-05-11 (in 10 days)');
    expect(e.message).toContain('anaplan-setup keygen --email ada@example.com --name "Ada Lovelace" --profile Prod');
    expect(e.message).toContain('Make a new request');
  });

  test('warning steps: 30, 14 and 7 days (the smallest step reached), expired once past', () => {
    const at = (days: number) => only(settings(certProfile(days)));
    expect(at(31)).toMatchObject({ level: 'ok', threshold: null, daysLeft: 31 });
    expect(at(30.5)).toMatchObject({ level: 'ok', threshold: null, daysLeft: 31 });
    expect(at(30)).toMatchObject({ level: 'warn', threshold: 30, daysLeft: 30 });
    expect(at(15)).toMatchObject({ level: 'warn', threshold: 30 });
    expect(at(14)).toMatchObject({ level: 'warn', threshold: 14 });
    expect(at(8)).toMatchObject({ level: 'warn', threshold: 14 });
    expect(at(7)).toMatchObject({ level: 'warn', threshold: 7 });
    expect(at(0.01)).toMatchObject({ level: 'warn', threshold: 7, daysLeft: 1 });
    expect(at(0)).toMatchObject({ level: 'expired', threshold: null, daysLeft: 0 });
    expect(at(-0.5)).toMatchObject({ level: 'expired', daysLeft: 0 });
    expect(at(-0.5).message).toMatch(/expired on 2026-05-01 \(today\)/);
    expect(at(-1.5)).toMatchObject({ level: 'expired', daysLeft: -1 });
    const past = at(-3);
    expect(past).toMatchObject({ level: 'expired', threshold: null, daysLeft: -3 });
    expect(past.message).toMatch(/expired on 2026-04-28 \(3 days ago\)/);
  });

  test('warnDays widens or narrows the window; the steps stay 30, 14, 7', () => {
    expect(only(settings(certProfile(40)), { warnDays: 45 })).toMatchObject({ level: 'warn', threshold: null });
    expect(only(settings(certProfile(20)), { warnDays: 10 })).toMatchObject({ level: 'ok', threshold: null });
    expect(only(settings(certProfile(9)), { warnDays: 10 })).toMatchObject({ level: 'warn', threshold: 14 });
  });

  test('a rotatable refresh token; a non-rotatable one never expires', () => {
    const oauth = { clientId: 'client-1', rotatable: true, tokenStoreDir: '/srv/anaplan tokens', refreshTokenExpiresAt: inDays(5) };
    const [e, ...others] = expiriesOf(settings(profile({ name: 'OAuth', authMethod: 'oauth', oauth })), NOW).filter((entry) => entry.kind === 'refresh-token');
    expect(others).toEqual([]);
    expect(e).toMatchObject({ kind: 'refresh-token', level: 'warn', threshold: 7, daysLeft: 5 });
    expect(e?.message).toContain('anaplan-setup oauth --client-id client-1 --rotatable --token-store-dir "/srv/anaplan tokens"');
    expect(e?.message).toMatch(/unless a job uses it/);
    const fixed = expiriesOf(settings(profile({ name: 'OAuth', authMethod: 'oauth', oauth: { ...oauth, rotatable: false } })), NOW);
    expect(fixed.map((entry) => entry.kind)).toEqual(['password']);
  });

  test("the OAuth exception user's password: estimated from the device sign-in, saying what its expiry costs", () => {
    const signedInAt = new Date(NOW.getTime() - 85 * DAY).toISOString();
    const oauth = { clientId: 'client-1', rotatable: false, tokenStoreDir: '/srv/tokens', signedInAt };
    const e = only(settings(profile({ name: 'OAuth', authMethod: 'oauth', oauth })));
    expect(e).toMatchObject({ kind: 'password', daysLeft: 5, level: 'warn', threshold: 7 });
    expect(e.message).toMatch(/cannot approve a new code/);
    expect(e.message).toMatch(/sign in with the device grant again/);
  });

  test('a Basic password: an honest estimate from the usual 90 days, naming the setting to change it', () => {
    const checked = new Date(NOW.getTime() - 80 * DAY).toISOString();
    const e = only(settings(profile({ name: 'Basic', authMethod: 'basic', basicPasswordCheckedAt: checked })));
    expect(e).toMatchObject({ kind: 'password', daysLeft: 10, level: 'warn', threshold: 14, expiresAt: inDays(10) });
    expect(e.message).toMatch(/probably expires/);
    expect(e.message).toMatch(/This is an estimate: 90 days after the password was last confirmed working/);
    expect(e.message).toContain('--password-max-age-days');
    expect(e.message).toMatch(/Set a new password for ada@example.com/);
    expect(e.message).toContain('ANAPLAN_PASSWORD');
    const longer = only(settings(profile({ name: 'Basic', authMethod: 'basic', basicPasswordCheckedAt: checked })), { passwordMaxAgeDays: 180 });
    expect(longer).toMatchObject({ daysLeft: 100, level: 'ok' });
    expect(longer.message).toMatch(/estimate: 180 days/);
  });

  test('unknown dates: null, level ok, sorted last, with what would make them known', () => {
    const s = settings(
      profile({ name: 'Basic', authMethod: 'basic' }),
      profile({ name: 'OAuth', authMethod: 'oauth', oauth: { clientId: 'c', rotatable: true, tokenStoreDir: '/t' } }),
      profile({ name: 'Cert', authMethod: 'certificate', certificate: certificate('not a date') }),
      certProfile(100, 'Later'),
    );
    const list = expiriesOf(s, NOW);
    expect(list.map((e) => e.profileName)).toEqual(['Later', 'Basic', 'Cert', 'OAuth', 'OAuth']);
    for (const e of list.slice(1)) expect(e).toMatchObject({ expiresAt: null, daysLeft: null, level: 'ok', threshold: null });
    expect(list[1]?.message).toMatch(/Test the login once/);
  });

  test('sorted soonest first across profiles and kinds; only what the profile signs in with', () => {
    const s = settings(
      certProfile(60, 'A'),
      certProfile(-1, 'B'),
      profile({ name: 'C', authMethod: 'oauth', oauth: { clientId: 'c', rotatable: true, tokenStoreDir: '/t', refreshTokenExpiresAt: inDays(3) } }),
      // A certificate left over from before switching to Basic is not this profile's concern.
      profile({ name: 'D', authMethod: 'basic', certificate: certificate(inDays(1)), basicPasswordCheckedAt: NOW.toISOString() }),
    );
    const list = expiriesOf(s, NOW);
    expect(list.map((e) => `${e.profileName}:${e.kind}`)).toEqual(['B:certificate', 'C:refresh-token', 'A:certificate', 'D:password', 'C:password']);
    expect(expiriesOf(settings(), NOW)).toEqual([]);
  });
});

describe('notifyExpiries', () => {
  const memory = (): NotifyMemory & { keys: Set<string> } => {
    const keys = new Set<string>();
    return { keys, shown: (k) => keys.has(k), mark: (k) => void keys.add(k) };
  };
  const at = (days: number, now = NOW) => expiriesOf(settings(certProfile(days)), now);

  test('one notification per (profile, kind, step), never the same step twice', () => {
    const shown: Array<[string, string]> = [];
    const show = (title: string, body: string) => void shown.push([title, body]);
    const remember = memory();
    // One certificate (its notAfter stays) seen at successive start-ups.
    const notAfter = inDays(40);
    const later = (daysBefore: number) => expiriesOf(settings(profile({ name: 'Prod', authMethod: 'certificate', certificate: certificate(notAfter) })), new Date(Date.parse(notAfter) - daysBefore * DAY));
    notifyExpiries(later(40), show, remember);
    expect(shown).toHaveLength(0);
    notifyExpiries(later(29), show, remember);
    notifyExpiries(later(20), show, remember);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.[0]).toBe('Certificate of “Prod” expires in 29 days');
    expect(shown[0]?.[1]).toMatch(/Renew it/);
    notifyExpiries(later(14), show, remember);
    notifyExpiries(later(13), show, remember);
    notifyExpiries(later(6), show, remember);
    notifyExpiries(later(-1), show, remember);
    notifyExpiries(later(-2), show, remember);
    expect(shown.map(([title]) => title)).toEqual([
      'Certificate of “Prod” expires in 29 days',
      'Certificate of “Prod” expires in 14 days',
      'Certificate of “Prod” expires in 6 days',
      'Certificate of “Prod” has expired',
    ]);
  });

  test('a renewed certificate (new date) starts its own steps; unknown and ok entries are never shown', () => {
    const remember = memory();
    const show = (): void => undefined;
    expect(notifyExpiries(at(10), show, remember)).toHaveLength(1);
    expect(notifyExpiries(at(10), show, remember)).toHaveLength(0);
    expect(notifyExpiries(at(12), show, remember)).toHaveLength(1);
    expect(notifyExpiries(expiriesOf(settings(profile({ name: 'B', authMethod: 'basic' })), NOW), show, remember)).toEqual([]);
    const e = at(10)[0] as Expiry;
    expect(notificationKey(e)).toBe(`prod|certificate|${inDays(10)}|14`);
  });

  test('fileMemory keeps the shown steps in a small JSON file across starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'notify-'));
    try {
      const path = join(dir, 'settings', 'notified-expiries.json');
      const first = fileMemory(path);
      expect(first.shown('k1')).toBe(false);
      first.mark('k1');
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ shown: ['k1'] });
      const second = fileMemory(path);
      expect(second.shown('k1')).toBe(true);
      const shown: string[] = [];
      notifyExpiries(at(5), (title) => void shown.push(title), second);
      notifyExpiries(at(5), (title) => void shown.push(title), fileMemory(path));
      expect(shown).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
