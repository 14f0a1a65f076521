// Closing an HTTP listener within the shutdown budget. Fastify's close waits
// for every request in flight: an admin install stuck on a slow registry, or
// a webhook sender trickling its body until the request timeout. The host's
// own stop (cleanup hooks, the store) runs after the listeners', and
// `plexus start` force-exits at the budget plus a grace, so a listener that
// waits past the deadline costs every cleanup hook. At the deadline the
// connections still open are closed: their callers see the request fail
// (a webhook sender retries it), and the stop goes on.
import type { FastifyInstance } from 'fastify';

/** How often a closing listener closes the keep-alive connections that went idle since. */
const IDLE_SWEEP_MS = 50;

/**
 * Closes `app`, waiting for requests in flight only until `deadline` (epoch
 * ms); none: as long as they take. Node closes the idle keep-alive
 * connections when the close begins, but not one that goes idle later: a
 * client that kept its connection after the answer it waited for held the
 * close until its own keep-alive timeout (undici's follows the server's 72 s
 * hint), so connections are swept as they go idle.
 */
export async function closeByDeadline(app: FastifyInstance, deadline: number | undefined): Promise<void> {
  const closing = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  const timer = deadline === undefined ? undefined : setTimeout(() => app.server.closeAllConnections(), Math.max(0, deadline - Date.now()));
  try {
    await closing;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
  }
}
