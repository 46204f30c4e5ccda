import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Expiry } from '../core/expiry.js';

/**
 * Desktop notifications for what expires: one per (profile, kind, step) at the 30-, 14- and
 * 7-day steps and at expiry, never the same step twice. Free of Electron so it is tested with
 * fakes; main/index.ts passes Electron's Notification as `show`.
 */

export interface NotifyMemory {
  shown(key: string): boolean;
  mark(key: string): void;
}

const KIND_TITLE: Record<Expiry['kind'], string> = {
  certificate: 'Certificate',
  'refresh-token': 'OAuth refresh token',
  password: 'Password',
};

/**
 * The key names the step and the date that is expiring: a renewed certificate (a new notAfter)
 * starts its own steps again, while the same certificate never repeats a step.
 */
export function notificationKey(expiry: Expiry): string | null {
  if (expiry.expiresAt === null) return null;
  const step = expiry.level === 'expired' ? 'expired' : expiry.threshold;
  if (step === null) return null;
  return `${expiry.profileId}|${expiry.kind}|${expiry.expiresAt}|${step}`;
}

function title(expiry: Expiry): string {
  const what = `${KIND_TITLE[expiry.kind]} of “${expiry.profileName}”`;
  if (expiry.level === 'expired') return `${what} has expired`;
  const days = expiry.daysLeft ?? 0;
  return `${what} expires in ${days} ${days === 1 ? 'day' : 'days'}`;
}

/** Shows what reached a new step; returns the keys shown. */
export function notifyExpiries(expiries: readonly Expiry[], show: (title: string, body: string) => void, remember: NotifyMemory): string[] {
  const shown: string[] = [];
  for (const expiry of expiries) {
    const key = notificationKey(expiry);
    if (key === null || remember.shown(key)) continue;
    show(title(expiry), expiry.message);
    remember.mark(key);
    shown.push(key);
  }
  return shown;
}

/**
 * The steps already shown, in a small JSON file next to the settings (not in settings.json,
 * whose schema the other front doors share). In memory alone would not do: the app runs once at
 * start-up, so every launch would repeat the same warning. A missing or unreadable file means
 * "nothing shown yet"; a write that fails is ignored (at worst a notification repeats).
 */
export function fileMemory(path: string, limit = 500): NotifyMemory {
  let keys: string[] = [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const list = parsed && typeof parsed === 'object' ? (parsed as { shown?: unknown }).shown : undefined;
    if (Array.isArray(list)) keys = list.filter((k): k is string => typeof k === 'string');
  } catch {
    keys = [];
  }
  return {
    shown: (key) => keys.includes(key),
    mark(key) {
      if (keys.includes(key)) return;
      keys = [...keys, key].slice(-limit);
      try {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        const temp = `${path}.${process.pid}.tmp`;
        writeFileSync(temp, `${JSON.stringify({ shown: keys }, null, 2)}\n`, { mode: 0o600 });
        renameSync(temp, path);
      } catch {
        /* at worst the notification is shown again next time */
      }
    },
  };
}

export const NOTIFIED_FILE = 'notified-expiries.json';
