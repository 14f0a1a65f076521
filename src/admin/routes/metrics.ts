// GET /metrics: the host's Prometheus metrics in the text exposition format.
// Behind the bearer token like every route but the probes (CONTRACT §7);
// Prometheus scrapes with `authorization: { credentials_file: ... }`.
import type { FastifyInstance } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import type { AdminContext } from '../admin-context.ts';

export function registerMetricsRoutes(app: FastifyInstance, { host }: AdminContext): void {
  app.get('/metrics', async (_request, reply) => {
    const metrics = host.metrics;
    if (!metrics) throw new PlexusError('PLEXUS_UNAVAILABLE', 'this host exposes no metrics');
    const text = await metrics.text();
    return reply.type(metrics.contentType).send(text);
  });
}
