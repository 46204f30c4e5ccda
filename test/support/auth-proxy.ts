import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

/**
 * A proxy on loopback that wants Basic proxy credentials, like a corporate proxy: CONNECT tunnels
 * (https targets) and absolute-form requests (plain http targets, as Anaplan Connect sends to a
 * local emulator through -via). It records each tunnel's target and each forwarded request.
 */
export interface AuthProxy {
  port: number;
  /** Tunnels opened with the right credentials. */
  tunnels: string[];
  /** "METHOD url" of the plain-http requests forwarded with the right credentials. */
  forwarded: string[];
  close(): Promise<void>;
}

export async function startAuthProxy(user: string, password: string): Promise<AuthProxy> {
  const tunnels: string[] = [];
  const forwarded: string[] = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
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
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client, head) => {
    if (req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tunnels,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
