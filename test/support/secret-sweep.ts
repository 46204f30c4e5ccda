// Secrets hygiene (issue 7): the known secrets of a run, every form in which they could leak, and
// a sweep of everything a run left behind (files, ZIP entries, captured output, browser storage).
// Shared by test/unit/secrets-hygiene.test.ts (CLI) and test/ui/secrets-hygiene.test.ts (browser UI).
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { encodeKeystoreAccess } from '../../main/export/keystore-access.js';
export { startAuthProxy, type AuthProxy } from './auth-proxy.js';
import { CLI, ROOT } from './cli.js';

// ---------------------------------------------------------------------------------------------
// The secrets and their forms

export interface Secret {
  /** e.g. "Basic password", "OAuth refresh token #2", "private key d" */
  name: string;
  /** Text secrets are searched for as text in every encoding below; byte secrets (key material) as bytes, hex and base64. */
  value: string | Buffer;
}

interface Needle {
  secret: string;
  form: string;
  /** Searched in the decoded text, and (for base64/hex forms) in the text with whitespace and escaped line breaks removed. */
  text?: string;
  /** Searched in the raw bytes. */
  bytes?: Buffer;
  stripped: boolean;
}

/** Needles shorter than this would match by chance. */
const MIN_NEEDLE = 10;

/** base64 of bytes embedded at any offset of a longer stream: one of the three alignments appears whole (minus the last group). */
function alignedBase64(bytes: Buffer, encoding: 'base64' | 'base64url'): string[] {
  const forms: string[] = [];
  for (let skip = 0; skip < 3; skip++) {
    const part = bytes.subarray(skip);
    const whole = part.length - (part.length % 3);
    const text = part.subarray(0, whole).toString(encoding);
    if (text.length >= MIN_NEEDLE) forms.push(text);
  }
  return forms;
}

function needlesOf(secret: Secret): Needle[] {
  const needles: Needle[] = [];
  const add = (form: string, value: { text?: string; bytes?: Buffer }, stripped = false) => {
    const size = value.text?.length ?? value.bytes?.length ?? 0;
    if (size < MIN_NEEDLE) return;
    needles.push({ secret: secret.name, form, ...value, stripped });
  };
  const bytes = typeof secret.value === 'string' ? Buffer.from(secret.value, 'utf8') : secret.value;
  if (typeof secret.value === 'string') {
    const text = secret.value;
    add('plain', { text });
    add('JSON-escaped', { text: JSON.stringify(text).slice(1, -1) });
    add('URL-encoded', { text: encodeURIComponent(text) });
    add('form-encoded', { text: encodeURIComponent(text).replace(/%20/g, '+') });
    add('UTF-16LE', { bytes: Buffer.from(text, 'utf16le') });
    add('UTF-16BE', { bytes: Buffer.from(text, 'utf16le').swap16() });
    try {
      add('keystore-access.txt encoding (XOR 129)', { text: encodeKeystoreAccess(text) });
    } catch {
      /* not encodable that way: nothing to look for */
    }
  } else {
    add('raw bytes', { bytes });
  }
  add('hex', { text: bytes.toString('hex') }, true);
  add('HEX', { text: bytes.toString('hex').toUpperCase() }, true);
  if (typeof secret.value !== 'string') add('hex with colons', { text: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':') }, true);
  for (const [i, text] of alignedBase64(bytes, 'base64').entries()) add(`base64 (offset ${i})`, { text }, true);
  for (const [i, text] of alignedBase64(bytes, 'base64url').entries()) add(`base64url (offset ${i})`, { text }, true);
  // Identical needles (e.g. base64 and base64url of the same bytes) are searched once.
  const seen = new Set<string>();
  return needles.filter((n) => {
    const key = n.text !== undefined ? `t:${n.text}` : `b:${n.bytes?.toString('hex')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The secrets of a run, added as they become known. */
export class SecretBook {
  readonly secrets: Secret[] = [];

  add(name: string, value: string | Buffer): void {
    if (value.length === 0) throw new Error(`The secret "${name}" is empty.`);
    if (!this.secrets.some((s) => s.name === name)) this.secrets.push({ name, value });
  }

  /** The private parts of an RSA key: d, p, q, dp, dq, qi, and the unencrypted PKCS#8 and PKCS#1 encodings. */
  addPrivateKey(label: string, key: KeyObject): void {
    const jwk = key.export({ format: 'jwk' });
    for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
      const value = jwk[part];
      if (!value) throw new Error(`The key has no ${part}.`);
      this.add(`${label}: ${part}`, Buffer.from(value, 'base64url'));
    }
    this.add(`${label}: unencrypted PKCS#8`, key.export({ type: 'pkcs8', format: 'der' }));
    this.add(`${label}: unencrypted PKCS#1`, key.export({ type: 'pkcs1', format: 'der' }));
  }

  /** Reads an encrypted private key file with its passphrase and adds its private parts. */
  async addPrivateKeyFile(label: string, path: string, passphrase: string): Promise<KeyObject> {
    const key = createPrivateKey({ key: await readFile(path, 'utf8'), passphrase });
    this.addPrivateKey(label, key);
    return key;
  }

  names(): string[] {
    return this.secrets.map((s) => s.name);
  }
}

