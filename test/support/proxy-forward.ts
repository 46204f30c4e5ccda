import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Where a test proxy really connects for a name, as a corporate proxy's DNS would decide. */
export type HostMap = Record<string, { host: string; port: number }>;

/** The proxy's resolver: a mapped name goes where the map says, any other as given. */
export function resolverFor(hosts: HostMap = {}): (host: string, port: number) => { host: string; port: number } {
  const map = Object.fromEntries(Object.entries(hosts).map(([name, to]) => [name.toLowerCase(), to]));
  return (host, port) => map[host.toLowerCase()] ?? { host, port };
}

/** An absolute-form request (`GET http://host/path`) passed on to `to`, without the proxy's own headers. */
export function forwardRequest(req: IncomingMessage, res: ServerResponse, target: URL, to: { host: string; port: number }): void {
  const headers = { ...req.headers };
  delete headers['proxy-authorization'];
  delete headers['proxy-connection'];
  const upstream = httpRequest({ host: to.host, port: to.port, method: req.method, path: `${target.pathname}${target.search}`, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

/** A CONNECT tunnel to what `where` makes of `host:port` (IPv6 in brackets); both sockets go into `sockets` when given. */
export function openTunnel(
  authority: string,
  client: Socket,
  head: Buffer,
  where: (host: string, port: number) => { host: string; port: number },
  sockets?: Set<Socket>,
): void {
  const separator = authority.lastIndexOf(':');
  const to = where(authority.slice(0, separator).replace(/^\[|\]$/g, ''), Number(authority.slice(separator + 1)));
  const upstream = connect(to.port, to.host, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  if (sockets) {
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
  }
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
}
