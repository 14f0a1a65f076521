// GET /metrics: the host's Prometheus metrics in the text exposition format.
// Behind the bearer token like every route but the probes (CONTRACT §7);
// Prometheus scrapes with `authorization: { credentials_file: ... }`.
import type { FastifyInstance } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import type { AdminContext } from '../admin-context.ts';
import { errorResponses } from '../admin-schemas.ts';

export function registerMetricsRoutes(app: FastifyInstance, { host }: AdminContext): void {
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics',
      tags: ['metrics'],
      response: {
        // Text, not JSON: sent as prom-client renders it (fastify serialises only JSON).
        200: { description: 'The Prometheus text exposition format (version 0.0.4)', content: { 'text/plain': { schema: { type: 'string' } } } },
        ...errorResponses,
      },
    },
  }, async (_request, reply) => {
    const metrics = host.metrics;
    if (!metrics) throw new PlexusError('PLEXUS_UNAVAILABLE', 'this host exposes no metrics');
    const text = await metrics.text();
    return reply.type(metrics.contentType).send(text);
  });
}
