// Attributes carried in transport headers next to a plain body: CloudEvents
// binary content mode (HTTP `ce-`, Kafka `ce_`, AMQP `cloudEvents:` and
// `cloudEvents_`), `content-type`, and W3C trace context headers.
import { EMIT_DEPTH_ATTRIBUTE } from '@plexus/plugin-sdk/runtime';
import { setOwnProperty } from './own-property.ts';
import { parseTraceparent } from './traceparent.ts';
import { TRACESTATE_MAX_CHARS, fittedTracestate } from './tracestate.ts';

export type HeaderValue = string | number | boolean | readonly string[] | null | undefined;
export type MessageHeaders = Readonly<Record<string, HeaderValue>>;
export type AttributeValue = string | number | boolean;

const PREFIXES = ['ce-', 'ce_', 'cloudevents:', 'cloudevents_'] as const;
// Decided by the ingress from where the bytes arrived, or by the body itself.
const NOT_FROM_HEADERS = new Set(['specversion', 'source', 'type', 'data', 'data_base64']);
// Header values are strings; these attributes are Integers in the type system.
const INTEGER_ATTRIBUTES = new Set(['priority', EMIT_DEPTH_ATTRIBUTE]);

/** CloudEvent attributes found in `headers` (names lowercased, values typed). */
export function attributesFromHeaders(headers: MessageHeaders): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const [rawName, rawValue] of Object.entries(headers)) {
    const value = headerText(rawValue);
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    const attribute = attributeName(name);
    if (attribute !== undefined && !NOT_FROM_HEADERS.has(attribute)) {
      // The HTTP binding percent-encodes ce- header values; the others carry them verbatim.
      setOwnProperty(attributes, attribute, typeof value === 'string' ? typedValue(attribute, name.startsWith('ce-') ? percentDecode(value) : value) : value);
    }
  }
  return withValidTraceContext(attributes);
}

function attributeName(header: string): string | undefined {
  if (header === 'content-type') return 'datacontenttype';
  if (header === 'traceparent' || header === 'tracestate') return header;
  const prefix = PREFIXES.find((p) => header.startsWith(p));
  return prefix === undefined ? undefined : header.slice(prefix.length);
}

function headerText(value: HeaderValue): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(', ');
  return value as AttributeValue;
}

function typedValue(attribute: string, value: string): AttributeValue {
  // A non-numeric value stays a string so validation names the attribute.
  return INTEGER_ATTRIBUTES.has(attribute) && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// W3C: a receiver MUST ignore an invalid traceparent (and then its tracestate)
// and start afresh, rather than refuse the request carrying it; a tracestate
// over the event's limit is truncated by the spec's rule (tracestate.ts).
function withValidTraceContext(attributes: Record<string, AttributeValue>): Record<string, AttributeValue> {
  if (attributes.traceparent === undefined || parseTraceparent(attributes.traceparent)) {
    if (typeof attributes.tracestate !== 'string' || attributes.tracestate.length <= TRACESTATE_MAX_CHARS) return attributes;
    const { tracestate, ...rest } = attributes;
    const fitted = fittedTracestate(tracestate);
    return fitted === undefined ? rest : { ...rest, tracestate: fitted };
  }
  const { traceparent: _dropped, tracestate: _alsoDropped, ...rest } = attributes;
  return rest;
}
