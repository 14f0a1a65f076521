// Turns what a plugin emitted into full CloudEvents: source names the plugin,
// the trace continues from the event that caused it (same trace id, new
// parent id; a new trace when the cause had none), `data` is parsed safely,
// and the emit-chain depth is one more than the cause's.
import { randomUUID } from 'node:crypto';
import type { EmittedRecord } from './sandbox/protocol.ts';
import { parseJsonSafely } from './safe-json.ts';
import { childTraceparent, newTraceparent } from './traceparent.ts';
import type { JsonValue, PlexusEvent } from './types.ts';

/**
 * The CloudEvents extension attribute holding how deep an event sits in an
 * emit chain: absent or 0 for an event from outside, d + 1 for an event
 * emitted while a plugin executed an event of depth d. It lives in the
 * envelope, so the journal, a restart, a replay, a DLQ replay and an egress
 * round trip through a broker all keep it.
 */
export const EMIT_DEPTH_ATTRIBUTE = 'plexusdepth';

/**
 * How deep an emit chain may go by default: an execute of an event at this
 * depth that emits fails permanently (PLEXUS_EMIT_DEPTH_EXCEEDED). Bounds a
 * plugin emitting what it subscribes to, or two plugins answering each other.
 */
export const DEFAULT_MAX_EMIT_DEPTH = 16;

/** What an emitted event inherits from the event that caused it. */
export type EmitCause = Pick<PlexusEvent, 'traceparent'> & { readonly [EMIT_DEPTH_ATTRIBUTE]?: unknown };

/** An event's chain depth: its attribute when that is a non-negative integer (ingress validated it), else 0. */
export function emitDepthOf(event: Readonly<Record<string, unknown>> | undefined): number {
  const depth = event?.[EMIT_DEPTH_ATTRIBUTE];
  return typeof depth === 'number' && Number.isSafeInteger(depth) && depth > 0 ? depth : 0;
}

export function toEmittedEvents(records: readonly EmittedRecord[], cause: EmitCause | undefined, plugin: { name: string }, now = new Date()): PlexusEvent[] {
  const depth = emitDepthOf(cause) + 1;
  return records.map((record) => {
    const event: PlexusEvent = {
      specversion: '1.0',
      id: randomUUID(),
      source: `plugin/${plugin.name}`,
      type: record.type,
      time: now.toISOString(),
      datacontenttype: 'application/json',
      traceparent: childTraceparent(cause?.traceparent) ?? newTraceparent(),
      [EMIT_DEPTH_ATTRIBUTE]: depth,
    };
    if (record.data !== undefined) event.data = parseJsonSafely(record.data) as JsonValue;
    if (record.partitionkey !== undefined) event.partitionkey = record.partitionkey;
    return event;
  });
}
