import { isLoopbackUrl } from './loopback.js';
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { AppError } from '../errors.js';
import { readFileUpTo } from '../fs/bounded-read.js';

/**
 * The one HTTP client for every remote call: timeouts, retries with backoff where safe,
 * a proxy (explicit, or from HTTPS_PROXY/HTTP_PROXY/NO_PROXY) for every host but this machine's
 * own (loopback is always reached directly), extra CA certificates for TLS-inspecting proxies,
 * and a bound on every answer's size.
 */
export interface HttpSettings {
  /** Explicit proxy URL (`http://host:port`, credentials allowed in the URL). */
  proxyUrl?: string | undefined;
  /** A PEM file of extra CA certificates, trusted in addition to the built-in roots. */
  caFile?: string | undefined;
  /** Per-attempt timeout for the whole exchange. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt for calls that are safe to repeat. */
  maxRetries?: number | undefined;
  /** Base of the exponential backoff between retries. */
  backoffMs?: number | undefined;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A function is called for every attempt: a signed login sends a fresh message each time (anaplan-facts §2). */
  body?: string | (() => string);
  /**
   * True when repeating the call cannot do harm (GETs, token polls). Non-idempotent calls are
   * retried only when the connection failed before anything was sent, or after a 429 or 503 (the
   * server says it did not handle the request); never after a 500, 502, 504, a reset or a timeout.
   */
  idempotent: boolean;
  /** The caller retries on its own schedule (device-grant polls wait the server's interval). */
  noRetry?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

const DEFAULTS = { timeoutMs: 30_000, maxRetries: 3, backoffMs: 500 } as const;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;
/** Errors raised before a request could reach the server: safe to retry any method. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Failures that another attempt would only repeat (an oversized answer would be read again in full). */
const NEVER_RETRIED = new Set<string>(['tls', 'proxy_auth_required', 'bad_input', 'unexpected_response']);

/**
 * The most any answer may hold. Everything this app asks Anaplan for (a token, the user, the
 * lists of workspaces, models and their imports, exports, processes, actions and files) is JSON
 * of kilobytes, a big tenant's model list some hundreds of kilobytes: 16 MiB is far above any real
 * answer, and far below what would hurt the machine. A server (or anything pretending to be one)
 * that streams without end is cut off here instead of filling the memory.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createHttpClient(settings: HttpSettings = {}): HttpClient {
  const route = routeOf(settings); // a bad proxy URL or CA file is refused here, before any call
  // undici is loaded on the first call: commands that never go on the network start faster.
  let connection: Promise<Connection> | undefined;
  const connect = () => (connection ??= openConnection(route));
  const timeoutMs = settings.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxRetries = settings.maxRetries ?? DEFAULTS.maxRetries;
  const backoffMs = settings.backoffMs ?? DEFAULTS.backoffMs;

  async function attempt(req: HttpRequest): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const { request, dispatcherFor } = await connect();
    const response = await request(req.url, {
      method: req.method,
      headers: { 'user-agent': USER_AGENT, ...req.headers },
      body: (typeof req.body === 'function' ? req.body() : req.body) ?? null,
      dispatcher: dispatcherFor(req.url),
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const headers = flattenHeaders(response.headers);
    const text = await readBoundedBody(response.body, headers, req.url);
    return { status: response.statusCode, headers, text };
  }

  return {
    async send(req) {
      for (let attemptNo = 0; ; attemptNo++) {
        const canRetry = !req.noRetry && attemptNo < maxRetries;
        try {
          const response = await attempt(req);
          // 429 and 503 say the server did not handle the request: safe to repeat even a POST.
          if (canRetry && RETRYABLE_STATUS.has(response.status) && (req.idempotent || response.status === 429 || response.status === 503)) {
            const delay = retryDelay(response, attemptNo, backoffMs);
            // A server that asks for a longer wait than we are willing to sit through gets its answer back
            // (the caller says when to try again): never ask again sooner than it said.
            if (delay === null) return response;
            await sleep(delay, undefined, { signal: req.signal });
            continue;
          }
          return response;
        } catch (error) {
          if (req.signal?.aborted) throw new AppError('cancelled', 'Cancelled.');
          const mapped = mapNetworkError(error, req.url, timeoutMs, proxyFor(req.url, route.proxyUri, route.proxyFromEnv ? process.env : {}));
          const retryable = !NEVER_RETRIED.has(mapped.code);
          if (canRetry && retryable && (req.idempotent || NOT_SENT_CODES.has(errorCode(error)))) {
            await sleep(backoffMs * 2 ** attemptNo, undefined, { signal: req.signal });
            continue;
          }
          throw mapped;
        }
      }
    },
    close: async () => {
      if (connection) await (await connection).close();
    },
  };
}

const USER_AGENT = 'AnaplanConnectSetupAssistant/0.1';

/** Where calls go: an explicit proxy, the environment's proxy variables, or straight out; with extra CAs. */
interface Route {
  proxyUri: string | null;
  proxyFromEnv: boolean;
  tls: { ca: string[] } | undefined;
}

interface Connection {
  request: typeof import('undici').request;
  /** The way to `url`: through the proxy, or straight to the host when it is this machine or NO_PROXY lists it. */
  dispatcherFor(url: string): Dispatcher;
  close(): Promise<void>;
}

function routeOf(settings: HttpSettings): Route {
  return {
    proxyUri: settings.proxyUrl ? checkProxyUrl(settings.proxyUrl) : null,
    proxyFromEnv: envProxySet(),
    tls: settings.caFile ? { ca: [...rootCertificates, readCaFile(settings.caFile)] } : undefined,
  };
}

const ENV_PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

/**
 * Whether the environment names a proxy. Each one set must be a URL (`http://proxy:8080`,
 * credentials allowed there): `proxy:8080` alone would otherwise fail later with an error that
 * names neither the variable nor the fix.
 */
function envProxySet(): boolean {
  const set = ENV_PROXY_VARIABLES.filter((name) => process.env[name]);
  for (const name of set) checkEnvProxy(name, process.env[name] ?? '');
  return set.length > 0;
}

function checkEnvProxy(name: EnvProxyVariable, value: string): void {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    const shown = value.includes('@') ? `…@${value.slice(value.lastIndexOf('@') + 1)}` : value; // never echo credentials
    throw new AppError('bad_input', `${name} is set to "${shown}", which is not a proxy URL. Write it with its scheme, for example ${name}=http://proxy.example.com:8080, or unset it if this machine needs no proxy.`);
  }
}

