import type { EmulatorState } from './state.js';

/** Settings and shared state every route may read. */
export interface EmulatorEnv {
  state: EmulatorState;
  now: () => number;
  /** e.g. `http://127.0.0.1:43210`, no trailing slash. */
  baseUrl: string;
  authSuccessStatus: 200 | 201;
}

/** What a route receives. */
export interface RequestContext {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** Values of the `:name` segments of the matched route. */
  params: Record<string, string>;
  env: EmulatorEnv;
}
