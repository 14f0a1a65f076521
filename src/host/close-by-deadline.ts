// Closing an HTTP listener within the shutdown budget. Fastify's close waits
// for every request in flight: an admin install stuck on a slow registry, or
// a webhook sender trickling its body until the request timeout. The host's
// own stop (cleanup hooks, the store) runs after the listeners', and
// `plexus start` force-exits at the budget plus a grace, so a listener that
// waits past the deadline costs every cleanup hook. At the deadline the
// connections still open are closed: their callers see the request fail
// (a webhook sender retries it), and the stop goes on.
import type { FastifyInstance } from 'fastify';

/** Closes `app`, waiting for requests in flight only until `deadline` (epoch ms); none: as long as they take. */
export async function closeByDeadline(app: FastifyInstance, deadline: number | undefined): Promise<void> {
  const closing = app.close();
  if (deadline === undefined) return closing;
  const timer = setTimeout(() => app.server.closeAllConnections(), Math.max(0, deadline - Date.now()));
  try {
    await closing;
  } finally {
    clearTimeout(timer);
  }
}
