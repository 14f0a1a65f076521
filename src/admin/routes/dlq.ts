// The dead-letter queue (CONTRACT §6, §7): list with filters, inspect, replay
// one or many, purge. Bulk replay and purge with an empty filter need all=true.
import type { FastifyInstance } from 'fastify';
import { PlexusError } from '@plexus/plugin-sdk';
import { formatRfc3339 } from '../../envelope/index.ts';
import type { DlqEntry } from '../../store/store.ts';
import type { AdminContext } from '../admin-context.ts';
import { countSchema, dlqEntrySchema, dlqFilterProperties, errorResponses } from '../admin-schemas.ts';
import { scopedFilter, toDlqFilter, type DlqFilterInput } from '../dlq-filter.ts';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

const TAGS = ['dlq'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, description: 'The entry id' } } } as const;
const scopedFilterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...dlqFilterProperties, all: { type: 'boolean', description: 'Every entry; required when no filter field is given, refused with one' } },
} as const;

type ListQuery = DlqFilterInput & { limit: number; offset: number };
type ScopedInput = DlqFilterInput & { all?: boolean };

export function registerDlqRoutes(app: FastifyInstance, { host }: AdminContext): void {
  app.get<{ Querystring: ListQuery }>('/v1/dlq', {
    schema: {
      summary: 'List dead-letter entries matching a filter, a page at a time',
      tags: TAGS,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...dlqFilterProperties,
          limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE, description: 'Page size' },
          offset: { type: 'integer', minimum: 0, default: 0, description: 'Entries to skip' },
        },
      },
      response: {
        200: {
          description: 'One page of the matching entries, and how many match in all',
          type: 'object',
          required: ['entries', 'total', 'limit', 'offset'],
          properties: { entries: { type: 'array', items: dlqEntrySchema }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
        },
        ...errorResponses,
      },
    },
  }, async (request) => {
    const { limit, offset, ...fields } = request.query;
    const filter = toDlqFilter(fields);
    const [entries, total] = await Promise.all([host.listDlq(filter, { limit, offset }), host.store.countDlq(filter)]);
    return { entries: entries.map(entryView), total, limit, offset };
  });

  app.get<{ Params: { id: string } }>('/v1/dlq/:id', {
    schema: { summary: 'One dead-letter entry', tags: TAGS, params: idParams, response: { 200: dlqEntrySchema, ...errorResponses } },
  }, async (request) => entryView(await host.getDlq(request.params.id)));

  app.post<{ Params: { id: string } }>('/v1/dlq/:id/replay', {
    schema: { summary: 'Send one entry back to delivery', tags: TAGS, params: idParams, response: { 200: countSchema('replayed', 'Always 1: the entry is queued again'), ...errorResponses } },
  }, async (request) => {
    const replayed = await host.replayDlq({ ids: [request.params.id] });
    if (replayed === 0) throw new PlexusError('PLEXUS_NOT_FOUND', `No dead-letter entry ${request.params.id}`);
    return { replayed };
  });

  app.post<{ Body: ScopedInput }>('/v1/dlq/replay', {
    schema: {
      summary: 'Send the entries a filter matches (or all) back to delivery',
      tags: TAGS,
      body: scopedFilterSchema,
      response: { 200: countSchema('replayed', 'How many entries were queued again'), ...errorResponses },
    },
  }, async (request) => ({ replayed: await host.replayDlq(scopedFilter(request.body, 'replay')) }));

  app.delete<{ Querystring: ScopedInput }>('/v1/dlq', {
    schema: {
      summary: 'Delete the entries a filter matches (or all)',
      tags: TAGS,
      querystring: scopedFilterSchema,
      response: { 200: countSchema('purged', 'How many entries were deleted'), ...errorResponses },
    },
  }, async (request) => ({ purged: await host.purgeDlq(scopedFilter(request.query, 'purge')) }));
}

/** Times as RFC 3339, like every time in an event. */
function entryView(entry: DlqEntry) {
  return { ...entry, acceptedAt: formatRfc3339(entry.acceptedAt), deadAt: formatRfc3339(entry.deadAt) };
}