// ---------------------------------------------------------------------------------------------
// What is searched

export interface Haystack {
  /** A file path, `path!entry` for a ZIP entry, or a label such as "stdout of login". */
  where: string;
  bytes: Buffer;
}

export interface Leak {
  where: string;
  secret: string;
  form: string;
}

/**
 * A file or output where a secret is allowed, in the listed forms only: the places the user
 * chose (a password written into a script with --password-source inline) and the obfuscated
 * keystore-access.txt that Anaplan Connect reads.
 */
export interface Allowance {
  where: (haystack: string) => boolean;
  secret: string;
  forms: readonly string[];
}

/** Every file under the roots (symbolic links are listed, never followed; haystacksOf skips them). */
export async function filesUnder(...roots: string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else found.push(path);
    }
  };
  for (const root of roots) {
    const info = await lstat(root).catch(() => null);
    if (info?.isDirectory()) await walk(root);
    else if (info) found.push(root);
  }
  return [...new Set(found)].sort();
}

/** Each file's bytes, and for a ZIP also each entry, inflated. */
export async function haystacksOf(files: readonly string[]): Promise<Haystack[]> {
  const haystacks: Haystack[] = [];
  for (const path of files) {
    const info = await lstat(path);
    if (info.isSymbolicLink()) continue;
    const bytes = await readFile(path);
    haystacks.push({ where: path, bytes });
    if ((bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) || path.endsWith('.zip')) {
      for (const entry of zipEntries(bytes)) haystacks.push({ where: `${path}!${entry.name}`, bytes: entry.content });
    }
  }
  return haystacks;
}

/** A small ZIP reader (stored and deflated entries), enough to look inside the job bundle. */
export function zipEntries(zip: Buffer): Array<{ name: string; content: Buffer; mode: number }> {
  let end = -1;
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('Not a ZIP file: no end of central directory.');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: Array<{ name: string; content: Buffer; mode: number }> = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('Bad ZIP central directory.');
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const mode = zip.readUInt32LE(offset + 38) >>> 16;
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`ZIP entry ${name}: unknown method ${method}.`);
    entries.push({ name, content: method === 8 ? inflateRawSync(data) : Buffer.from(data), mode: mode & 0o777 });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Every (haystack, secret, form) where a secret was found and is not allowed there. */
export function findLeaks(haystacks: readonly Haystack[], book: SecretBook, allowances: readonly Allowance[] = []): Leak[] {
  const needles = book.secrets.flatMap(needlesOf);
  const leaks: Leak[] = [];
  for (const haystack of haystacks) {
    const text = haystack.bytes.toString('utf8');
    const latin1 = haystack.bytes.toString('latin1');
    // PEM and wrapped base64 break lines; JSON carries them as \n: look through both.
    const stripped = text.replace(/\\[nrt]/g, '').replace(/\s+/g, '');
    const found = new Set<string>();
    for (const needle of needles) {
      const key = `${needle.secret}\u0000${needle.form}`;
      if (found.has(key)) continue;
      const hit =
        (needle.bytes !== undefined && haystack.bytes.includes(needle.bytes)) ||
        (needle.text !== undefined &&
          (text.includes(needle.text) || latin1.includes(needle.text) || (needle.stripped && stripped.includes(needle.text.replace(/\s+/g, '')))));
      if (!hit) continue;
      found.add(key);
      const allowed = allowances.some((a) => a.secret === needle.secret && a.forms.includes(needle.form) && a.where(haystack.where));
      if (!allowed) leaks.push({ where: haystack.where, secret: needle.secret, form: needle.form });
    }
  }
  return leaks;
}

