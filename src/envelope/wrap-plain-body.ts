// Wraps a non-CloudEvent broker message or webhook body into an envelope
// (CONTRACT §5): the body becomes `data` (bytes become `data_base64`).
import type { JsonValue, PlexusEvent } from '@plexus/plugin-sdk';
import { attributesFromHeaders, type MessageHeaders } from './binary-mode-headers.ts';
import { newEventId } from './event-id.ts';
import { areHostAttributesValid, quickContentType } from './host-attributes.ts';
import { assertNotStructuredMode } from './is-cloud-event.ts';
import { defaultContentType, normalizeEnvelope } from './normalize-envelope.ts';
import { DEFAULT_PRIORITY } from './priority.ts';
import { formatRfc3339 } from './rfc3339.ts';
import { validateEnvelope } from './validate-envelope.ts';

export interface IngressContext {
  /** Where the bytes arrived (e.g. `webhook/github`); trusted, so headers cannot override it. */
  readonly source: string;
  /** The event type the ingress mapped this message to. */
  readonly type: string;
  /** A delivery id from the transport (e.g. a webhook delivery header); else `ce-id`, else a new UUID. */
  readonly id?: string;
  readonly now: number;
  readonly headers?: MessageHeaders;
}

export interface PlainBody extends IngressContext {
  readonly body: JsonValue | Uint8Array;
}

/** A validated, normalised envelope around `body`; PLEXUS_INVALID_EVENT when a header or argument is invalid. */
export function wrapPlainBody({ body, source, type, id, now, headers }: PlainBody): PlexusEvent {
  const fromHeaders = headers === undefined || !hasKeys(headers) ? undefined : attributesFromHeaders(headers);
  assertNotStructuredMode(fromHeaders?.datacontenttype);
  const headerId = typeof fromHeaders?.id === 'string' ? fromHeaders.id : undefined;
  const eventId = id ?? headerId ?? newEventId();
  const dataBase64 = body instanceof Uint8Array ? Buffer.from(body).toString('base64') : undefined;
  // No attribute came from a header but a valid content type, and the
  // ingress's own are valid: the schema has nothing left to refuse (data is
  // any JSON, data_base64 is ours), and it is the costliest step of decoding
  // a broker message or a webhook (~3 µs of a webhook's ~55 on the loop).
  // The envelope normalizeEnvelope would make is then built in one go: this
  // runs for every broker message and webhook, and each copy is garbage to
  // collect.
  const contentType = quickContentType(fromHeaders);
  if (contentType !== false && areHostAttributesValid(eventId, source, type)) {
    const time = formatRfc3339(now);
    const datacontenttype = contentType ?? defaultContentType(dataBase64 !== undefined);
    return dataBase64 !== undefined
      ? { specversion: '1.0', id: eventId, source, type, data_base64: dataBase64, time, datacontenttype, priority: DEFAULT_PRIORITY }
      : { specversion: '1.0', id: eventId, source, type, data: body as JsonValue, time, datacontenttype, priority: DEFAULT_PRIORITY };
  }
  const payload = dataBase64 !== undefined ? { data_base64: dataBase64 } : { data: body };
  const raw = { ...fromHeaders, specversion: '1.0', id: eventId, source, type, ...payload };
  return normalizeEnvelope(validateEnvelope(raw), now);
}

/** Whether `object` has an own enumerable key, without allocating a key list. */
function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
