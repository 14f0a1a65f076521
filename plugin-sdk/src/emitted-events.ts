// Turns what a plugin emitted into full CloudEvents: source names the plugin,
// the trace continues from the event that caused it (W3C trace context: same
// trace id, new parent id), and `data` is parsed safely.
import { randomBytes, randomUUID } from 'node:crypto';
import type { EmittedRecord } from './sandbox/protocol.ts';
import { parseJsonSafely } from './safe-json.ts';
import type { JsonValue, PlexusEvent } from './types.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function childTraceparent(parent: string | undefined): string {
  const match = parent === undefined ? null : TRACEPARENT.exec(parent);
  const traceId = match?.[1] ?? randomBytes(16).toString('hex');
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${match?.[3] ?? '01'}`;
}

export function toEmittedEvents(records: readonly EmittedRecord[], cause: Pick<PlexusEvent, 'traceparent'> | undefined, plugin: { name: string }, now = new Date()): PlexusEvent[] {
  return records.map((record) => {
    const event: PlexusEvent = {
      specversion: '1.0',
      id: randomUUID(),
      source: `plugin/${plugin.name}`,
      type: record.type,
      time: now.toISOString(),
      datacontenttype: 'application/json',
      traceparent: childTraceparent(cause?.traceparent),
    };
    if (record.data !== undefined) event.data = parseJsonSafely(record.data) as JsonValue;
    if (record.partitionkey !== undefined) event.partitionkey = record.partitionkey;
    return event;
  });
}
