import type { AssistantApi, CallOutcome, EventName, EventPayload, MethodInput, MethodName, MethodOutput } from '../../main/contract';
import { METHOD_NAMES } from '../../main/contract-names';

/** An error the core reported: `message` is written for the person using the assistant. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Per-field problems, for messages next to the fields. */
    readonly fields: ReadonlyArray<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

type Bridge = { [M in MethodName]: (input: MethodInput<M>) => Promise<CallOutcome<MethodOutput<M>>> } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

declare global {
  interface Window {
    anaplanSetup?: Bridge;
  }
}

function unwrap<T>(outcome: CallOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new ApiError(outcome.error.code, outcome.error.message, outcome.error.fields);
}

/** The desktop app's preload bridge, or the HTTP bridge of `anaplan-setup ui`: same contract. */
export function createApi(): AssistantApi {
  const bridge = window.anaplanSetup;
  if (bridge) return ipcApi(bridge);
  return httpApi(startSession());
}

function ipcApi(bridge: Bridge): AssistantApi {
  const api = Object.fromEntries(
    METHOD_NAMES.map((name) => [name, async (input: unknown) => unwrap(await (bridge[name] as (i: unknown) => Promise<CallOutcome<unknown>>)(input))]),
  );
  return { ...api, on: (event, listener) => bridge.on(event, listener) } as AssistantApi;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const NOT_ANSWERING = 'The assistant\u2019s local service is not answering. Is `anaplan-setup ui` still running?';
const NO_SESSION = 'This page has no session with `anaplan-setup ui`: open the link it printed (each link works once). For a new link, stop it (Ctrl+C) and start it again.';

/**
 * `anaplan-setup ui`'s link carries a one-time launch secret in its fragment (never sent to a
 * server or log). It is taken off the address bar at once and exchanged, once, for the session:
 * an HttpOnly cookie that this page's script never sees and that only this origin's API calls
 * carry. A link used before (a reload, history, a second tab) opens nothing by itself; if this
 * browser already holds the session, that is used.
 */
async function startSession(): Promise<void> {
  const launch = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (window.location.hash) history.replaceState(null, '', window.location.pathname + window.location.search);
  if (!launch) return; // a reload: the session cookie, if any, answers for itself
  let response: Response;
  try {
    response = await fetch('./api/session', { method: 'POST', headers: JSON_HEADERS, credentials: 'same-origin', body: JSON.stringify({ launch }) });
  } catch {
    throw new ApiError('network', NOT_ANSWERING);
  }
  if (response.ok) return;
  const refusal = await errorOf(response, NO_SESSION);
  // The link was used before, perhaps by this browser: its session then still works.
  try {
    if ((await fetch('./api/session', { credentials: 'same-origin' })).ok) return;
  } catch {
    /* the refusal below says what to do */
  }
  throw refusal;
}

async function errorOf(response: Response, fallback: string): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.message === 'string') return new ApiError(typeof body.error.code === 'string' ? body.error.code : 'forbidden', body.error.message);
  } catch {
    /* not JSON: the fallback */
  }
  return new ApiError('forbidden', fallback);
}

function httpApi(session: Promise<void>): AssistantApi {
  // Settled here, so that a refused link is reported by the calls, not as an unhandled rejection.
  session.catch(() => undefined);
  const call = async (name: MethodName, input: unknown): Promise<unknown> => {
    await session;
    let response: Response;
    try {
      response = await fetch(`./api/call/${name}`, { method: 'POST', headers: JSON_HEADERS, credentials: 'same-origin', body: JSON.stringify(input ?? {}) });
    } catch {
      throw new ApiError('network', NOT_ANSWERING);
    }
    if (response.status === 401) throw await errorOf(response, NO_SESSION);
    const body = (await response.json()) as CallOutcome<unknown> | { error: { code: string; message: string } };
    if ('ok' in body) return unwrap(body);
    throw new ApiError(body.error.code, body.error.message);
  };
  const api = Object.fromEntries(METHOD_NAMES.map((name) => [name, (input: unknown) => call(name, input)]));
  return { ...api, on: (event, listener) => subscribe(session, event, listener as (payload: unknown) => void) } as AssistantApi;
}

function subscribe(session: Promise<void>, event: EventName, listener: (payload: unknown) => void): () => void {
  const controller = new AbortController();
  void (async () => {
    try {
      await session;
      if (controller.signal.aborted) return;
      const response = await fetch('./api/events', { credentials: 'same-origin', signal: controller.signal });
      const reader = response.body?.getReader();
      if (!reader) return;
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const message = JSON.parse(line) as { event: string; payload: unknown };
          if (message.event === event) listener(message.payload);
        }
      }
    } catch {
      /* the stream ends when the page or the server goes away */
    }
  })();
  return () => controller.abort();
}
