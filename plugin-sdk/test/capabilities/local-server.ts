// Real HTTP servers on 127.0.0.1, at a free port, for the fetch tests to
// send to: what they were sent, how many connections and responses they saw.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** One request as the server received it. */
export interface Seen { method: string; url: string; headers: IncomingHttpHeaders; body: string }

export interface LocalServer {
  port: number;
  /** host:port, as a grant names the server. */
  grant: string;
  connections(): number;
  /** Responses whose connection ended, whether finished or torn down by the client. */
  closedResponses(): number;
  url(path?: string): string;
  close(): Promise<void>;
}

async function listen(onRequest: Handler): Promise<LocalServer> {
  let connections = 0;
  let closedResponses = 0;
  const server = http.createServer((req, res) => {
    res.on('close', () => void closedResponses++);
    onRequest(req, res);
  });
  server.on('connection', () => void connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    grant: `127.0.0.1:${port}`,
    connections: () => connections,
    closedResponses: () => closedResponses,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Hands each request to `handler` as soon as it arrives, its body drained
 * unread: the handler may answer, hold or tear down mid-upload.
 */
export function localServer(handler: Handler): Promise<LocalServer> {
  return listen((req, res) => {
    req.resume();
    handler(req, res);
  });
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
  });
  return { ...server, seen };
}
