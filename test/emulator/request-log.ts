import type { IncomingHttpHeaders } from 'node:http';

/** One request as the emulator received it. */
export interface RequestLogEntry {
  /** ms since the epoch, by the emulator's clock */
  time: number;
  method: string;
  /** With the query, e.g. `/2/0/workspaces?tenantDetails=true`. */
  path: string;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
