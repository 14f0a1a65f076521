// One AMQP message → one envelope (CONTRACT §5), following the CloudEvents
// AMQP binding:
// - structured mode: content-type application/cloudevents+json, the body is
//   the whole event;
// - binary mode: attributes in `cloudEvents:` (or `cloudEvents_`) headers,
//   the body is `data`;
// - anything else is a plain message, wrapped: its body becomes `data`, its
//   type is the queue's configured `type`, else the AMQP `type` property,
//   else the routing key.
// AMQP's own properties fill what the event leaves unset: `priority` (0-255,
// capped at 9) → priority, `expiration` (+ `timestamp`) → expiresat,
// `message-id` → id. Pure: time is passed in.
import { PlexusError, type JsonValue, type PlexusEvent } from '@plexus/plugin-sdk';
import { parseJsonSafely } from '@plexus/plugin-sdk/runtime';
import type { Message } from 'amqplib';
import { MAX_PRIORITY, formatRfc3339, isCloudEvent, toEnvelope, wrapPlainBody, type MessageHeaders } from '../../envelope/index.ts';
import type { Decoded } from '../broker-message.ts';
import { refusalError } from '../broker-refusal.ts';

const STRUCTURED = /^application\/cloudevents\+json\b/i;
const BATCH = /^application\/cloudevents-batch\+json\b/i;
const JSON_MEDIA = /^application\/(?:[\w.-]+\+)?json\b/i;
const TEXT_MEDIA = /^text\//i;
const BINARY_MARKERS = ['cloudevents:specversion', 'cloudevents_specversion'];
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface AmqpDecodeContext {
  /** `amqp/<queue>`: where plain and binary-mode messages come from. */
  source: string;
  /** The queue's configured type for plain messages. */
  type?: string;
  now: number;
}

export function decodeAmqpMessage(message: Message, context: AmqpDecodeContext): Decoded {
  try {
    return decode(message, context);
  } catch (err) {
    return { ok: false, error: refusalError(err) };
  }
}

function decode(message: Message, context: AmqpDecodeContext): Decoded {
  const { properties, fields, content } = message;
  const contentType = typeof properties.contentType === 'string' ? properties.contentType : undefined;
  const headers = headerMap(properties.headers);
  if (contentType !== undefined && BATCH.test(contentType)) throw invalid('CloudEvents batch mode is not supported; publish one event per message');
  if (contentType !== undefined && STRUCTURED.test(contentType)) {
    const body = parseJson(content);
    if (!isCloudEvent(body)) throw invalid('a structured-mode message (application/cloudevents+json) must be a CloudEvent: specversion is missing');
    return { ok: true, event: structured(body, message, context.now), stableId: true };
  }
  const binary = BINARY_MARKERS.some((name) => headers[name] !== undefined);
  const { body, mediaType } = plainBody(content, contentType);
  // A JSON body that carries specversion is a CloudEvent sent without its content type: validated as one.
  if (!binary && isCloudEvent(body)) return { ok: true, event: structured(body, message, context.now), stableId: true };

  const attributes: Record<string, MessageHeaders[string]> = { ...headers };
  if (mediaType !== undefined) attributes['content-type'] = mediaType;
  const priority = amqpPriority(message);
  if (priority !== undefined && !hasAttribute(headers, 'priority')) attributes['cloudevents:priority'] = priority;
  const expiresAt = amqpExpiry(message, context.now);
  if (expiresAt !== undefined && !hasAttribute(headers, 'expiresat')) attributes['cloudevents:expiresat'] = expiresAt;

  const headerId = attributeText(headers, 'id');
  const id = binary ? headerId : (typeof properties.messageId === 'string' && properties.messageId !== '' ? properties.messageId : headerId);
  const type = binary ? attributeText(headers, 'type') : (context.type ?? (typeof properties.type === 'string' && properties.type !== '' ? properties.type : fields.routingKey));
  if (type === undefined || type === '') throw invalid(binary ? 'a binary-mode message has no cloudEvents:type header' : 'a plain message has no type: no queue type, AMQP type property or routing key');
  const event = wrapPlainBody({ body, source: context.source, type, now: context.now, headers: attributes, ...(id === undefined ? {} : { id }) });
  return { ok: true, event, stableId: id !== undefined };
}

/** A CloudEvent body, with the message's priority and expiry where the event sets none. */
function structured(body: Record<string, unknown>, message: Message, now: number): PlexusEvent {
  const withBroker: Record<string, unknown> = { ...body };
  const priority = amqpPriority(message);
  if (priority !== undefined && (body.priority === undefined || body.priority === null)) withBroker.priority = priority;
  const expiresAt = amqpExpiry(message, now);
  if (expiresAt !== undefined && (body.expiresat === undefined || body.expiresat === null)) withBroker.expiresat = expiresAt;
  return toEnvelope(withBroker as JsonValue, { source: '', type: '', now });
}

/**
 * JSON when the content type says so (refused if it does not parse), or when
 * there is none and it parses; text for text/* and for UTF-8 without a
 * content type; bytes (data_base64) otherwise. `mediaType` is what
 * datacontenttype should say.
 */
