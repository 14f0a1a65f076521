// JSON Schemas shared by the admin routes: the error body, a DLQ entry and
// the DLQ filter. Responses are serialised through them (fast-json-stringify),
// so a field missing here is never sent; /openapi.json is generated from them,
// so their descriptions are the API reference.
import { DEAD_REASONS } from '../store/store.ts';
import { REQUEST_FORMATS } from './request-formats.ts';

export const errorBodySchema = {
  description: 'An error: its catalog code (docs/errors.md) and a message; details (4xx only) help fix the request.',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
    },
  },
} as const;

/** Every route answers its errors in the one shape. */
export const errorResponses = { '4xx': errorBodySchema, '5xx': errorBodySchema } as const;

export const timeValue = {
  type: ['string', 'integer'],
  minimum: 0,
  format: REQUEST_FORMATS.time,
  description: 'An RFC 3339 date-time (2024-05-01T10:00:00Z) or milliseconds since the epoch',
} as const;

const nonEmpty = { type: 'string', minLength: 1 } as const;

/** The DLQ filter fields, as query parameters or as a JSON body. */
export const dlqFilterProperties = {
  plugin: { ...nonEmpty, description: 'Entries of this plugin' },
  type: { ...nonEmpty, description: 'Entries whose event has this type' },
  source: { ...nonEmpty, description: 'Entries whose event has this source' },
  reason: { enum: DEAD_REASONS, description: 'Why the entry was dead-lettered' },
  from: { ...timeValue, description: `Dead-lettered at or after this time: ${timeValue.description}` },
  to: { ...timeValue, description: `Dead-lettered before this time: ${timeValue.description}` },
} as const;

export const dlqEntrySchema = {
  description: 'A dead-letter entry: the event, the plugin it failed in, why and when (times in RFC 3339).',
  type: 'object',
  required: ['id', 'plugin', 'event', 'reason', 'attempts', 'acceptedAt', 'deadAt'],
  properties: {
    id: { type: 'string' },
    plugin: { type: 'string' },
    event: { type: 'object', additionalProperties: true },
    reason: { type: 'string' },
    attempts: { type: 'integer' },
    error: {
      type: 'object',
      properties: { name: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' }, permanent: { type: 'boolean' } },
    },
    acceptedAt: { type: 'string' },
    deadAt: { type: 'string' },
  },
} as const;

export const countSchema = (field: string, description: string) => ({ description, type: 'object', required: [field], properties: { [field]: { type: 'integer' } } }) as const;
