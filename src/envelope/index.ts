// CloudEvents 1.0 envelopes with the Plexus extensions (CONTRACT §5): pure
// functions; time and randomness are injected by the caller.
export { attributesFromHeaders } from './binary-mode-headers.ts';
export type { AttributeValue, HeaderValue, MessageHeaders } from './binary-mode-headers.ts';
export { ATTRIBUTE_NAME, ENVELOPE_SCHEMA } from './envelope-schema.ts';
export { newEventId } from './event-id.ts';
export { expiresAtMs, isExpired } from './expiry.ts';
export { isCloudEvent } from './is-cloud-event.ts';
export { DEFAULT_BINARY_DATACONTENTTYPE, DEFAULT_DATACONTENTTYPE, normalizeEnvelope } from './normalize-envelope.ts';
export { assertSerializedSize, serializedByteLength } from './payload-size.ts';
export { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY, isPriority } from './priority.ts';
export { formatRfc3339, isRfc3339, parseRfc3339 } from './rfc3339.ts';
export { toEnvelope } from './to-envelope.ts';
export { childTraceparent, isValidTraceparent, parseTraceparent } from './traceparent.ts';
export type { RandomBytes, Traceparent } from './traceparent.ts';
export { isPlainObject, validateEnvelope } from './validate-envelope.ts';
export { wrapPlainBody } from './wrap-plain-body.ts';
export type { IngressContext, PlainBody } from './wrap-plain-body.ts';