/** Where each secret appears at all (allowances ignored): for asserting that an opted-in secret is where the user asked for it. */
export function placesOf(haystacks: readonly Haystack[], book: SecretBook, secret: string, form = 'plain'): string[] {
  const only = new SecretBook();
  const value = book.secrets.find((s) => s.name === secret)?.value;
  if (value === undefined) throw new Error(`Unknown secret ${secret}`);
  only.add(secret, value);
  return findLeaks(haystacks, only).filter((leak) => leak.form === form).map((leak) => leak.where);
}

export function textHaystack(where: string, text: string): Haystack {
  return { where, bytes: Buffer.from(text, 'utf8') };
}

/** "file mode" of a path as an octal string, for readable assertion messages. */
export async function modeOf(path: string): Promise<string> {
  return ((await lstat(path)).mode & 0o777).toString(8).padStart(4, '0');
}

/** POSIX modes exist (they do not on Windows, where the mode checks are skipped with this reason). */
export const POSIX_MODES = process.platform !== 'win32';
export const NO_POSIX_MODES_REASON = 'Windows has no POSIX file modes: the 0600/0700 checks are skipped (the ACL of the user\u2019s profile protects these files there).';

// ---------------------------------------------------------------------------------------------
// A recording tap in front of the emulator: every token it hands out becomes a known secret

/** The fields of Anaplan's and the OAuth server's answers that carry credentials. */
const CREDENTIAL_FIELDS = ['tokenValue', 'access_token', 'refresh_token', 'id_token', 'device_code'] as const;

export interface Tap {
  /** Give this as auth, API and OAuth URL instead of the emulator's. */
  url: string;
  /** Every credential seen in an answer, in order, e.g. ["access_token #1", "…"]. */
  credentials(): Array<{ name: string; value: string }>;
  close(): Promise<void>;
}

/**
 * A reverse proxy that forwards to `target` (plain HTTP) and records every credential in the
 * answers. It says where the client reached it (X-Forwarded-Host), and `behindTls` that this was
 * over https (X-Forwarded-Proto), as the hop behind a TLS-terminating front would: the emulator
 * then names its sign-in page where the client really is.
 */
export async function startTap(target: string, options: { behindTls?: boolean } = {}): Promise<Tap> {
  const upstream = new URL(target);
  const seen = new Map<string, string>();
  const counts = new Map<string, number>();
  const record = (field: string, value: unknown) => {
    if (typeof value !== 'string' || value === '' || seen.has(value)) return;
    const n = (counts.get(field) ?? 0) + 1;
    counts.set(field, n);
    seen.set(value, `${field} #${n}`);
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if ((CREDENTIAL_FIELDS as readonly string[]).includes(key)) record(key, inner);
        walk(inner);
      }
    }
  };
  const server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', () => {
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host, 'x-forwarded-host': req.headers.host ?? upstream.host, ...(options.behindTls ? { 'x-forwarded-proto': 'https' } : {}) };
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const bytes = Buffer.concat(parts);
          try {
            walk(JSON.parse(bytes.toString('utf8')));
          } catch {
            /* not JSON */
          }
          const out = { ...answer.headers };
          delete out['transfer-encoding'];
          delete out.connection;
          out['content-length'] = String(bytes.length);
          res.writeHead(answer.statusCode ?? 502, out);
          res.end(bytes);
        });
      });
      forward.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: () => [...seen].map(([value, name]) => ({ name, value })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The built CLI as a long-running child whose whole output is kept

export interface CapturedChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exit: Promise<number>;
  /** The first match of the pattern in stdout + stderr, waiting for it (rejects on timeout or exit). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Runs `anaplan-setup ARGS` with exactly this environment (nothing inherited but what is given), keeping all output. */
export function spawnCli(args: string[], env: Record<string, string>, cwd: string = ROOT): CapturedChild {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
    waitFor: async (pattern, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(stdout + stderr);
        if (match) return match[0];
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`anaplan-setup ${args.join(' ')} printed no ${pattern} (exit ${child.exitCode}):\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
