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
  /** The body as text; empty for a binary body (a file chunk), whose size is in bodyBytes. */
  body: string;
  /** The size of the body as received, in bytes. */
  bodyBytes: number;
}

export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

// File chunks travel as application/octet-stream, or gzipped as application/x-gzip (Anaplan's
// upload docs; Anaplan Connect 4.1.0 always sends x-gzip, CompressPutBodyInjector).
const BINARY_TYPES = new Set(['application/octet-stream', 'application/x-gzip', 'application/gzip', 'x-gzip']);

/** True when the body is bytes rather than text: a file chunk, or anything sent with Content-Encoding. */
export function isBinaryBody(headers: Record<string, string>): boolean {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const encoding = (headers['content-encoding'] ?? '').trim().toLowerCase();
  return BINARY_TYPES.has(type) || (encoding !== '' && encoding !== 'identity');
}
