// GET /healthz: the process is alive and serving HTTP (liveness; restart it
// if not). GET /readyz: every readiness check passes (route traffic to it).
// Both without a token, as probes have none.
import type { FastifyInstance } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import type { AdminContext } from '../admin-context.ts';
import { errorBodySchema } from '../admin-schemas.ts';
import { errorBody } from '../error-replies.ts';

const checksSchema = {
  type: 'array',
  items: { type: 'object', required: ['name', 'ok'], properties: { name: { type: 'string' }, ok: { type: 'boolean' }, reason: { type: 'string' } } },
} as const;

export function registerHealthRoutes(app: FastifyInstance, { readiness }: AdminContext): void {
  app.get('/healthz', {
    config: { unauthenticated: true },
    schema: {
      summary: 'Liveness: the process serves HTTP',
      tags: ['health'],
      response: { 200: { description: 'Alive', type: 'object', required: ['status'], properties: { status: { const: 'ok' } } }, '5xx': errorBodySchema },
    },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    config: { unauthenticated: true },
    schema: {
      summary: 'Readiness: every check (store, sandbox, brokers) passes',
      tags: ['health'],
      response: {
        200: { description: 'Ready', type: 'object', required: ['ready', 'checks'], properties: { ready: { type: 'boolean' }, checks: checksSchema } },
        // The one error body shape, plus the checks so a probe's log shows which failed.
        503: {
          ...errorBodySchema,
          description: 'Not ready (PLEXUS_UNAVAILABLE), with every check and the reason each failing one gave',
          required: ['error', 'ready', 'checks'],
          properties: { ...errorBodySchema.properties, ready: { type: 'boolean' }, checks: checksSchema },
        },
        '5xx': errorBodySchema,
      },
    },
  }, async (_request, reply) => {
    const report = await readiness.run();
    if (report.ready) return report;
    const failing = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.reason ?? 'not ready'}`);
    const error = new PlexusError('PLEXUS_UNAVAILABLE', `Not ready: ${failing.join('; ')}`);
    return reply.status(503).send({ ...errorBody(error), ...report });
  });
}