async function openConnection({ proxyUri, proxyFromEnv, tls }: Route): Promise<Connection> {
  const loaded = await import('undici');
  // Node's loader gives the CommonJS exports by name; a bundle gives them as the default export.
  const { Agent, EnvHttpProxyAgent, ProxyAgent, request } = 'Agent' in loaded ? loaded : (loaded as { default: typeof loaded }).default;
  const direct = new Agent(tls ? { connect: tls } : {});
  const proxied = proxyUri
    ? new ProxyAgent({ uri: proxyUri, ...(tls ? { requestTls: tls } : {}) })
    : proxyFromEnv
      ? new EnvHttpProxyAgent(tls ? { requestTls: tls, connect: tls } : {})
      : null;
  return {
    request,
    // This machine is never reached through a proxy: plain http is allowed for loopback alone
    // (main/anaplan/endpoints.ts), and a proxy would read the password sent over it.
    dispatcherFor: (url) => (proxied && !isLoopbackUrl(url) ? proxied : direct),
    close: async () => {
      await Promise.all([direct.close(), proxied?.close()]);
    },
  };
}


/**
 * The answer's body as text, never more than MAX_RESPONSE_BYTES: refused at once when its
 * Content-Length says it is bigger, and cut off as soon as that many bytes have arrived.
 */
async function readBoundedBody(body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown }, headers: Record<string, string>, url: string): Promise<string> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    body.destroy();
    throw responseTooLarge(url);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw responseTooLarge(url);
    }
    chunks.push(chunk);
  }
  return UTF8.decode(Buffer.concat(chunks, size)); // a leading byte order mark dropped, as undici's text() did
}

