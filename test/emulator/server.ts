import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultQueue, MALFORMED_BODY, type Fault } from './faults.js';
import type { EmulatorEnv, RequestContext } from './context.js';
import { emptyReply, jsonReply, rawReply, type Reply } from './reply.js';
import { flattenHeaders, isBinaryBody, type RequestLogEntry } from './request-log.js';
import { createRouter, type RouteModule } from './router.js';
import { basicLogin } from './routes/basic-login.js';
import { certificateLogin, registerCertificate } from './routes/certificate-login.js';
import { CONTROL_PREFIX, controlRoutes } from './routes/control.js';
import { filesApi, isChunkUpload, MAX_CHUNK_BODY_BYTES } from './routes/files.js';
import { integrationApi } from './routes/integration-api.js';
import { approveDevice, denyDevice, oauthService, upsertOAuthClient, type DeviceDecision, type OAuthOptions, type ScriptedAnswer } from './routes/oauth.js';
import { tasksApi } from './routes/tasks.js';
import { tokenService } from './routes/token-service.js';
import { publicTask, scriptFailure } from './task-runner.js';
import { setExportContent, uploadedFile } from './transfers.js';
import {
  createSeedState,
  upsertUser,
  type DeviceCodeRecord,
  type EmulatorTask,
  type EmulatorState,
  type EmulatorUser,
  type NewOAuthClient,
  type NewUser,
  type OAuthClient,
  type RegisteredCertificate,
  type TaskKind,
} from './state.js';

export { SEED } from './seed.js';
export { TOKEN_LIFETIME_MS } from './tokens.js';
export { MALFORMED_BODY } from './faults.js';
export type { Fault, FaultAction, FaultTarget } from './faults.js';
export type { RequestLogEntry } from './request-log.js';
export type { EmulatorState, EmulatorUser, EmulatorWorkspace, EmulatorModel, NewUser, RegisteredCertificate, TokenRecord } from './state.js';
export type { EmulatorTask, TaskKind, TaskRecord, TaskResult, TaskResultDetail, TaskState } from './state.js';
export { DOWNLOAD_CHUNK_BYTES, MAX_CHUNK_BYTES, defaultExportContent } from './transfers.js';
export { MAX_CHUNK_BODY_BYTES } from './routes/files.js';
export { TASK_KINDS } from './task-runner.js';
export { CERTIFICATE_MESSAGE_WINDOW_MS } from './routes/certificate-login.js';
export { SEED_OAUTH_CLIENTS } from './state.js';
export type { DeviceCodeRecord, NewOAuthClient, OAuthClient, OAuthPoll, RefreshTokenRecord } from './state.js';
export { DEVICE_CODE_DEFAULTS, OAUTH_ACCESS_TOKEN_LIFETIME_S, SCRIPTABLE_ANSWERS, SSO_DENIAL } from './routes/oauth.js';
export type { OAuthBodyEncoding, OAuthOptions, ScriptedAnswer } from './routes/oauth.js';

/**
 * A local Anaplan for tests and for people: one base URL serves the auth service and the
 * integration API (give it as both --auth-url and --api-url).
 */

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Anaplan has been seen answering a login with either (anaplan-facts §2). Default 201. */
  authSuccessStatus?: 200 | 201;
  /** The clock for token expiry, certificate validity, v2 message times and the log; tests pass their own to fast-forward. */
  now?: () => number;
  /**
   * Refuse v1 certificate-login payloads (150 random bytes, what Anaplan Connect 4.1.0 sends), as a
   * tenant may once Anaplan phases v1 out. Default false: both are accepted today (anaplan-facts §2, §8).
   */
  requireV2?: boolean;
  /** The OAuth device grant: interval (null: none sent), code lifetime, accepted body encodings. */
  oauth?: OAuthOptions;
  /**
   * Items in a page of a list when the request gives no `limit`. Default 5000: "If no offset or
   * limit parameters are used in the request, results will be limited to the first 5000 models"
   * (Anaplan's "Get the list of models"). A small value makes clients page.
   */
  pageSize?: number;
  /** Status reads a task answers IN_PROGRESS before it is COMPLETE. Default 1. */
  inProgressPolls?: number;
}

