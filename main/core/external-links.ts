import { knownAnaplanHosts } from '../anaplan/regions.js';

/** Anaplan's own help pages the assistant links to. */
const HELP_HOSTS = ['help.anaplan.com', 'community.anaplan.com', 'support.anaplan.com', 'status.anaplan.com'];

/**
 * Links open in the system browser only when they are https and on a host the app itself
 * knows: the region table, Anaplan's help sites, and the custom hosts of the user's profiles.
 * The answer is the URL as parsed (`href`), or null: the browser is handed exactly what was
 * checked, never the raw text (`https://help.anaplan.com\@evil.com/` parses as one URL here and
 * could be read as another there).
 */
export function allowedExternalUrl(value: string, customHosts: Iterable<string> = []): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return null;
  const allowed = new Set([...knownAnaplanHosts(), ...HELP_HOSTS, ...customHosts]);
  return allowed.has(url.host) ? url.href : null;
}