const UTF8 = new TextDecoder('utf-8');

function responseTooLarge(url: string): AppError {
  const host = safeHost(url);
  return new AppError(
    'unexpected_response',
    `${host} sent an answer larger than ${MAX_RESPONSE_BYTES / (1024 * 1024)} MB, so it was not read to the end. Anaplan's answers to these calls are small (kilobytes, not megabytes): this is not Anaplan answering as expected (a wrong URL, or a proxy or server sending something else). Check the region or the auth and API URLs, and any proxy, then try again.`,
    { limitBytes: MAX_RESPONSE_BYTES },
  );
}

/** A bundle of CA certificates is some kilobytes; a device such as /dev/zero would be read forever. */
const MAX_CA_FILE_BYTES = 1024 * 1024;

function readCaFile(path: string): string {
  const notCaFile = (why: string) =>
    new AppError('bad_input', `${path} is not a CA certificate file (${why}). Give a PEM file of the proxy's or your organisation's CA certificates.`);
  let bytes: Buffer | null;
  try {
    bytes = readFileUpTo(path, MAX_CA_FILE_BYTES);
  } catch (error) {
    if (errorCode(error) === 'EISDIR') throw notCaFile('a folder, not a regular file');
    throw new AppError('bad_input', `Cannot read the CA certificate file ${path}. Give a PEM file of the proxy's or your organisation's CA certificates.`);
  }
  if (!bytes) throw notCaFile(`more than ${MAX_CA_FILE_BYTES.toLocaleString('en')} bytes`);
  const text = bytes.toString('utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AppError('bad_input', `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----). Export the CA certificate as PEM (Base-64) and try again.`);
  }
  return text;
}

export function checkProxyUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('bad_input', `Proxy "${value}" is not a URL. Use the form http://proxy.example.com:8080.`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) {
    throw new AppError('bad_input', `Proxy "${value}" must start with http:// or https://.`);
  }
  return url.toString();
}

/** The proxy a call goes through, as a message names it: where it is (never its credentials), and where it was set. */
export interface ProxyInUse {
  hostname: string;
  port: number;
  /** `explicit`: the CLI's --proxy or the assistant's Proxy URL; else the environment variable it came from. */
  setting: 'explicit' | EnvProxyVariable;
}

type EnvProxyVariable = (typeof ENV_PROXY_VARIABLES)[number];

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The proxy a call to `url` goes through: none for this machine (isLoopbackUrl); else the explicit
 * one; else the environment's, chosen as undici's EnvHttpProxyAgent (which routes these calls)
 * chooses it: https_proxy, then HTTPS_PROXY, for https (falling back to the http one), http_proxy,
 * then HTTP_PROXY, for http; none for a host that NO_PROXY lists.
 */
export function proxyFor(url: string, explicitProxy: string | null, env: NodeJS.ProcessEnv = process.env): ProxyInUse | null {
  if (isLoopbackUrl(url)) return null;
  if (explicitProxy) return proxyInUse(explicitProxy, 'explicit');
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return null;
  }
  const httpProxy = envProxy(env, 'http_proxy', 'HTTP_PROXY');
  const chosen = target.protocol === 'https:' ? (envProxy(env, 'https_proxy', 'HTTPS_PROXY') ?? httpProxy) : httpProxy;
  if (!chosen || noProxyCovers(target, env.no_proxy ?? env.NO_PROXY ?? '')) return null;
  return proxyInUse(chosen.value, chosen.variable);
}

/** Like undici: the lowercase variable when it is set at all, even empty (which then means none). */
function envProxy(env: NodeJS.ProcessEnv, lower: EnvProxyVariable, upper: EnvProxyVariable): { value: string; variable: EnvProxyVariable } | null {
  const variable = env[lower] !== undefined ? lower : upper;
  const value = env[variable];
  return value ? { value, variable } : null;
}

