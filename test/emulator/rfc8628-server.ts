import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A device-grant server that follows RFC 8628 and RFC 6749 to the letter and knows nothing of
 * Anaplan: its own paths, form-encoded bodies only (anything else: 415), no `interval` in its
 * answer unless asked (clients must then use 5 s, and it enforces 5 s with slow_down), errors as
 * RFC 6749 §5.2 JSON with HTTP 400. The client under test is given its URLs, proving that
 * nothing Anaplan-specific is baked in.
 */

export interface Rfc8628ServerOptions {
  devicePath?: string;
  tokenPath?: string;
  /** Send `interval` in the device authorization answer. Default false. */
  sendInterval?: boolean;
  /** Seconds enforced between polls (and sent when sendInterval). Default 5, the RFC default. */
  interval?: number;
  /** Seconds a code lives. Default 300. */
  expiresIn?: number;
  /** The only client accepted; any non-empty client_id when not given. */
  clientId?: string;
  now?: () => number;
}

export interface Rfc8628Request {
  /** ms since the epoch, by the server's clock */
  time: number;
  method: string;
  path: string;
  contentType: string;
  body: string;
  /** The HTTP status it was answered with. */
  status: number;
  /** The OAuth error sent, if any. */
  error: string | null;
}

export interface Rfc8628Server {
  readonly url: string;
  readonly deviceAuthorizationUrl: string;
  readonly tokenUrl: string;
  readonly log: Rfc8628Request[];
  /** The user approves the code; throws when no pending code has this user code. */
  approve(userCode: string): void;
  deny(userCode: string): void;
  close(): Promise<void>;
}

interface Code {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope: string | null;
  expiresAt: number;
  interval: number;
  lastPollAt: number;
  status: 'pending' | 'approved' | 'denied' | 'used';
}

const FORM = 'application/x-www-form-urlencoded';
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export async function startRfc8628Server(options: Rfc8628ServerOptions = {}): Promise<Rfc8628Server> {
  const devicePath = options.devicePath ?? '/device_authorization';
  const tokenPath = options.tokenPath ?? '/token';
  const interval = options.interval ?? 5;
  const expiresIn = options.expiresIn ?? 300;
  const now = options.now ?? Date.now;
  const codes: Code[] = [];
  const log: Rfc8628Request[] = [];
  const sockets = new Set<Socket>();
  let baseUrl = '';

  type Answer = { status: number; body: Record<string, unknown> | string; error?: string };
  const error = (name: string, description: string, status = 400): Answer => ({ status, body: { error: name, error_description: description }, error: name });

  function answer(method: string, path: string, contentType: string, body: string): Answer {
    if (path !== devicePath && path !== tokenPath) return { status: 404, body: 'Not Found' };
    if (method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    if (contentType.split(';')[0]?.trim().toLowerCase() !== FORM) return { status: 415, body: `Unsupported Media Type: send ${FORM}` };
    const params = new URLSearchParams(body);
    for (const name of new Set(params.keys())) {
      if (params.getAll(name).length > 1) return error('invalid_request', `Parameter ${name} repeated`);
    }
    const clientId = params.get('client_id');
    if (!clientId || (options.clientId !== undefined && clientId !== options.clientId)) return error('invalid_client', 'Unknown client', 401);

    if (path === devicePath) {
      const code: Code = {
        deviceCode: randomBytes(24).toString('hex'),
        userCode: `${randomDigits(4)}-${randomDigits(4)}`,
        clientId,
        scope: params.get('scope'),
        expiresAt: now() + expiresIn * 1000,
        interval,
        lastPollAt: now(),
        status: 'pending',
      };
      codes.push(code);
      return {
        status: 200,
        body: {
          device_code: code.deviceCode,
          user_code: code.userCode,
          verification_uri: `${baseUrl}/device`,
          verification_uri_complete: `${baseUrl}/device?user_code=${code.userCode}`,
          expires_in: expiresIn,
          ...(options.sendInterval ? { interval } : {}),
        },
      };
    }

    const grantType = params.get('grant_type');
    if (grantType !== GRANT) return error('unsupported_grant_type', `grant_type ${grantType ?? '(none)'} is not supported`);
    const code = codes.find((entry) => entry.deviceCode === params.get('device_code'));
    if (!code || code.clientId !== clientId || code.status === 'used') return error('invalid_grant', 'Unknown device_code');
    const time = now();
    if (time >= code.expiresAt) return error('expired_token', 'The device_code has expired');
    const tooSoon = time - code.lastPollAt < code.interval * 1000;
    code.lastPollAt = time;
    if (tooSoon) {
      code.interval += 5;
      return error('slow_down', 'Polling too frequently');
    }
    if (code.status === 'denied') return error('access_denied', 'The end user denied the authorization request');
    if (code.status === 'pending') return error('authorization_pending', 'The authorization request is still pending');
    code.status = 'used';
    return {
      status: 200,
      body: {
        access_token: randomBytes(24).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: randomBytes(24).toString('base64url'),
        ...(code.scope ? { scope: code.scope } : {}),
      },
    };
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://server.invalid').pathname;
      const contentType = req.headers['content-type'] ?? '';
      const time = now();
      const result = answer((req.method ?? 'GET').toUpperCase(), path, contentType, body);
      log.push({ time, method: req.method ?? 'GET', path, contentType, body, status: result.status, error: result.error ?? null });
      const json = typeof result.body !== 'string';
      res.writeHead(result.status, {
        'content-type': json ? 'application/json' : 'text/plain; charset=utf-8',
        // RFC 6749 §5.1: token answers are never cached.
        'cache-control': 'no-store',
        pragma: 'no-cache',
      });
      res.end(json ? JSON.stringify(result.body) : result.body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const decide = (userCode: string, status: 'approved' | 'denied'): void => {
    const code = codes.find((entry) => entry.userCode === userCode && entry.status === 'pending');
    if (!code) throw new Error(`No pending code ${userCode}`);
    code.status = status;
  };
  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    deviceAuthorizationUrl: `${baseUrl}${devicePath}`,
    tokenUrl: `${baseUrl}${tokenPath}`,
    log,
    approve: (userCode) => decide(userCode, 'approved'),
    deny: (userCode) => decide(userCode, 'denied'),
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

function randomDigits(count: number): string {
  return Array.from(randomBytes(count), (byte) => String(byte % 10)).join('');
}
