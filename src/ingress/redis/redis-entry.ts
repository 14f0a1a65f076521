// Redis messages → envelopes. Redis has no CloudEvents binding, so the
// mapping is ours (documented in README.md):
// - a stream entry with an `event` field: that field is the message (a JSON
//   CloudEvent, validated as one, or any JSON body, wrapped);
// - with a `data` field: the body (JSON if it parses, else text), the other
//   fields are attributes as in binary mode (`ce_type`, `ce_id`,
//   `traceparent`, `content-type`…) plus plain `type` and `id`;
// - otherwise the whole field map is the data (`XADD orders * type
//   order.paid order_id 42` → type order.paid, data {order_id: "42"}).
// The entry id is the event id unless the entry names one: stable across
// redeliveries, so a redelivered entry is recognised.
// List items and pub/sub messages are one string: a JSON CloudEvent, or a
// body wrapped with the configured type (pub/sub: else the channel name).
import { isUtf8 } from 'node:buffer';
import { PlexusError, type JsonValue } from '@plexus/plugin-sdk';
import { parseJsonSafely } from '@plexus/plugin-sdk/runtime';
import { isCloudEvent, toEnvelope, wrapPlainBody } from '../../envelope/index.ts';
import { setOwnProperty } from '../../envelope/own-property.ts';
import type { Decoded } from '../broker-message.ts';
import { refusalError } from '../broker-refusal.ts';

export interface RedisDecodeContext {
  /** `redis/stream:<key>`, `redis/list:<key>`, `redis/channel:<channel>`. */
  source: string;
  /** The configured type for messages that carry none. */
  type?: string;
  now: number;
}

export interface DecodedRedisMessage {
  decoded: Decoded;
  /** What a refusal records. */
  readonly body: Buffer;
  contentType: string;
}

/**
 * A stream entry as an envelope, or the refusal it earns. `raw` is the
 * entry's fields as bytes when some are not UTF-8 (redis-stream-bytes.ts):
 * only a `data` field may be binary (it becomes `data_base64`), as the
 * other fields are names, attributes or a JSON document.
 */
export function decodeStreamEntry(entryId: string, fields: readonly string[], context: RedisDecodeContext, raw?: readonly Buffer[]): Decoded {
  try {
    return streamEnvelope(entryId, fieldMap(fields), context, raw === undefined ? undefined : binaryData(fields, raw));
  } catch (err) {
    return { ok: false, error: refusalError(err) };
  }
}

/**
 * What the refusal of a stream entry records (as STREAM_ENTRY_CONTENT_TYPE):
 * its fields as one JSON object. A value that is not UTF-8 is recorded as
 * `{"base64": …}` and such a name as `base64:<its base64>`, so the record
 * keeps the exact bytes.
 */
export function streamEntryBody(fields: readonly string[], raw?: readonly Buffer[]): Buffer {
  if (raw === undefined) return Buffer.from(JSON.stringify(fieldMap(fields)));
  const map: Record<string, JsonValue> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as Buffer;
    const value = raw[i + 1] as Buffer;
    setOwnProperty(map, isUtf8(name) ? name.toString('utf8') : `base64:${name.toString('base64')}`, isUtf8(value) ? value.toString('utf8') : { base64: value.toString('base64') });
  }
  return Buffer.from(JSON.stringify(map));
}

export const STREAM_ENTRY_CONTENT_TYPE = 'application/json';

function fieldMap(fields: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) setOwnProperty(map, fields[i] as string, fields[i + 1] as string);
  return map;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A list item or channel message as the bytes Redis holds. Text that is not
 * UTF-8 is never decoded lossily (that would change what plugins see): it
 * becomes `data_base64` under the configured type, as an AMQP body does.
 */
export function decodeBytes(bytes: Buffer, context: RedisDecodeContext): DecodedRedisMessage {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    try {
      const type = required(context.type, 'the message is not UTF-8 (so not a CloudEvent) and no type is configured');
      return { decoded: { ok: true, event: wrapPlainBody({ body: bytes, source: context.source, type, now: context.now }), stableId: false }, body: bytes, contentType: 'application/octet-stream' };
    } catch (err) {
      return { decoded: { ok: false, error: refusalError(err) }, body: bytes, contentType: 'application/octet-stream' };
    }
  }
  return decodeText(text, context, bytes);
}