function plainBody(content: Buffer, contentType: string | undefined): { body: JsonValue | Uint8Array; mediaType?: string } {
  if (contentType !== undefined && JSON_MEDIA.test(contentType)) return { body: parseJson(content) as JsonValue, mediaType: contentType };
  const text = decodeUtf8(content);
  if (contentType === undefined) {
    if (text === undefined) return { body: content };
    try {
      if (text.trim() !== '') return { body: parseJsonSafely(text) as JsonValue };
    } catch (err) {
      // JSON nested too deep for the host is refused; anything else that is not JSON is plain text.
      if (err instanceof PlexusError) throw err;
    }
    return { body: text, mediaType: 'text/plain; charset=utf-8' };
  }
  if (TEXT_MEDIA.test(contentType) && text !== undefined) return { body: text, mediaType: contentType };
  return { body: content, mediaType: contentType };
}

function parseJson(content: Buffer): unknown {
  const text = decodeUtf8(content);
  if (text === undefined) throw invalid('the body is not UTF-8');
  try {
    return parseJsonSafely(text);
  } catch (err) {
    if (err instanceof PlexusError) throw err;
    throw invalid(`the body is not JSON (${(err as Error).message})`);
  }
}

function decodeUtf8(content: Buffer): string | undefined {
  try {
    return utf8.decode(content);
  } catch {
    return undefined;
  }
}

/** AMQP priorities run 0-255 (usually 0-9 or 0-10); event priorities 0-9. */
function amqpPriority(message: Message): number | undefined {
  const p: unknown = message.properties.priority;
  return typeof p === 'number' && Number.isInteger(p) && p >= 0 ? Math.min(p, MAX_PRIORITY) : undefined;
}

/**
 * The per-message TTL as an absolute expiry: from the publish timestamp when
 * there is a usable one, else from now. A TTL that ends past the last date
 * JavaScript can hold (year 275760) is no expiry.
 */
function amqpExpiry(message: Message, now: number): string | undefined {
  const expiration: unknown = message.properties.expiration;
  const ttl = typeof expiration === 'string' && /^\d+$/.test(expiration) ? Number(expiration) : undefined;
  if (ttl === undefined) return undefined;
  const timestamp: unknown = message.properties.timestamp;
  const base = (typeof timestamp === 'number' && timestamp > 0 ? timestampMs(timestamp) : undefined) ?? now;
  return base + ttl <= MAX_DATE_MS ? formatRfc3339(base + ttl) : undefined;
}

/** The last instant a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;
/** 1e11 s is the year 5138; 1e11 ms is 1973. */
const MILLISECONDS_FROM = 1e11;

/**
 * An AMQP timestamp (seconds since the epoch) in milliseconds. Publishers
 * that send milliseconds (JavaScript's Date.now()) are common, and read as
 * seconds their timestamps land tens of thousands of years out: an expiry in
 * the year 58,000 was refused as "expiresat must be an RFC 3339 date-time",
 * an attribute the sender never set. A value from MILLISECONDS_FROM up is
 * taken as milliseconds. Undefined for one no Date can hold.
 */
function timestampMs(value: number): number | undefined {
  const ms = value >= MILLISECONDS_FROM ? value : value * 1000;
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_DATE_MS ? ms : undefined;
}

/** Header table → the value types the envelope reads (lowercased names; byte arrays as UTF-8; tables and arrays skipped). */
function headerMap(raw: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (raw === null || typeof raw !== 'object') return out;
  for (const [name, value] of Object.entries(raw)) {
    const key = name.toLowerCase();
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else if (Buffer.isBuffer(value)) Object.defineProperty(out, key, { value: value.toString('utf8'), enumerable: true, writable: true, configurable: true });
    else if (isAmqpTimestamp(value)) Object.defineProperty(out, key, { value: timestampText(value.value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The CloudEvents AMQP binding carries Timestamp attributes (`time`,
 * `expiresat`) as AMQP timestamps, seconds since the epoch, which amqplib
 * hands over as {'!': 'timestamp', value}. Dropped, `time` became the
 * arrival time and an expiry was lost.
 */
function isAmqpTimestamp(value: unknown): value is { value: number } {
  const typed = value as { '!'?: unknown; value?: unknown } | null;
  return typeof typed === 'object' && typed !== null && typed['!'] === 'timestamp' && typeof typed.value === 'number' && Number.isFinite(typed.value);
}

/** RFC 3339 text of an AMQP timestamp header; one no Date can hold stays its number, which the envelope check refuses by the attribute's name. */
function timestampText(value: number): string {
  const ms = timestampMs(value);
  return ms === undefined ? String(value) : formatRfc3339(ms);
}

function hasAttribute(headers: Record<string, unknown>, attribute: string): boolean {
  return headers[`cloudevents:${attribute}`] !== undefined || headers[`cloudevents_${attribute}`] !== undefined;
}

function attributeText(headers: Record<string, string | number | boolean>, attribute: string): string | undefined {
  const value = headers[`cloudevents:${attribute}`] ?? headers[`cloudevents_${attribute}`];
  return value === undefined ? undefined : String(value);
}

function invalid(message: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_EVENT', `Invalid event: ${message}`);
}
