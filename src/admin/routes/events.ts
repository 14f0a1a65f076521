// POST /v1/events: publish one event. The body is a CloudEvent (it has
// `specversion`) or the short form {type, data, ...} that gets specversion, a
// new id and source "admin" filled in. 202 {id} once the event is durable.
import type { FastifyInstance } from 'fastify';
import { PlexusError, type PlexusEvent } from '@plexus/plugin-sdk';
import { isCloudEvent, newEventId, normalizeEnvelope, validateEnvelope } from '../../envelope/index.ts';
import type { AdminContext } from '../admin-context.ts';
import { errorResponses } from '../admin-schemas.ts';

export const ADMIN_EVENT_SOURCE = 'admin';

export function registerEventRoutes(app: FastifyInstance, { host, now }: AdminContext): void {
  app.post<{ Body: Record<string, unknown> }>('/v1/events', {
    config: { invalidRequestCode: 'PLEXUS_INVALID_EVENT' },
    schema: {
      summary: 'Publish one event',
      tags: ['events'],
      // Only "an object" here: the envelope is validated by validateEnvelope, which
      // names every failing attribute the way every ingress does (PLEXUS_INVALID_EVENT).
      body: {
        type: 'object',
        description: 'A CloudEvents 1.0 envelope (with specversion), or the short form {type, data?, …} that gets specversion "1.0", a new id and source "admin" filled in.',
        examples: [
          { type: 'orders.created', data: { id: 7 } },
          { specversion: '1.0', id: 'evt-1', source: 'billing/api', type: 'invoices.paid', priority: 9, data: { invoice: 'in_1' } },
        ],
      },
      response: {
        202: { description: 'Accepted: the event is durable', type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    // Counted like every ingress (plexus_ingress_events_total), under source "admin".
    const count = (outcome: 'received' | 'accepted' | 'refused', reason = '') => host.metrics?.ingress?.inc({ source: ADMIN_EVENT_SOURCE, outcome, reason });
    count('received');
    try {
      const event = toAdminEvent(request.body, now());
      await host.accept([event]);
      count('accepted');
      return await reply.status(202).send({ id: event.id });
    } catch (err) {
      count('refused', err instanceof PlexusError ? err.code : 'PLEXUS_INTERNAL');
      throw err;
    }
  });
}

/** A validated, normalised envelope; PLEXUS_INVALID_EVENT naming every failing attribute otherwise. */
export function toAdminEvent(body: Record<string, unknown>, now: number): PlexusEvent {
  // A boolean, not a type guard: `body` is a record either way, only its form differs.
  const cloudEvent: boolean = isCloudEvent(body);
  // In the short form the caller's own id and source (if any) win over the defaults.
  const raw = cloudEvent ? body : { specversion: '1.0', id: newEventId(), source: ADMIN_EVENT_SOURCE, ...body };
  return normalizeEnvelope(validateEnvelope(raw), now);
}
