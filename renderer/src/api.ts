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
  return httpApi(sessionToken());
}

function ipcApi(bridge: Bridge): AssistantApi {
  const api = Object.fromEntries(
    METHOD_NAMES.map((name) => [name, async (input: unknown) => unwrap(await (bridge[name] as (i: unknown) => Promise<CallOutcome<unknown>>)(input))]),
  );
  return { ...api, on: (event, listener) => bridge.on(event, listener) } as AssistantApi;
}

/** The token arrives in the URL fragment (never sent to a server or log) and stays in this tab. */
function sessionToken(): string {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('anaplan-setup-token', fromHash);
    history.replaceState(null, '', window.location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem('anaplan-setup-token') ?? '';
}

function httpApi(token: string): AssistantApi {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const call = async (name: MethodName, input: unknown): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`./api/call/${name}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) });
    } catch {
      throw new ApiError('network', 'The assistant\u2019s local service is not answering. Is `anaplan-setup ui` still running?');
    }
    if (response.status === 401) throw new ApiError('forbidden', 'This page has no valid session token. Open the exact URL that `anaplan-setup ui` printed.');
    const body = (await response.json()) as CallOutcome<unknown> | { error: { code: string; message: string } };
    if ('ok' in body) return unwrap(body);
    throw new ApiError(body.error.code, body.error.message);
  };
  const api = Object.fromEntries(METHOD_NAMES.map((name) => [name, (input: unknown) => call(name, input)]));
  return { ...api, on: (event, listener) => subscribe(headers, event, listener as (payload: unknown) => void) } as AssistantApi;
}

function subscribe(headers: Record<string, string>, event: EventName, listener: (payload: unknown) => void): () => void {
  const controller = new AbortController();
  void (async () => {
    try {
      const response = await fetch('./api/events', { headers, signal: controller.signal });
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