/** NO_PROXY as undici reads it: entries split at commas and blanks, `host`, `.domain`, `*.domain`, `host:port`, or `*` alone. */
function noProxyCovers(target: URL, noProxy: string): boolean {
  const entries = noProxy.split(/[,\s]/).filter(Boolean);
  if (entries.length === 0) return false;
  if (noProxy === '*') return true;
  const hostname = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(target.port, 10) || DEFAULT_PORTS[target.protocol] || 0;
  return entries.some((entry) => {
    const [, host = entry, entryPort = '0'] = /^(.+):(\d+)$/.exec(entry) ?? [];
    const name = host.replace(/^\*?\./, '').toLowerCase();
    if (Number(entryPort) && Number(entryPort) !== port) return false;
    return hostname === name || hostname.endsWith(`.${name}`);
  });
}

function proxyInUse(proxyUrl: string, setting: ProxyInUse['setting']): ProxyInUse | null {
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    return null;
  }
  if (!url.hostname) return null;
  return { hostname: url.hostname, port: Number(url.port) || DEFAULT_PORTS[url.protocol] || 80, setting };
}

/** The wait before the next attempt; null when the server's Retry-After is longer than MAX_RETRY_AFTER_MS. */
function retryDelay(response: HttpResponse, attemptNo: number, backoffMs: number): number | null {
  const retryAfter = retryAfterMs(response);
  if (retryAfter !== null) return retryAfter > MAX_RETRY_AFTER_MS ? null : retryAfter;
  return backoffMs * 2 ** attemptNo;
}

