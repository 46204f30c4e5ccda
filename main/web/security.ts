import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Checks shared by every request to the `anaplan-setup ui` host. */

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopbackPeer(request: IncomingMessage): boolean {
  return LOOPBACK_ADDRESSES.has(request.socket.remoteAddress ?? '');
}

/** Against DNS rebinding: a page on another name that resolves to 127.0.0.1 sends its own Host. */
export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export function originAllowed(request: IncomingMessage, port: number): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // non-browser clients (curl, scripts) still need a session
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}` || origin === `http://[::1]:${port}`;
}

/** Constant-time comparison of a presented secret with the expected one (an empty expected one never matches). */
export function secretMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return b.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The session cookie's name. The port is part of it: cookies are shared by every port of a host,
 * and two `anaplan-setup ui` runs side by side must not overwrite each other's session.
 */
export function sessionCookieName(port: number): string {
  return `anaplan-setup-session-${port}`;
}

/** The value of one cookie from the request's Cookie header, or '' when it is not there. */
export function cookieValue(request: IncomingMessage, name: string): string {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return '';
}

/** True when the request carries the session cookie of this run. */
export function sessionMatches(request: IncomingMessage, port: number, session: string): boolean {
  return secretMatches(cookieValue(request, sessionCookieName(port)), session);
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
 * it), sent to the API paths only, and gone when the browser closes (no Max-Age).
 */
export function sessionCookie(port: number, session: string): string {
  return `${sessionCookieName(port)}=${session}; Path=/api/; HttpOnly; SameSite=Strict`;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};
