import { knownAnaplanHosts } from '../anaplan/regions.js';

/** Anaplan's own help pages the assistant links to. */
const HELP_HOSTS = ['help.anaplan.com', 'community.anaplan.com', 'support.anaplan.com', 'status.anaplan.com'];

/**
 * Links open in the system browser only when they are https and on a host the app itself
 * knows: the region table, Anaplan's help sites, and the custom hosts of the user's profiles.
 */
export function isAllowedExternalUrl(value: string, customHosts: Iterable<string> = []): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  const allowed = new Set([...knownAnaplanHosts(), ...HELP_HOSTS, ...customHosts]);
  return allowed.has(url.host);
}
