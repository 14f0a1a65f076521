// POST /v1/replay {from, to?, type?}: re-delivers the journaled events
// accepted in [from, to) (type: exact or a topic pattern) to the plugins
// subscribed now. Answers once every replayed delivery is durable.
import type { FastifyInstance } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import type { AdminContext } from '../admin-context.ts';
import { countSchema, errorResponses, timeValue } from '../admin-schemas.ts';
import { timeField, REQUEST_FORMATS } from '../request-formats.ts';

interface ReplayBody {
  from: string | number;
  to?: string | number;
  type?: string;
}

export function registerReplayRoutes(app: FastifyInstance, { host, logger, now }: AdminContext): void {
  app.post<{ Body: ReplayBody }>('/v1/replay', {
    schema: {
      summary: 'Re-deliver the journaled events accepted in [from, to) to the plugins subscribed now',
      tags: ['replay'],
      body: {
        type: 'object',
        required: ['from'],
        additionalProperties: false,
        properties: {
          from: { ...timeValue, description: `Start, inclusive: ${timeValue.description}` },
          to: { ...timeValue, description: `End, exclusive (default, and at most: now, when the replay starts): ${timeValue.description}` },
          type: { type: 'string', format: REQUEST_FORMATS.topicPattern, description: 'Only this event type, or a topic pattern (* one word, # zero or more)' },
        },
      },
      response: { 200: countSchema('replayed', 'How many deliveries were queued, once all are durable'), ...errorResponses },
    },
  }, async (request) => {
    const query = replayQuery(request.body, now());
    const replayed = await host.replay(query);
    logger.info({ ...query, replayed }, 'journal replayed');
    return { replayed };
  });
}

function replayQuery(body: ReplayBody, now: number): { from: number; to?: number; type?: string } {
  const from = timeField(body.from, 'from');
  const query: { from: number; to?: number; type?: string } = { from };
  if (body.to !== undefined) {
    const to = timeField(body.to, 'to');
    if (from >= to) throw new PlexusError('PLEXUS_INVALID_REQUEST', 'Invalid request: from must be before to');
    // A future end is now: past it the window would take the events accepted
    // while the replay runs (delivered live and replayed), and never close
    // under a steady stream. Without `to` the host ends the window at now itself.
    query.to = Math.min(to, now);
  }
  if (body.type !== undefined) query.type = body.type;
  return query;
}
