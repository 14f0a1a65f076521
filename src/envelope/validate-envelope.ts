// Validates a parsed structured-mode CloudEvent. Refusals are PlexusError
// PLEXUS_INVALID_EVENT naming every failing attribute, so a webhook caller
// (HTTP 400) or a DLQ reader sees what to fix.
import { PlexusError, type PlexusEvent } from '@plexus/plugin-sdk';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { createAjv, describeAjvErrors, formatProblems, isValidEventType, jsonPointerToPath, type FieldProblem } from '@plexus/plugin-sdk/runtime';
import { ATTRIBUTE_NAME, BASE64, DATA_BASE64, ENVELOPE_SCHEMA, EVENT_FORMATS, FORMAT_EXPECTATIONS, MEDIA_TYPE } from './envelope-schema.ts';
import { setOwnProperty } from './own-property.ts';
import { isRfc3339 } from './rfc3339.ts';
import { isValidTraceparent } from './traceparent.ts';

// Compiled once: ajv compilation is costly and the validator holds no state
// that outlives a call (its `errors` are read synchronously right after).
const checkEnvelope = compileEnvelopeSchema();

// A refusal names what to fix; the first problems are enough for that. An
// event with tens of thousands of bad attributes (a 1 MiB body holds ~80k)
// must not cost seconds of the host's only thread (listing them was
// quadratic: 50k took 12 s) nor a multi-megabyte error answer and DLQ record.
const MAX_PROBLEMS = 20;

function compileEnvelopeSchema() {
  const ajv = createAjv();
  ajv.addFormat(EVENT_FORMATS.timestamp, { type: 'string', validate: isRfc3339 });
  ajv.addFormat(EVENT_FORMATS.eventType, { type: 'string', validate: (s: string) => isValidEventType(s) });
  ajv.addFormat(EVENT_FORMATS.traceparent, { type: 'string', validate: isValidTraceparent });
  ajv.addFormat(EVENT_FORMATS.mediaType, MEDIA_TYPE);
  ajv.addFormat(EVENT_FORMATS.base64, BASE64);
  return ajv.compile(ENVELOPE_SCHEMA);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * Returns a shallow copy of `input` as a PlexusEvent, without its null-valued
 * attributes (the JSON format says null means unset; `data: null` is a real
 * payload and is kept). Throws PLEXUS_INVALID_EVENT otherwise.
 */
export function validateEnvelope(input: unknown): PlexusEvent {
  if (!isPlainObject(input)) throw invalidEvent([{ path: '(root)', message: 'must be a JSON object' }], false);
  const event = withoutNullAttributes(input);
  const problems: FieldProblem[] = [];
  let more = false;
  for (const name of Object.keys(event)) {
    if (name !== DATA_BASE64 && !ATTRIBUTE_NAME.test(name)) {
      if (problems.length < MAX_PROBLEMS) problems.push({ path: attributePath(name), message: 'is not a valid attribute name (lowercase letters a-z and digits 0-9 only)' });
      else more = true;
    }
  }
  if (Object.hasOwn(event, 'data') && Object.hasOwn(event, DATA_BASE64)) {
    problems.push({ path: DATA_BASE64, message: 'must not be present together with data' });
  }
  if (!checkEnvelope(event)) {
    const errors = checkEnvelope.errors ?? [];
    // describeAjvErrors drops duplicates by scanning what it kept: only a
    // bounded slice goes in (an attribute yields at most a few errors).
    problems.push(...describeAjvErrors(errors.slice(0, MAX_PROBLEMS * 4).map(withExpectation), ''));
    more ||= errors.length > MAX_PROBLEMS * 4;
  }
  if (problems.length > 0) throw invalidEvent(problems.slice(0, MAX_PROBLEMS), more || problems.length > MAX_PROBLEMS);
  return event as PlexusEvent;
}

// ajv says `must match format "plexus-traceparent"`; say what the format is instead.
function withExpectation(error: ErrorObject): ErrorObject {
  const expectation = error.keyword === 'format' ? FORMAT_EXPECTATIONS[String(error.params.format)] : undefined;
  return expectation === undefined ? error : { ...error, message: expectation };
}

function withoutNullAttributes(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value !== null || name === 'data') setOwnProperty(out, name, value);
  }
  return out;
}

function attributePath(name: string): string {
  return jsonPointerToPath(`/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`, '');
}

function invalidEvent(problems: FieldProblem[], more: boolean): PlexusError {
  const message = `Invalid event: ${formatProblems(problems)}${more ? `; (only the first ${MAX_PROBLEMS} problems are listed)` : ''}`;
  return new PlexusError('PLEXUS_INVALID_EVENT', message, { details: { problems, ...(more ? { truncated: true } : {}) } });
}
