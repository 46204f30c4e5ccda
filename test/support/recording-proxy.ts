// A proxy that records everything that reaches it, and the pieces that let a test reach the
// emulator under a name that is not loopback (so the proxy must be used): a TLS front with its
// own CA, and a plain TCP forwarder (the emulator on [::1]). All on loopback, real sockets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Server, type Socket, connect, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { forwardRequest, openTunnel, resolverFor } from './proxy-forward.js';

export interface RecordingProxy {
  port: number;
  url: string;
  /** Every TCP connection accepted, whatever came over it. */
  readonly connections: number;
  /** "CONNECT host:port" and "METHOD absolute-url" of every request, in order, credentials or not. */
  readonly requests: readonly string[];
  /** Plain-http requests that carried an Authorization header (a password the proxy could read). */
  readonly sawAuthorization: number;
  close(): Promise<void>;
}

/**
 * An open proxy (no credentials asked) on 127.0.0.1: CONNECT tunnels and absolute-form requests.
 * `hosts` maps a target name to where the proxy really connects, as a corporate proxy's DNS would
 * (the CLI never resolves a name it sends through a proxy).
 */
export async function startRecordingProxy(hosts: Record<string, { host: string; port: number }> = {}): Promise<RecordingProxy> {
  const requests: string[] = [];
  let connections = 0;
  let sawAuthorization = 0;
  const sockets = new Set<Socket>();
  const where = resolverFor(hosts);
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.headers.authorization) sawAuthorization++;
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    forwardRequest(req, res, target, where(target.hostname, Number(target.port) || 80));
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    requests.push(`CONNECT ${req.url ?? ''}`);
    openTunnel(req.url ?? '', client, head, where);
  });
  const port = await listen(server, '127.0.0.1');
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    requests,
    get sawAuthorization() {
      return sawAuthorization;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface Front {
  port: number;
  close(): Promise<void>;
}

/** A connection handler that pipes each client to 127.0.0.1:targetPort, both sockets kept in `sockets` for closing. */
function pipeTo(targetPort: number, sockets: Set<Socket>): (client: Socket) => void {
  return (client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  };
}

/** Bytes in on `host` (say ::1), out to 127.0.0.1:targetPort: the emulator listening on another loopback address. */
export async function startTcpForwarder(host: string, targetPort: number): Promise<Front> {
  const sockets = new Set<Socket>();
  const server = createTcpServer(pipeTo(targetPort, sockets));
  const port = await listen(server, host);
  return { port, close: () => closeAll(server, sockets) };
}

export interface TlsFront extends Front {
  /** The PEM of the CA that signed the front's certificate: the CLI's --ca-file. */
  caFile: string;
}

/**
 * TLS on 127.0.0.1 in front of 127.0.0.1:targetPort, with a certificate for `hostname` signed by a
 * CA made here with openssl: the emulator as https://hostname, reachable only through a proxy
 * that maps the name (startRecordingProxy's `hosts`).
 */
export async function startTlsFront(hostname: string, targetPort: number): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'tls-front-'));
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', timeout: 60_000 });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-subj', '/CN=Recording Proxy Test CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${hostname}`]);
  writeFileSync(file('server.ext'), `subjectAltName=DNS:${hostname}\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext')]);
  const sockets = new Set<Socket>();
  const server = createTlsServer({ key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) }, pipeTo(targetPort, sockets));
  const port = await listen(server, '127.0.0.1');
  return {
    port,
    caFile: file('ca.pem'),
    close: async () => {
      await closeAll(server, sockets);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeAll(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
