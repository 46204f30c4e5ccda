import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as z from 'zod';
import type { EventName, EventPayload } from '../contract.js';
import type { Handlers } from '../core/assistant.js';
import { dispatch } from '../core/dispatch.js';
import { AppError } from '../errors.js';
import { SECURITY_HEADERS, hostAllowed, isLoopbackPeer, originAllowed, secretMatches, sessionCookie, sessionMatches } from './security.js';
import { readStaticFile } from './static-files.js';

/**
 * `anaplan-setup ui`: the same renderer build and the same API as the desktop app, over HTTP
 * on 127.0.0.1 only. Host and Origin are checked against DNS rebinding.
 *
 * Access is in two stages. The printed link carries a random launch secret in its fragment (never
 * sent to a server or log). The page sends it once to POST /api/session and gets the session: an
 * HttpOnly, SameSite=Strict cookie for /api/ only. The launch secret is then dead: a copy of the
 * link (browser history, a screenshot, another tab) opens nothing, and every API call needs the
 * session cookie. A new link needs a new run.
 */
export interface UiServer {
  /** The one-time link: http://127.0.0.1:<port>/#token=<launch secret>. */
  url: string;
  port: number;
  /** The launch secret in url's fragment; it opens one session, once. */
  launchSecret: string;
  /** True once the launch secret was exchanged for the session. */
  readonly launched: boolean;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

export interface UiServerOptions {
  rendererDir: string;
  handlers: () => Handlers;
  port?: number;
  /** For tests; a random 256-bit secret otherwise. */
  launchSecret?: string;
  /** Called once, when the launch secret has been exchanged for the session. */
  onLaunched?: () => void;
  /** How long a client may take to send its headers, and its whole request (tests shorten them). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * A client that sends its request a byte at a time (slowloris) is cut off: the page's own
 * requests arrive in milliseconds, so these are generous and still far below Node's defaults.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

const LaunchRequest = z.strictObject({ launch: z.string().min(1).max(512) });

/** What to do for a new link: said wherever the assistant refuses one. */
const NEW_LINK = 'Go back to the assistant\u2019s page that is already open, or stop `anaplan-setup ui` (Ctrl+C) and start it again for a new link.';

export const NO_SESSION_MESSAGE = `This page has no session with \`anaplan-setup ui\`: open the link it printed (each link works once, in one browser). ${NEW_LINK}`;
export const LINK_USED_MESSAGE = `This one-time link was already used to open the assistant. ${NEW_LINK}`;
export const WRONG_LINK_MESSAGE = `This link is not the one this run of \`anaplan-setup ui\` printed (was it started again?). Open the link it printed last. ${NEW_LINK}`;

const MAX_BODY_BYTES = 1024 * 1024;

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const launchSecret = options.launchSecret ?? randomBytes(32).toString('base64url');
  // Set once, when the launch secret is exchanged; from then on the launch secret opens nothing.
  let session = '';
  const eventStreams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let port = 0;

  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  // Node enforces the timeouts when it checks its connections: often enough for them to mean what they say.
  const server = createServer({ connectionsCheckingInterval: Math.min(1000, headersTimeout) }, (request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, { error: { code: 'internal', message: 'The assistant could not answer this request.' } });
      else response.end();
    });
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isLoopbackPeer(request) || !hostAllowed(request, port)) return send(response, 403, { error: { code: 'forbidden', message: 'Forbidden host.' } });
    if (!originAllowed(request, port)) return send(response, 403, { error: { code: 'forbidden', message: 'Forbidden origin.' } });
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/api/session') return sessionRoute(request, response);
    if (path.startsWith('/api/')) {
      if (!hasSession(request)) return send(response, 401, { error: { code: 'forbidden', message: NO_SESSION_MESSAGE } });
      if (path === '/api/events' && request.method === 'GET') return openEventStream(response);
      const call = /^\/api\/call\/([A-Za-z]+)$/.exec(path);
      if (!call || request.method !== 'POST') return send(response, 404, { error: { code: 'not_found', message: 'No such API route.' } });
      const payload = await readJson(request, response);
      if (payload === undefined) return;
      const outcome = await dispatch(options.handlers(), call[1] ?? '', payload);
      return send(response, 200, outcome);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { error: { code: 'bad_input', message: 'Method not allowed.' } });
    return serveStatic(path, response);
  }

  function hasSession(request: IncomingMessage): boolean {
    return session !== '' && sessionMatches(request, port, session);
  }

  /** GET: does this browser hold the session? POST {launch}: the one exchange of the launch secret for it. */
  async function sessionRoute(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'GET') {
      return hasSession(request) ? send(response, 200, { session: true }) : send(response, 401, { error: { code: 'forbidden', message: NO_SESSION_MESSAGE } });
    }
    if (request.method !== 'POST') return send(response, 405, { error: { code: 'bad_input', message: 'Method not allowed.' } });
    const payload = await readJson(request, response);
    if (payload === undefined) return;
    const parsed = LaunchRequest.safeParse(payload);
    if (!parsed.success) return send(response, 400, { error: { code: 'bad_input', message: 'Send {"launch": "<the secret after #token= in the link>"}.' } });
    // No await from here to the end: two exchanges racing cannot both win.
    if (!secretMatches(parsed.data.launch, launchSecret)) return send(response, 401, { error: { code: 'forbidden', message: WRONG_LINK_MESSAGE } });
    if (session !== '') return send(response, 403, { error: { code: 'link_used', message: LINK_USED_MESSAGE } });
    session = randomBytes(32).toString('base64url');
    response.setHeader('set-cookie', sessionCookie(port, session));
    send(response, 200, { session: true });
    try {
      options.onLaunched?.();
    } catch {
      /* removing the launch file is best effort: it is removed again when the server stops */
    }
  }

  /** The request's JSON body, or undefined when an error answer was sent instead. */
  async function readJson(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      send(response, 415, { error: { code: 'bad_input', message: 'Send JSON.' } });
      return undefined;
    }
    const body = await readBody(request);
    if (body === null) {
      send(response, 413, { error: { code: 'bad_input', message: 'Request too large.' } });
      return undefined;
    }
    try {
      return body.length ? (JSON.parse(body) as unknown) : {};
    } catch {
      send(response, 400, { error: { code: 'bad_input', message: 'The request is not valid JSON.' } });
      return undefined;
    }
  }

  function openEventStream(response: ServerResponse): void {
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/x-ndjson; charset=utf-8' });
    response.write('\n');
    eventStreams.add(response);
    response.on('close', () => eventStreams.delete(response));
  }

  async function serveStatic(path: string, response: ServerResponse): Promise<void> {
    const file = await readStaticFile(options.rendererDir, path);
    if (!file) return send(response, 404, { error: { code: 'not_found', message: 'Not found.' } });
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': file.contentType });
    response.end(file.content);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options.port)));
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${launchSecret}`,
    port,
    launchSecret,
    get launched() {
      return session !== '';
    },
    emit(event, payload) {
      const line = `${JSON.stringify({ event, payload })}\n`;
      for (const stream of eventStreams) stream.write(line);
    },
    async close() {
      for (const stream of eventStreams) stream.end();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** A port that is taken or not ours to use, said in words with the way out. */
function listenError(error: NodeJS.ErrnoException, port: number | undefined): Error {
  if (error.code === 'EADDRINUSE') {
    return new AppError('io', `Port ${port} on 127.0.0.1 is already in use, perhaps by another anaplan-setup ui. Stop that one (Ctrl+C where it runs), or choose another port: anaplan-setup ui --port ${(port ?? 8765) + 1}`);
  }
  if (error.code === 'EACCES') return new AppError('io', `Port ${port} needs more rights than this account has. Choose a port above 1024: anaplan-setup ui --port 8765`);
  return error;
}
