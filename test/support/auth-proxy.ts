import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { forwardRequest, openTunnel, resolverFor } from './proxy-forward.js';

/**
 * A proxy on loopback that wants Basic proxy credentials, like a corporate proxy: CONNECT tunnels
 * (https targets) and absolute-form requests (plain http targets, as Anaplan Connect sends to a
 * local emulator through -via). It records each tunnel's target and each forwarded request.
 */
export interface AuthProxy {
  port: number;
  /** Tunnels opened with the right credentials ("host:port" as the client asked for it). */
  tunnels: string[];
  /** "METHOD url" of the plain-http requests forwarded with the right credentials. */
  forwarded: string[];
  close(): Promise<void>;
}

export interface AuthProxyOptions {
  /**
   * Target names the proxy resolves itself, as a corporate proxy's DNS would: a name such as
   * emulator.anaplan.test that only the proxy knows, mapped to where it really connects (the
   * emulator, or a TLS front for it, on loopback). The client never resolves a name it sends through
   * a proxy, and a loopback target is never sent through one (main/net/http.ts isLoopbackUrl): this
   * is how a test reaches the emulator through the proxy. Other names are connected to as given.
   */
  hosts?: Record<string, { host: string; port: number }>;
}

export async function startAuthProxy(user: string, password: string, options: AuthProxyOptions = {}): Promise<AuthProxy> {
  const tunnels: string[] = [];
  const forwarded: string[] = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const where = resolverFor(options.hosts);
  const tunnelSockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (!/^http:\/\//.test(req.url ?? '')) {
      res.writeHead(405);
      res.end();
      return;
    }
    if (req.headers['proxy-authorization'] !== expected) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"', 'content-length': '0' });
      res.end();
      return;
    }
    forwarded.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    forwardRequest(req, res, target, where(target.hostname, Number(target.port) || 80));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    if (req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    openTunnel(req.url ?? '', client, head, where, tunnelSockets);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tunnels,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        // A tunnel is no longer the http server's connection: ended here, or close would wait for the client.
        for (const socket of tunnelSockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
