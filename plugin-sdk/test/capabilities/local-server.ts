// Real servers on loopback, at a free port, for the fetch tests to send to:
// what they were sent, how many connections and responses they saw.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** One request as the server received it. */
export interface Seen { method: string; url: string; headers: IncomingHttpHeaders; body: string }

/** What every local server offers, raw TCP or HTTP. */
export interface LocalEndpoint {
  port: number;
  /** host:port, as a grant names the server. */
  grant: string;
  connections(): number;
  url(path?: string): string;
  close(): Promise<void>;
}

export interface LocalServer extends LocalEndpoint {
  /** Responses whose connection ended, whether finished or torn down by the client. */
  closedResponses(): number;
}

export interface LocalServerOptions {
  /** The loopback address to listen on: '::1' for the IPv6 tests. */
  host?: string;
  /** Serve HTTPS with this key and certificate instead of plain HTTP. */
  tls?: { key: string; cert: string };
}

/** Listens on a free port of `host` and counts connections; `dropConnections` ends what is still open at close. */
async function bind(server: net.Server, host: string, scheme: 'http' | 'https', dropConnections: () => void): Promise<LocalEndpoint> {
  let connections = 0;
  server.on('connection', () => void connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  return {
    port,
    grant: authority,
    connections: () => connections,
    url: (path = '/') => `${scheme}://${authority}${path}`,
    close: () => new Promise<void>((resolve) => { dropConnections(); server.close(() => resolve()); }),
  };
}

async function listen(onRequest: Handler, { host = '127.0.0.1', tls }: LocalServerOptions): Promise<LocalServer> {
  let closedResponses = 0;
  const counted: Handler = (req, res) => {
    res.on('close', () => void closedResponses++);
    onRequest(req, res);
  };
  const server = tls ? https.createServer(tls, counted) : http.createServer(counted);
  const endpoint = await bind(server, host, tls ? 'https' : 'http', () => server.closeAllConnections());
  return { ...endpoint, closedResponses: () => closedResponses };
}

/**
 * Hands each request to `handler` as soon as it arrives, its body drained
 * unread: the handler may answer, hold or tear down mid-upload.
 */
export function localServer(handler: Handler, options: LocalServerOptions = {}): Promise<LocalServer> {
  return listen((req, res) => {
    req.resume();
    handler(req, res);
  }, options);
}

/** Records each request once its whole body has arrived, and only then hands it to `handler`. */
export async function recordingServer(handler: Handler): Promise<LocalServer & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handler(req, res);
    });
  }, {});
  return { ...server, seen };
}

/**
 * A raw TCP server on 127.0.0.1, for answers that break HTTP's usual shape:
 * `onSocket` gets each connection as it opens and writes what it likes. Socket
 * errors are swallowed, since clients tearing connections down is what these
 * tests provoke; close destroys whatever is still open.
 */
export function rawServer(onSocket: (socket: net.Socket) => void): Promise<LocalEndpoint> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  return bind(server, '127.0.0.1', 'http', () => { for (const s of sockets) s.destroy(); });
}
