// Closing without hanging on keep-alive sockets. Node's server.close() closes
// the connections idle at that instant and then waits for the others; a
// response that finishes a moment later leaves its socket open until the
// keep-alive timeout (72 s in fastify), because the client, having read the
// whole body, keeps it for reuse. So while closing, idle connections are
// swept every 100 ms: in-flight requests (a publish mid-upload) still finish.
import type { FastifyInstance } from 'fastify';

const SWEEP_INTERVAL_MS = 100;

export function closeIdleConnectionsWhileClosing(app: FastifyInstance): void {
  app.addHook('preClose', (done) => {
    const server = app.server;
    if (server.listening) {
      const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_INTERVAL_MS);
      sweep.unref();
      server.once('close', () => clearInterval(sweep));
    }
    done();
  });
}
