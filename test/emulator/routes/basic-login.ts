import { findUser } from '../state.js';
import { badCredential, badHeader, type LoginMethod } from './token-service.js';

/** `Authorization: Basic base64(user:password)`, no body (anaplan-facts §2). */
export const basicLogin: LoginMethod = {
  scheme: 'Basic',
  login(credentials, ctx) {
    const decoded = decodeBasic(credentials);
    if (!decoded) return { ok: false, reply: badHeader('Malformed Basic authorization header') };
    const user = findUser(ctx.env.state, decoded.email);
    if (!user || user.password !== decoded.password) return { ok: false, reply: badCredential() };
    // Anaplan answers an SSO user who is not an exception user, and an expired password, with
    // the same plain FAILURE_BAD_CREDENTIAL as a wrong password; both are traps in anaplan-facts §7.
    if (user.sso || user.passwordExpired) return { ok: false, reply: badCredential() };
    return { ok: true, user };
  },
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Splits at the first `:`, so passwords may contain colons. */
function decodeBasic(credentials: string): { email: string; password: string } | undefined {
  const encoded = credentials.trim();
  if (!BASE64.test(encoded)) return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { email: text.slice(0, colon), password: text.slice(colon + 1) };
}