export interface Emulator {
  /** e.g. `http://127.0.0.1:43210`, no trailing slash. */
  readonly url: string;
  readonly state: EmulatorState;
  /** Every request except `/__emulator/...` control calls, oldest first. */
  readonly log: RequestLogEntry[];
  addFault(fault: Fault): void;
  /** Adds a user, or replaces the one with the same email. */
  addUser(user: NewUser): EmulatorUser;
  /**
   * Registers a certificate (PEM text, DER bytes, or base64 of the DER) for the user with this
   * email, as a Tenant Administrator does; throws when Anaplan would refuse the upload.
   */
  registerCertificate(email: string, certificate: string | Buffer): RegisteredCertificate;
  /** The user signs in on the verification page and allows access (an SSO user is denied); throws when the code is unknown, expired or decided. */
  approveDevice(userCode: string, email: string): DeviceCodeRecord;
  /** The user denies access on the verification page. */
  denyDevice(userCode: string): DeviceCodeRecord;
  /** The next device-code polls are answered with these, in order (after the slow_down check for polls that come too soon). */
  scriptOAuth(responses: ScriptedAnswer[]): void;
  /** Adds an OAuth client, or replaces the one with the same client ID. */
  addOAuthClient(client: NewOAuthClient): OAuthClient;
  /**
   * The bytes of the last completed upload of that import data source (by ID, or by name without
   * regard to case) in that model; undefined when none completed, or the model or file is unknown.
   */
  uploadedFile(modelId: string, fileNameOrId: string): Buffer | undefined;
  /**
   * What the export (by ID or name) writes to its file when a task for it completes from now on;
   * throws when the model or export is unknown. Without it: defaultExportContent(export name).
   */
  setExportContent(modelId: string, exportId: string, content: string | Buffer): void;
  /** Every task created, oldest first, with its state now. */
  readonly tasks: readonly EmulatorTask[];
  /**
   * The next task created for that object completes with `successful: false` and this message
   * (a default one otherwise): a failed import has a failure dump; a process fails at its first
   * action. Throws when no model has such an object.
   */
  failNextTask(kind: TaskKind, objectId: string, message?: string): void;
  /**
   * Clears faults, the log, the OAuth script and poll record, and every transfer: uploads (under
   * way and completed), export files and set export content, tasks and failNextTask scripts.
   * Users, workspaces, tokens and device codes stay.
   */
  reset(): void;
  /** Stops at once, cutting open, hanging and keep-alive connections. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Bodies are capped at 1 MiB, except file chunk uploads (routes/files.ts MAX_CHUNK_BODY_BYTES). */
const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_PAGE_SIZE = 5000;

/** Services served to clients. A new service (OAuth device grant) is one more entry. */
function serviceModules(options: EmulatorOptions): RouteModule[] {
  return [
    tokenService([basicLogin, certificateLogin({ requireV2: options.requireV2 ?? false })]),
    integrationApi,
    filesApi,
    tasksApi,
    oauthService(options.oauth),
  ];
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const inProgressPolls = options.inProgressPolls ?? 1;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive whole number, got ${pageSize}`);
  if (!Number.isInteger(inProgressPolls) || inProgressPolls < 0) throw new RangeError(`inProgressPolls must be a whole number, got ${inProgressPolls}`);
  const env: EmulatorEnv = {
    state: createSeedState(),
    now: options.now ?? Date.now,
    baseUrl: '', // known once listening
    authSuccessStatus: options.authSuccessStatus ?? 201,
    pageSize,
    inProgressPolls,
  };
  const log: RequestLogEntry[] = [];
  const faults = new FaultQueue();
  const closing = new AbortController();
  const sockets = new Set<Socket>();

  const reset = (): void => {
    faults.clear();
    log.length = 0; // same array: callers may hold on to emulator.log
    env.state.oauth.script.length = 0;
    env.state.oauth.polls.length = 0;
    const { transfers } = env.state; // emptied in place: callers may hold on to its parts
    transfers.uploads.clear();
    transfers.contents.clear();
    transfers.exportContent.clear();
    transfers.tasks.length = 0;
    transfers.failures.length = 0;
  };
  const serve = createRouter(serviceModules(options));
  const control = createRouter([controlRoutes({ state: env.state, faults, log, reset, now: env.now })]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const url = new URL(rawPath, 'http://emulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req, isChunkUpload(method, url.pathname) ? MAX_CHUNK_BODY_BYTES : MAX_BODY_BYTES);
    if (rawBody === undefined) return send(res, jsonReply(413, { status: { code: 413, message: 'Payload Too Large' } }));
    const headers = flattenHeaders(req.headers);
    const body = isBinaryBody(headers) || rawBody.length > MAX_BODY_BYTES ? '' : rawBody.toString('utf8');
    const ctx: Omit<RequestContext, 'params'> = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
      rawBody,
      env,
    };
    if (url.pathname.startsWith(CONTROL_PREFIX)) return send(res, await control(ctx));

    log.push({ time: env.now(), method: ctx.method, path: rawPath, headers: ctx.headers, body, bodyBytes: rawBody.length });
    const fault = faults.take(ctx.method, url.pathname, rawPath);
    if (fault?.kind === 'slow') return trickle(res, await serve(ctx), fault.ms, fault.chunks ?? 10, closing.signal);
    if (fault) {
      const answered = await applyFault(fault, req, res, closing.signal);
      if (answered) return;
    }
    send(res, await serve(ctx));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || req.socket.destroyed) return;
      send(res, jsonReply(500, { status: { code: 500, message: `Emulator error: ${String(error)}` } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  env.baseUrl = `http://${HOST}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url: env.baseUrl,
    state: env.state,
    log,
    addFault: (fault) => faults.add(fault),
    addUser: (user) => upsertUser(env.state, user),
    registerCertificate: (email, certificate) => registerCertificate(env.state, email, certificate),
    approveDevice: (userCode, email) => decided(approveDevice(env, userCode, email)),
    denyDevice: (userCode) => decided(denyDevice(env, userCode)),
    scriptOAuth: (responses) => {
      env.state.oauth.script.push(...responses);
    },
    addOAuthClient: (client) => upsertOAuthClient(env.state, client),
    uploadedFile: (modelId, fileNameOrId) => uploadedFile(env.state, modelId, fileNameOrId),
    setExportContent: (modelId, exportId, content) => setExportContent(env.state, modelId, exportId, content),
    get tasks() {
      return env.state.transfers.tasks.map(publicTask);
    },
    failNextTask: (kind, objectId, message) => scriptFailure(env.state, kind, objectId, message),
    reset,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

function decided(decision: DeviceDecision): DeviceCodeRecord {
  if (!decision.ok) throw new Error(decision.message);
  return decision.record;
}

/** Answers the request as the fault says; false when it should still be answered normally. */
async function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, closing: AbortSignal): Promise<boolean> {
  switch (fault.kind) {
    case 'status':
      send(res, faultReply(fault.status, fault.body, fault.headers ?? {}));
      return true;
    case 'malformed':
      send(res, { status: 200, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: MALFORMED_BODY });
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'hang':
      return true; // close() destroys the socket
    case 'delay':
      try {
        await sleep(fault.ms, undefined, { signal: closing });
      } catch {
        return true; // the emulator is closing
      }
      return false;
    case 'slow':
      return false; // handle() trickles the normal answer
  }
}

/** Sends the reply with its headers at once and its body in `chunks` pieces spread over `ms`. */
async function trickle(res: ServerResponse, reply: Reply, ms: number, chunks: number, closing: AbortSignal): Promise<void> {
  if (res.destroyed) return;
  const body = typeof reply.body === 'string' || reply.body === undefined ? Buffer.from(reply.body ?? '', 'utf8') : reply.body;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.flushHeaders();
  const pieces = Math.max(1, Math.min(chunks, body.length));
  const size = Math.ceil(body.length / pieces);
  for (let offset = 0; offset < body.length; offset += size) {
    try {
      await sleep(ms / pieces, undefined, { signal: closing });
    } catch {
      res.destroy(); // the emulator is closing
      return;
    }
    if (res.destroyed) return;
    res.write(body.subarray(offset, offset + size));
  }
  res.end();
}

function faultReply(status: number, body: string | undefined, headers: Record<string, string>): Reply {
  if (status === 204 || status === 304 || status < 200) return { ...emptyReply(status), headers };
  if (body !== undefined) return rawReply(status, body, headers);
  return jsonReply(status, { status: { code: status, message: STATUS_CODES[status] ?? 'Error' } }, headers);
}

/** The whole body, or undefined when it is larger than `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, reply.headers ?? {});
  res.end(reply.body);
}
