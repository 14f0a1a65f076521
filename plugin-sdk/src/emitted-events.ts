// Turns what a plugin emitted into full CloudEvents: source names the plugin,
// the trace continues from the event that caused it (same trace id, new
// parent id; a new trace when the cause had none), `data` is parsed safely.
import { randomUUID } from 'node:crypto';
import type { EmittedRecord } from './sandbox/protocol.ts';
import { parseJsonSafely } from './safe-json.ts';
import { childTraceparent, newTraceparent } from './traceparent.ts';
import type { JsonValue, PlexusEvent } from './types.ts';

export function toEmittedEvents(records: readonly EmittedRecord[], cause: Pick<PlexusEvent, 'traceparent'> | undefined, plugin: { name: string }, now = new Date()): PlexusEvent[] {
  return records.map((record) => {
    const event: PlexusEvent = {
      specversion: '1.0',
      id: randomUUID(),
      source: `plugin/${plugin.name}`,
      type: record.type,
      time: now.toISOString(),
      datacontenttype: 'application/json',
      traceparent: childTraceparent(cause?.traceparent) ?? newTraceparent(),
    };
    if (record.data !== undefined) event.data = parseJsonSafely(record.data) as JsonValue;
    if (record.partitionkey !== undefined) event.partitionkey = record.partitionkey;
    return event;
  });
}