export function decodeText(text: string, context: RedisDecodeContext, bytes?: Buffer): DecodedRedisMessage {
  const body = bytes ?? Buffer.from(text);
  try {
    const parsed = tryJson(text);
    if (parsed !== NOT_JSON && isCloudEvent(parsed)) return { decoded: { ok: true, event: toEnvelope(parsed, { source: '', type: '', now: context.now }), stableId: true }, body, contentType: 'application/cloudevents+json' };
    const type = required(context.type, 'the message is not a CloudEvent and no type is configured');
    const event = parsed === NOT_JSON
      ? wrapPlainBody({ body: text, source: context.source, type, now: context.now, headers: TEXT_HEADERS })
      : wrapPlainBody({ body: parsed, source: context.source, type, now: context.now });
    return { decoded: { ok: true, event, stableId: false }, body, contentType: parsed === NOT_JSON ? 'text/plain' : 'application/json' };
  } catch (err) {
    return { decoded: { ok: false, error: refusalError(err) }, body, contentType: 'text/plain' };
  }
}

/** The bytes of a binary `data` field; PLEXUS_INVALID_EVENT when any other name or value is not UTF-8. */
function binaryData(fields: readonly string[], raw: readonly Buffer[]): Buffer | undefined {
  let data: Buffer | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as Buffer;
    const value = raw[i + 1] as Buffer;
    if (!isUtf8(name)) throw invalid('a field name of the entry is not UTF-8');
    if (isUtf8(value)) continue;
    if (fields[i] !== 'data') throw invalid(`the entry's ${JSON.stringify(fields[i])} field is not UTF-8; only a data field may hold bytes`);
    data = value;
  }
  return data;
}

function streamEnvelope(entryId: string, map: Record<string, string>, context: RedisDecodeContext, dataBytes?: Buffer): Decoded {
  const { event: eventField, data, type: typeField, id: idField, ...rest } = map;
  if (eventField !== undefined) {
    const parsed = tryJson(eventField);
    if (parsed === NOT_JSON) throw invalid('the entry\'s event field is not JSON');
    if (isCloudEvent(parsed)) return { ok: true, event: toEnvelope(parsed, { source: '', type: '', now: context.now }), stableId: true };
    const type = required(typeField ?? context.type, 'the entry has no type field and the stream no configured type');
    return { ok: true, event: wrapPlainBody({ body: parsed, source: context.source, type, id: idField ?? entryId, now: context.now }), stableId: true };
  }
  if (dataBytes !== undefined) {
    // Bytes, not text: no JSON, no text content type; its own attributes apply as for text.
    const type = required(typeField ?? rest.ce_type ?? context.type, 'the entry has no type or ce_type field and the stream no configured type');
    return { ok: true, event: wrapPlainBody({ body: dataBytes, source: context.source, type, id: idField ?? rest.ce_id ?? entryId, now: context.now, headers: rest }), stableId: true };
  }
  if (data !== undefined) {
    const parsed = tryJson(data);
    // `rest` is this entry's own copy: it can be the headers as it is.
    const headers: Record<string, string> = parsed === NOT_JSON ? { ...TEXT_HEADERS, ...rest } : rest;
    const type = required(typeField ?? rest.ce_type ?? context.type, 'the entry has no type or ce_type field and the stream no configured type');
    const id = idField ?? rest.ce_id ?? entryId;
    return { ok: true, event: wrapPlainBody({ body: parsed === NOT_JSON ? data : parsed, source: context.source, type, id, now: context.now, headers }), stableId: true };
  }
  const type = required(typeField ?? context.type, 'the entry has no type field and the stream no configured type');
  const fields: Record<string, string> = { ...rest };
  return { ok: true, event: wrapPlainBody({ body: fields, source: context.source, type, id: idField ?? entryId, now: context.now }), stableId: true };
}

/** What tryJson answers for text that is not JSON (a sentinel, not a result object: this runs per entry). */
const NOT_JSON = Symbol('not JSON');
const TEXT_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'text/plain; charset=utf-8' });

function tryJson(text: string): JsonValue | typeof NOT_JSON {
  if (text.trim() === '') return NOT_JSON;
  try {
    return parseJsonSafely(text) as JsonValue;
  } catch (err) {
    // JSON nested too deep for the host is refused, not passed on as text.
    if (err instanceof PlexusError) throw err;
    return NOT_JSON;
  }
}

function required(type: string | undefined, problem: string): string {
  if (type === undefined || type === '') throw invalid(problem);
  return type;
}

function invalid(message: string): PlexusError {
  return new PlexusError('PLEXUS_INVALID_EVENT', `Invalid event: ${message}`);
}
