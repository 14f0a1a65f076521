// The formats admin request schemas use, and the ajvs the admin app validates
// requests with: draft 2020-12 like every other schema in Plexus, query
// strings and path parameters coerced ("limit=10" is 10), JSON bodies taken
// as typed (coercing them made {"all": 1} a replay of every dead letter and
// {"enabled": "false"} a disable), unknown fields refused rather than
// silently dropped (a mistyped filter must not widen a purge).
import { PlexusError } from '@plexus/plugin-sdk';
import { createAjv, topicPatternProblem } from '@plexus/plugin-sdk/runtime';
import { parseRfc3339 } from '../envelope/index.ts';

export const REQUEST_FORMATS = { time: 'plexus-time', topicPattern: 'plexus-topic-pattern' } as const;

export const FORMAT_EXPECTATIONS: Readonly<Record<string, string>> = {
  [REQUEST_FORMATS.time]: 'must be an RFC 3339 date-time (e.g. 2024-05-01T10:00:00Z) or milliseconds since the epoch',
  [REQUEST_FORMATS.topicPattern]: 'must be an event type or a topic pattern (dot-separated words; * is one word, # zero or more)',
};

const DIGITS = /^\d+$/;

/** Epoch milliseconds of an RFC 3339 date-time or of a millisecond count (number or digits). */
export function parseTimeValue(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (DIGITS.test(value)) {
    const ms = Number(value);
    return Number.isSafeInteger(ms) ? ms : undefined;
  }
  return parseRfc3339(value);
}

/**
 * A time field of a request as milliseconds. The schema checks strings by
 * format, but takes any integer >= 0 as milliseconds: one past the safe
 * integers (1e300) must be a 400 here, not a 500 from the store.
 */
export function timeField(value: string | number, field: string): number {
  const ms = parseTimeValue(value);
  if (ms === undefined) throw new PlexusError('PLEXUS_INVALID_REQUEST', `Invalid request: ${field} must be an RFC 3339 date-time or milliseconds since the epoch`);
  return ms;
}

/** `coerce`: for text (query strings, path parameters); a JSON body is validated with it off. */
export function createRequestAjv(options: { coerce: boolean }) {
  const ajv = createAjv({ coerceTypes: options.coerce ? 'array' : false, useDefaults: true, removeAdditional: false, allErrors: false });
  ajv.addFormat(REQUEST_FORMATS.time, { type: 'string', validate: (s: string) => parseTimeValue(s) !== undefined });
  ajv.addFormat(REQUEST_FORMATS.topicPattern, { type: 'string', validate: (s: string) => topicPatternProblem(s) === undefined });
  return ajv;
}
