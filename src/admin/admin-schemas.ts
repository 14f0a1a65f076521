// JSON Schemas shared by the admin routes: the error body, a DLQ entry and
// the DLQ filter. Responses are serialised through them (fast-json-stringify),
// so a field missing here is never sent.
import type { DeadReason } from '../store/store.ts';
import { REQUEST_FORMATS } from './request-formats.ts';

export const DEAD_REASONS = ['permanent', 'exhausted', 'expired', 'invalid'] as const satisfies readonly DeadReason[];

export const errorBodySchema = {
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

export const timeValue = { type: ['string', 'integer'], minimum: 0, format: REQUEST_FORMATS.time } as const;

const nonEmpty = { type: 'string', minLength: 1 } as const;

/** The DLQ filter fields, as query parameters or as a JSON body. */
export const dlqFilterProperties = {
  plugin: nonEmpty,
  type: nonEmpty,
  source: nonEmpty,
  reason: { enum: DEAD_REASONS },
  from: timeValue,
  to: timeValue,
} as const;

export const dlqEntrySchema = {
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

export const countSchema = (field: string) => ({ type: 'object', required: [field], properties: { [field]: { type: 'integer' } } }) as const;