/** Retry-After (RFC 9110 §10.2.3: seconds or an HTTP date) in ms from now, or null when absent or unreadable. */
export function retryAfterMs(response: HttpResponse, now: number = Date.now()): number | null {
  const value = response.headers['retry-after']?.trim();
  if (!value) return null;
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function errorCode(error: unknown): string {
  return codedError(error)?.code ?? '';
}

/** The error in the cause chain that carries the library or system code, with what it says it tried to reach. */
interface CodedError {
  code: string;
  /** Where a connect failed (ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT) */
  port?: unknown;
  /** What a DNS lookup failed for (ENOTFOUND, EAI_AGAIN) */
  hostname?: unknown;
  syscall?: unknown;
}

function codedError(error: unknown): CodedError | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return current as CodedError;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|SSL/;

/**
 * A failed exchange in words a person can act on. Library and system codes (UND_ERR_…, ECONNRESET)
 * never reach the message: they stay in `details.cause` for logs. Certificate verification reasons
 * (CERT_HAS_EXPIRED, …) are named, since they say what is wrong with the certificate.
 */
export function mapNetworkError(error: unknown, url: string, timeoutMs: number, proxy: ProxyInUse | null = null): AppError {
  if (error instanceof AppError) return error;
  const host = safeHost(url);
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const details = { cause: code || message };
  if (/\(407\)/.test(message)) return proxyAuthRequired(host);
  const tunnelRefused = /^Proxy response \((\d{3})\)/.exec(message);
  if (tunnelRefused) return proxyRefusedTunnel(Number(tunnelRefused[1]), proxy, host, details);
  // Through a proxy, this machine only ever connects to the proxy: a failed connect is the proxy's, not the target's.
  if (proxy && failedToReachProxy(error, proxy)) return proxyUnreachable(code, proxy, host, details);
  if (TLS_CODES.test(code)) {
    return new AppError(
      'tls',
      `The secure connection to ${host} could not be verified (${code}). A TLS-inspecting proxy is the usual cause: add your organisation's CA certificate (CLI: --ca-file ca.pem) and try again.`,
      details,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AppError('network', `The host ${host} could not be found (DNS). Check the region or URL, and that this machine can resolve Internet names (or set a proxy).`, details);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' || (error instanceof Error && error.name === 'TimeoutError')) {
    return new AppError(
      'timeout',
      `${host} did not answer within ${seconds(timeoutMs)}. Check the network or proxy, then try again; on a slow connection, allow more time (command line: --timeout SECONDS).`,
      details,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new AppError('network', `${host} refused the connection. Check the URL and port, and any firewall or proxy between this machine and Anaplan.`, details);
  }
  if (CLOSED_CODES.has(code)) {
    return new AppError(
      'network',
      `The connection to ${host} was closed before the answer arrived (by the server, or by a proxy or firewall in between). Try again; if it keeps happening, check the network or proxy.`,
      details,
    );
  }
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') {
    return new AppError('network', `${host} cannot be reached from this machine (no route to it). Check the network connection, or set a proxy if this machine must use one.`, details);
  }
  return new AppError('network', `The connection to ${host} failed. Check the network or proxy, then try again.`, details);
}

/** The proxy could not be connected to: refused, unknown, no route, or no answer to the connect. */
function failedToReachProxy(error: unknown, proxy: ProxyInUse): boolean {
  const coded = codedError(error);
  if (!coded) return false;
  const connectTimeout = coded.code === 'UND_ERR_CONNECT_TIMEOUT' || (coded.code === 'ETIMEDOUT' && coded.syscall === 'connect');
  if (!connectTimeout && !PROXY_CONNECT_CODES.has(coded.code)) return false;
  // When the error says what it tried to reach, that must be the proxy.
  if (typeof coded.port === 'number' && coded.port !== proxy.port) return false;
  if (typeof coded.hostname === 'string' && coded.hostname.toLowerCase() !== proxy.hostname.toLowerCase()) return false;
  return true;
}

const PROXY_CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function proxyUnreachable(code: string, proxy: ProxyInUse, host: string, details: { cause: string }): AppError {
  const where = `The proxy ${proxy.hostname}:${proxy.port}`;
  const check =
    proxy.setting === 'explicit'
      ? 'Check the proxy setting (command line: --proxy; in the assistant: Proxy URL under "Network: proxy and certificates" in Account and region): is it the right host and port, and is the proxy running?'
      : `Check ${proxy.setting} in this environment: is it the right host and port, and is the proxy running? If this machine needs no proxy for ${host}, unset ${proxy.setting} or list the host in NO_PROXY.`;
  const consequence = `so ${host} could not be reached through it`;
  if (code === 'ECONNREFUSED') return new AppError('network', `${where} refused the connection, ${consequence}. ${check}`, details);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new AppError('network', `${where} could not be found (DNS), ${consequence}. ${check}`, details);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new AppError('network', `${where} cannot be reached from this machine (no route to it), ${consequence}. ${check}`, details);
  return new AppError('timeout', `${where} did not accept the connection in time, ${consequence}. ${check}`, details);
}

/** The proxy answered the CONNECT for the target with another status than 200 (and not 407). */
function proxyRefusedTunnel(status: number, proxy: ProxyInUse | null, host: string, details: { cause: string }): AppError {
  const which = proxy ? `The proxy ${proxy.hostname}:${proxy.port}` : 'The proxy';
  return new AppError(
    'network',
    `${which} would not open a connection to ${host} (it answered HTTP ${status}). It may be unable to reach Anaplan, or its rules may not allow ${host}: ask whoever runs the proxy to allow the Anaplan hosts, or check the proxy setting.`,
    details,
  );
}

/** The connection went away mid-exchange (undici's "other side closed", a reset, a broken pipe). */
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** "1 second", "30 seconds", "0.3 seconds". */
function seconds(ms: number): string {
  const value = ms >= 1000 ? Math.round(ms / 1000) : ms / 1000;
  return `${value} second${value === 1 ? '' : 's'}`;
}

export function proxyAuthRequired(host: string): AppError {
  return new AppError(
    'proxy_auth_required',
    `The proxy asked for credentials (HTTP 407) before it would reach ${host}. Give the proxy user and password (CLI: --proxy http://user@proxy:port with --proxy-password-env VARIABLE, or HTTPS_PROXY in the environment), or ask your network team for an exception.`,
  );
}

/** Proxy passwords are never kept in settings: they come from the environment or the CLI's secret flags. */
export function checkStoredProxyUrl(value: string): string {
  const checked = checkProxyUrl(value);
  if (new URL(checked).password) {
    throw new AppError('bad_input', 'The proxy URL must not contain a password (it would be stored in plain text). Enter http://user@host:port, and set HTTPS_PROXY with the password in the environment of the account that runs the assistant.');
  }
  return checked;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
