import type { EmulatorState } from './state.js';

/** Settings and shared state every route may read. */
export interface EmulatorEnv {
  state: EmulatorState;
  now: () => number;
  /** e.g. `http://127.0.0.1:43210`, no trailing slash. */
  baseUrl: string;
  authSuccessStatus: 200 | 201;
  /** Items in a page of a list when the request gives no `limit`. */
  pageSize: number;
  /** Status reads a task answers IN_PROGRESS before it is COMPLETE. */
  inProgressPolls: number;
}

/** What a route receives. */
export interface RequestContext {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as UTF-8 text; empty for a binary body (a file chunk) or one over the 1 MiB text cap. */
  body: string;
  /** The body's bytes as received (still gzipped when the client sent it so). */
  rawBody: Buffer;
  /** Values of the `:name` segments of the matched route. */
  params: Record<string, string>;
  env: EmulatorEnv;
}
