// Requests Node's HTTP parser refuses before fastify has a request to route:
// headers over the parser's limit (431), a malformed request line or
// Content-Length (400), a request not received within the request timeout
// (408). Fastify's default answer has its own body shape,
// {"error":"Bad Request","message":"Client Error","statusCode":400}; a
// sender of this listener is promised CONTRACT §7's one error body, so a
// client reading error.code finds one here too. As with fastify's default,
// the socket is closed after: the parser's place in the stream is lost.
import type { Socket } from 'node:net';
import { PlexusError } from '@plexus/plugin-sdk';
import { errorBody } from '../../../admin/error-replies.ts';

// Not an ES import of node:http: that builds its namespace from every
// export, whose lazy getters load undici (~30 ms of every process that
// imports the host). getBuiltinModule answers the module as require() does.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset peer has nothing left to read an answer with.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] = describe(err.code);
  const body = JSON.stringify(errorBody(new PlexusError('PLEXUS_INVALID_REQUEST', message)));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

function describe(code: string | undefined): [number, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'the request was not received in full within the request timeout'];
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'the request headers are larger than this listener accepts'];
  return [400, 'the request is not well-formed HTTP/1.1'];
}
