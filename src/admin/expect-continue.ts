// `Expect: 100-continue` answered after the request is judged, not before.
// Node answers 100 Continue at once by default, so a client sends its whole
// body even when the request is refused (wrong token, body over the limit):
// the 401 or 413 is sent, the connection closed under the client's writes,
// and the client's failed write (EPIPE) hides the answer ("cannot reach the
// host"). Here the route's hooks run first: a refusal is the final answer
// and no body is sent; a request that will be read gets its 100 Continue
// when its body is about to be parsed.
import type { FastifyInstance } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';

export function answerExpectContinue(app: FastifyInstance, bodyLimit: number): void {
  // Handled, the event replaces 'request' (and node's automatic 100): hand the request to fastify.
  app.server.on('checkContinue', (request, response) => app.server.emit('request', request, response));
  // preParsing runs after the bearer check (onRequest) and before the body is read.
  app.addHook('preParsing', async (request, reply, payload) => {
    if (!/^100-continue$/i.test(request.headers.expect ?? '')) return payload;
    if (Number(request.headers['content-length']) > bodyLimit) {
      throw new PlexusError('PLEXUS_PAYLOAD_TOO_LARGE', 'The request body is larger than the admin API accepts');
    }
    reply.raw.writeContinue();
    return payload;
  });
}
