// A deadline for a request to finish arriving. fastify turns Node's own
// requestTimeout off, and setting it back (server.requestTimeout) does not cut
// off a request fastify is already handling: a client trickling a body a byte
// at a time kept its connection, and a file descriptor, for ever. So the
// registry enforces the deadline itself, from the moment the headers are in.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PlexusError } from '@plexus/plugin-sdk';
import { errorBodyFor } from './errors.ts';

export function cutOffSlowRequests(server: Server, timeoutMs: number): void {
  if (timeoutMs <= 0) return;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.complete) return;
    const timer = setTimeout(() => {
      if (!req.complete) refuse(req, res, timeoutMs);
    }, timeoutMs);
    timer.unref();
    req.once('close', () => clearTimeout(timer));
  });
}

/** How long a cut-off connection is drained after its FIN before it is destroyed. */
const LINGER_MS = 1000;

/**
 * 408 if nothing was answered yet, then the connection is closed: the rest of
 * the body is not waited for. Closed gracefully: our FIN, what still arrives
 * read and dropped for a moment, then destroyed. Destroyed at once with the
 * client's bytes unread, the kernel answered with a reset, which could reach
 * the client before it read the 408.
 */
function refuse(req: IncomingMessage, res: ServerResponse, timeoutMs: number): void {
  const close = (): void => {
    const { socket } = req;
    socket.end();
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
  if (res.headersSent) {
    close();
    return;
  }
  const error = new PlexusError('PLEXUS_TIMEOUT', `The request did not finish arriving within ${timeoutMs} ms`);
  res.writeHead(408, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify(errorBodyFor(req.url ?? '/', error)), close);
}
