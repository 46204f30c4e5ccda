import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { EventName, EventPayload } from '../contract.js';
import type { Handlers } from '../core/assistant.js';
import { dispatch } from '../core/dispatch.js';
import { AppError } from '../core/errors.js';
import { SECURITY_HEADERS, hostAllowed, isLoopbackPeer, originAllowed, tokenMatches } from './security.js';
import { readStaticFile } from './static-files.js';

/**
 * `anaplan-setup ui`: the same renderer build and the same API as the desktop app, over HTTP
 * on 127.0.0.1 only. A random per-run token (in the URL fragment, so it never reaches a log)
 * is required on every API call; Host and Origin are checked against DNS rebinding.
 */
export interface UiServer {
  url: string;
  port: number;
  token: string;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

export interface UiServerOptions {
  rendererDir: string;
  handlers: () => Handlers;
  port?: number;
  token?: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const eventStreams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let port = 0;

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, { error: { code: 'internal', message: 'The assistant could not answer this request.' } });
      else response.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isLoopbackPeer(request) || !hostAllowed(request, port)) return send(response, 403, { error: { code: 'forbidden', message: 'Forbidden host.' } });
    if (!originAllowed(request, port)) return send(response, 403, { error: { code: 'forbidden', message: 'Forbidden origin.' } });
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path.startsWith('/api/')) {
      if (!tokenMatches(request, token)) return send(response, 401, { error: { code: 'forbidden', message: 'Missing or wrong session token: open the URL that `anaplan-setup ui` printed.' } });
      if (path === '/api/events' && request.method === 'GET') return openEventStream(response);
      const call = /^\/api\/call\/([A-Za-z]+)$/.exec(path);
      if (!call || request.method !== 'POST') return send(response, 404, { error: { code: 'not_found', message: 'No such API route.' } });
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(response, 415, { error: { code: 'bad_input', message: 'Send JSON.' } });
      }
      const body = await readBody(request);
      if (body === null) return send(response, 413, { error: { code: 'bad_input', message: 'Request too large.' } });
      let payload: unknown;
      try {
        payload = body.length ? JSON.parse(body) : {};
      } catch {
        return send(response, 400, { error: { code: 'bad_input', message: 'The request is not valid JSON.' } });
      }
      const outcome = await dispatch(options.handlers(), call[1] ?? '', payload);
      return send(response, 200, outcome);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { error: { code: 'bad_input', message: 'Method not allowed.' } });
    return serveStatic(path, response);
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
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
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
