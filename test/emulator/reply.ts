/** What a route returns. Routes build replies; only server.ts writes to sockets. */

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Text is sent as UTF-8; a Buffer as is (file chunks). */
  body?: string | Buffer;
}

// Anaplan answers with this content type.
const JSON_TYPE = 'application/json;charset=UTF-8';

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

export function emptyReply(status: number): Reply {
  return { status };
}

/** A JSON body as given, or text/plain when it is not JSON (an HTML proxy page, say). */
export function rawReply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  const type = looksLikeJson(body) ? JSON_TYPE : 'text/plain;charset=UTF-8';
  return { status, headers: { 'content-type': type, ...headers }, body };
}

/** File chunk content: Anaplan sends chunk bytes as application/octet-stream. */
export function bytesReply(status: number, bytes: Buffer): Reply {
  return { status, headers: { 'content-type': 'application/octet-stream' }, body: bytes };
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
