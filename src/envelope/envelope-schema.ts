// JSON Schema (draft 2020-12) of a structured-mode CloudEvents 1.0 envelope
// with the Plexus extensions (CONTRACT §5). Custom formats are registered by
// validate-envelope.ts so the schema stays a plain, serialisable document.
import { EMIT_DEPTH_ATTRIBUTE } from '@plexus/plugin-sdk/runtime';
import { MAX_PRIORITY, MIN_PRIORITY } from './priority.ts';
import { TRACESTATE_MAX_CHARS } from './tracestate.ts';

/** CloudEvents attribute names: lowercase ASCII letters and digits (length ≤ 20 is only RECOMMENDED). */
export const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

/** `data_base64` is the one member of the JSON format that is not an attribute name. */
export const DATA_BASE64 = 'data_base64';

export const EVENT_FORMATS = {
  timestamp: 'plexus-rfc3339',
  eventType: 'plexus-event-type',
  traceparent: 'plexus-traceparent',
  mediaType: 'plexus-media-type',
  base64: 'plexus-base64',
} as const;

/** What a value of each format must look like, for refusals a producer can act on. */
export const FORMAT_EXPECTATIONS: Readonly<Record<string, string>> = {
  [EVENT_FORMATS.timestamp]: 'must be an RFC 3339 date-time with a zone, e.g. 2024-05-01T10:00:00Z',
  [EVENT_FORMATS.eventType]: 'must be dot-separated words of letters, digits, _ - or :',
  [EVENT_FORMATS.traceparent]: 'must be a W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>, ids not all zero',
  [EVENT_FORMATS.mediaType]: 'must be a media type, e.g. application/json',
  [EVENT_FORMATS.base64]: 'must be base64-encoded',
  'uri-reference': 'must be a URI-reference',
  uri: 'must be an absolute URI',
};

// RFC 6838 restricted names, optionally followed by parameters.
export const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/;
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const nonEmptyString = { type: 'string', minLength: 1 } as const;

export const ENVELOPE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Plexus CloudEvents 1.0 envelope (structured mode)',
  type: 'object',
  required: ['specversion', 'id', 'source', 'type'],
  properties: {
    specversion: { const: '1.0' },
    id: nonEmptyString,
    source: { type: 'string', minLength: 1, format: 'uri-reference' },
    type: { type: 'string', format: EVENT_FORMATS.eventType },
    time: { type: 'string', format: EVENT_FORMATS.timestamp },
    datacontenttype: { type: 'string', format: EVENT_FORMATS.mediaType },
    dataschema: { type: 'string', format: 'uri' },
    subject: nonEmptyString,
    data: true,
    [DATA_BASE64]: { type: 'string', format: EVENT_FORMATS.base64 },
    priority: { type: 'integer', minimum: MIN_PRIORITY, maximum: MAX_PRIORITY },
    partitionkey: nonEmptyString,
    idempotencykey: nonEmptyString,
    expiresat: { type: 'string', format: EVENT_FORMATS.timestamp },
    traceparent: { type: 'string', format: EVENT_FORMATS.traceparent },
    tracestate: { type: 'string', maxLength: TRACESTATE_MAX_CHARS },
    // The emit-chain depth (plugin-sdk emitted-events.ts): kept from outside so a chain relayed
    // through another system keeps counting; a negative or non-integer value would undercount it.
    [EMIT_DEPTH_ATTRIBUTE]: { type: 'integer', minimum: 0, maximum: 2147483647 },
  },
  // Extension values follow the JSON type mapping: String, Boolean or a 32-bit Integer.
  additionalProperties: { type: ['string', 'boolean', 'integer'], minimum: -2147483648, maximum: 2147483647 },
} as const;
