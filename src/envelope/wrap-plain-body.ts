// Wraps a non-CloudEvent broker message or webhook body into an envelope
// (CONTRACT §5): the body becomes `data` (bytes become `data_base64`).
import type { JsonValue, PlexusEvent } from '@plexus/plugin-sdk';
import { attributesFromHeaders, type MessageHeaders } from './binary-mode-headers.ts';
import { newEventId } from './event-id.ts';
import { areHostAttributesValid } from './host-attributes.ts';
import { normalizeEnvelope } from './normalize-envelope.ts';
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
export function wrapPlainBody({ body, source, type, id, now, headers = {} }: PlainBody): PlexusEvent {
  const fromHeaders = attributesFromHeaders(headers);
  const headerId = typeof fromHeaders.id === 'string' ? fromHeaders.id : undefined;
  const payload = body instanceof Uint8Array ? { data_base64: Buffer.from(body).toString('base64') } : { data: body };
  const eventId = id ?? headerId ?? newEventId();
  const raw = { ...fromHeaders, specversion: '1.0', id: eventId, source, type, ...payload };
  // No attribute came from a header and the ingress's own are valid: the
  // schema has nothing left to refuse (data is any JSON, data_base64 is ours),
  // and it is the costliest step of decoding a broker message.
  const trusted = Object.keys(fromHeaders).length === 0 && areHostAttributesValid(eventId, source, type);
  return normalizeEnvelope(trusted ? (raw as PlexusEvent) : validateEnvelope(raw), now);
}
