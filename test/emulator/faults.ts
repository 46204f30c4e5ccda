import { z } from 'zod';

/**
 * Scripted misbehaviour. A fault matches a request by path (a string is compared with the path
 * without its query; a RegExp is tested against the path with its query) and optionally by
 * method; the first matching fault in the order they were added answers the request, `times`
 * times (default 1), then is gone.
 */

export interface FaultTarget {
  path: string | RegExp;
  method?: string | undefined;
  /** Default 1; Infinity for every matching request. */
  times?: number | undefined;
}

export type FaultAction =
  | { kind: 'status'; status: number; body?: string | undefined; headers?: Record<string, string> | undefined }
  /** Wait, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Destroy the socket without a response. */
  | { kind: 'reset' }
  /** HTTP 200 whose body is cut-off JSON. */
  | { kind: 'malformed' }
  /** Never answer. */
  | { kind: 'hang' }
  /**
   * Answer normally, but slowly: the status line and headers at once, then the body in `chunks`
   * pieces (default 10) spread over `ms` (a slow link, or a proxy that trickles).
   */
  | { kind: 'slow'; ms: number; chunks?: number | undefined };

export type Fault = FaultTarget & FaultAction;

export const MALFORMED_BODY = '{"status":"SUCC';

interface PendingFault {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private pending: PendingFault[] = [];

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times > 0)) throw new RangeError(`Fault "times" must be positive, got ${times}`);
    this.pending.push({ fault, remaining: times });
  }

  /** Consumes one use of the first fault matching the request, if any. */
  take(method: string, path: string, pathWithQuery: string): Fault | undefined {
    const entry = this.pending.find(({ fault }) => matches(fault, method, path, pathWithQuery));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.pending.splice(this.pending.indexOf(entry), 1);
    return entry.fault;
  }

  clear(): void {
    this.pending = [];
  }

  get size(): number {
    return this.pending.length;
  }
}

function matches(fault: Fault, method: string, path: string, pathWithQuery: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  if (typeof fault.path === 'string') return fault.path === path;
  fault.path.lastIndex = 0; // a /g or /y RegExp would otherwise remember where it stopped
  return fault.path.test(pathWithQuery);
}

// The JSON form of a fault for POST /__emulator/faults: a RegExp travels as {"pathRegex": "..."}.
const targetFields = {
  path: z.string().startsWith('/').optional(),
  pathRegex: z.string().min(1).optional(),
  method: z.string().min(1).optional(),
  times: z.number().int().positive().optional(),
};

export const FaultJsonSchema = z
  .discriminatedUnion('kind', [
    z.object({
      ...targetFields,
      kind: z.literal('status'),
      status: z.number().int().min(100).max(599),
      body: z.string().optional(),
      headers: z.record(z.string(), z.string()).optional(),
    }),
    z.object({ ...targetFields, kind: z.literal('delay'), ms: z.number().int().nonnegative() }),
    z.object({ ...targetFields, kind: z.literal('reset') }),
    z.object({ ...targetFields, kind: z.literal('malformed') }),
    z.object({ ...targetFields, kind: z.literal('hang') }),
    z.object({ ...targetFields, kind: z.literal('slow'), ms: z.number().int().nonnegative(), chunks: z.number().int().min(1).max(1000).optional() }),
  ])
  .refine((fault) => (fault.path === undefined) !== (fault.pathRegex === undefined), {
    message: 'Give exactly one of "path" or "pathRegex"',
  });

export type FaultJson = z.infer<typeof FaultJsonSchema>;

/** Throws a SyntaxError when pathRegex is not a valid regular expression. */
export function faultFromJson(json: FaultJson): Fault {
  const { pathRegex, path, ...rest } = json;
  const target = pathRegex === undefined ? (path ?? '') : new RegExp(pathRegex);
  return { ...rest, path: target };
}
